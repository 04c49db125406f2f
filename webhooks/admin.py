"""Webhooks in the admin, read-only: subscriptions are written by their owners'
pages and the API (webhooks.services), deliveries and attempts by the worker.
The secret is never shown."""

from django.contrib import admin

from webhooks.models import Attempt, Delivery, Subscription


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["target_url", "owner", "plan", "active", "paused_at", "created"]
    list_filter = ["active"]
    list_select_related = ["owner", "plan"]
    search_fields = ["target_url", "description", "owner__username"]
    exclude = ["secret"]


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "response_code", "error", "succeeded"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event", "subscription", "status", "attempts", "response_code", "created"]
    list_filter = ["status", "event"]
    list_select_related = ["subscription"]
    search_fields = ["event_id", "subscription__target_url"]
    date_hierarchy = "created"
    inlines = [AttemptInline]


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["delivery", "number", "started_at", "duration_ms", "response_code", "succeeded"]
    list_filter = ["succeeded"]
    list_select_related = ["delivery__subscription"]
