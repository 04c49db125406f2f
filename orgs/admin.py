from django.contrib import admin
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from orgs.models import Organization, Person


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "kind", "people_count", "updated"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_count=Count("people"))

    @admin.display(description="people", ordering="people_count")
    def people_count(self, obj: Organization) -> int:
        return obj.people_count


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "email", "user", "updated"]
    list_filter = ["organization__kind", "organization"]
    list_select_related = ["organization", "user"]
    search_fields = ["name", "email", "organization__name", "organization__acronym"]
    autocomplete_fields = ["organization", "user"]
