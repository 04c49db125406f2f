"""The notifications app in the admin: email deliveries (failed ones found and
sent again), notifications and preferences, all read-only: they are written by
the daily run, the events and their owners' preferences page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.admin_actions import deliveries_retry
from notifications.models import Delivery, Notification, Preference


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "day", "status", "attempts", "error", "sent_at"]
    list_filter = ["status", "day"]
    date_hierarchy = "day"
    search_fields = ["recipient"]
    actions = ["retry"]

    @admin.display(description=_("last error"), ordering="last_error")
    def error(self, obj: Delivery) -> str:
        return obj.last_error if len(obj.last_error) <= 120 else obj.last_error[:119] + "…"

    @admin.action(description=_("Retry the selected failed deliveries"))
    def retry(self, request, queryset) -> None:
        selected = queryset.count()
        retried = deliveries_retry(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed delivery queued again.",
                "%(count)d failed deliveries queued again.",
                len(retried),
            )
            % {"count": len(retried)},
        )
        if selected > len(retried):
            self.message_user(
                request,
                _("%(count)d selected were not failed and were left as they are.")
                % {"count": selected - len(retried)},
                level="warning",
            )


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("yes", _("Read")), ("no", _("Unread"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created", "kind", "recipient", "user", "plan", "action_point", "read_at"]
    list_filter = ["kind", ReadFilter, "created"]
    list_select_related = ["user", "plan", "action_point"]
    search_fields = ["recipient", "user__username", "key"]
    raw_id_fields = ["user", "person", "plan", "action_point", "delivery"]


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin):
    list_display = ["email", "muted_kinds", "lead_days", "digest_weekday", "time_zone", "updated"]
    list_filter = ["digest_weekday"]
    search_fields = ["email"]
