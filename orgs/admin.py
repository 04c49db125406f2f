from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from orgs.models import ApiToken, Organization, Person
from orgs.services import api_token_revoke


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "kind", "people_count", "updated"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_count=Count("people"))

    @admin.display(description=_("people"), ordering="people_count")
    def people_count(self, obj: Organization) -> int:
        return obj.people_count


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "email", "user", "updated"]
    list_filter = ["organization__kind", "organization"]
    list_select_related = ["organization", "user"]
    search_fields = ["name", "email", "organization__name", "organization__acronym"]
    autocomplete_fields = ["organization", "user"]


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    """Administrators see and revoke every token; keys are issued by their owners."""

    list_display = ["__str__", "user", "read_only", "created", "last_used", "revoked"]
    list_filter = ["read_only", ("revoked", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["user", "prefix", "key_hash", "created", "last_used", "revoked"]
    fields = ["user", "name", "prefix", "key_hash", "read_only", "created", "last_used", "revoked"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            api_token_revoke(token=token)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
        )
