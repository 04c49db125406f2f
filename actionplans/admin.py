from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from actionplans import services
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
)
from actionplans.parsing import deadline_examples, parse_deadline


class WorkingGroupInline(admin.TabularInline):
    model = WorkingGroup
    extra = 0
    fields = ["number", "name", "team_leader"]
    autocomplete_fields = ["team_leader"]
    show_change_link = True


@admin.register(ActionPlan)
class ActionPlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "country", "status", "visibility", "updated"]
    list_filter = ["status", "visibility", "country"]
    search_fields = ["title", "country", "origin"]
    filter_horizontal = ["coordinators"]
    inlines = [WorkingGroupInline]


class ChallengeInline(admin.TabularInline):
    model = Challenge
    extra = 0
    fields = ["number", "description"]
    show_change_link = True


@admin.register(WorkingGroup)
class WorkingGroupAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "plan", "team_leader", "updated"]
    list_filter = ["plan"]
    list_select_related = ["plan", "team_leader"]
    search_fields = ["name", "plan__title", "team_leader__name"]
    autocomplete_fields = ["plan", "team_leader", "team_members"]
    inlines = [ChallengeInline]


class ActionPointInline(admin.TabularInline):
    model = ActionPoint
    extra = 0
    fields = ["position", "description", "deadline", "status", "progress"]
    readonly_fields = ["deadline", "status", "progress"]
    show_change_link = True


@admin.register(Challenge)
class ChallengeAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "working_group", "plan"]
    list_filter = ["working_group__plan"]
    list_select_related = ["working_group__plan"]
    search_fields = ["description", "working_group__name", "working_group__plan__title"]
    autocomplete_fields = ["working_group"]
    inlines = [ActionPointInline]

    @admin.display(description=gettext_lazy("plan"), ordering="working_group__plan__title")
    def plan(self, obj: Challenge):
        return obj.working_group.plan


class FocalPointInline(admin.TabularInline):
    model = FocalPoint
    extra = 0
    autocomplete_fields = ["person"]


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    can_delete = False
    fields = ["created", "author", "status", "progress", "note", "evidence_url"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DeadlineChangeInline(admin.TabularInline):
    model = DeadlineChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "old_deadline", "new_deadline", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ActionPoint)
class ActionPointAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "plan",
        "deadline",
        "due_date",
        "deadline_precision",
        "status",
        "progress",
        "updated",
    ]
    list_filter = ["status", "deadline_precision", "challenge__working_group__plan"]
    list_select_related = ["challenge__working_group__plan"]
    search_fields = ["description", "deadline", "focal_points__person__name"]
    date_hierarchy = "due_date"
    autocomplete_fields = ["challenge"]
    # Completion and verification change through progress updates and the verify /
    # send-back services only.
    readonly_fields = [
        "due_date",
        "deadline_precision",
        "completed_by",
        "completed_at",
        "verified_by",
        "verified_at",
        "version",
        "created",
        "updated",
    ]
    inlines = [FocalPointInline, ProgressUpdateInline, DeadlineChangeInline]

    @admin.display(
        description=gettext_lazy("plan"), ordering="challenge__working_group__plan__title"
    )
    def plan(self, obj: ActionPoint):
        return obj.challenge.working_group.plan

    def save_model(self, request, obj: ActionPoint, form, change) -> None:
        """Through the services, like every other way in: the due date is derived
        from the words, and a moved deadline or a new status is a recorded event."""
        reason = "Changed in the administration site."
        changed = set(form.changed_data)
        if not change:
            created = services.action_point_create(
                challenge=obj.challenge,
                description=obj.description,
                deadline=obj.deadline,
                position=obj.position,
                status=obj.status,
                progress=obj.progress,
                created_by=request.user,
            )
        else:
            created = ActionPoint.objects.get(pk=obj.pk)
            moves = {"description", "position", "challenge"} & changed
            if moves:
                services.action_point_update(
                    action_point=created,
                    user=request.user,
                    **{name: getattr(obj, name) for name in moves},
                )
            if "deadline" in changed:
                services.action_point_reschedule(
                    action_point=created,
                    new_deadline=obj.deadline,
                    reason=reason,
                    changed_by=request.user,
                )
            if {"status", "progress"} & changed:
                services.progress_update_create(
                    action_point=created,
                    author=request.user,
                    status=obj.status,
                    progress=obj.progress,
                    note=reason,
                )
        classified = {"priority", "pim_process_step"} & changed
        if classified:
            services.action_point_classify(
                action_point=created,
                user=request.user,
                **{name: getattr(obj, name) for name in classified},
            )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        def clean_deadline(self) -> str:
            value = self.cleaned_data.get("deadline", "")
            try:
                parse_deadline(value)
            except ValidationError as error:
                raise ValidationError(error.messages) from None
            return value

        def clean(self) -> dict:
            # The services refuse any change in a closed plan: say so on the form,
            # before save_model hands the change to them.
            data = super(form, self).clean()
            challenge = data.get("challenge") or getattr(self.instance, "challenge", None)
            if challenge is not None and not challenge.working_group.plan.accepts_changes:
                raise ValidationError(_("This plan is closed: reopen it before changing it."))
            return data

        form.clean_deadline = clean_deadline
        form.clean = clean
        if "deadline" in form.base_fields:
            form.base_fields["deadline"].help_text = deadline_examples()
        return form


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["action_point", "created", "author", "status", "progress"]
    list_filter = ["status", "action_point__challenge__working_group__plan"]
    list_select_related = ["action_point", "author"]
    search_fields = ["note", "action_point__description", "author__username"]
    date_hierarchy = "created"
    autocomplete_fields = ["action_point", "author"]


@admin.register(DeadlineChange)
class DeadlineChangeAdmin(SimpleHistoryAdmin):
    list_display = ["action_point", "changed_at", "changed_by", "old_deadline", "new_deadline"]
    list_filter = ["action_point__challenge__working_group__plan"]
    list_select_related = ["action_point", "changed_by"]
    search_fields = ["reason", "action_point__description", "old_deadline", "new_deadline"]
    date_hierarchy = "changed_at"
    autocomplete_fields = ["action_point", "changed_by"]


@admin.register(FocalPoint)
class FocalPointAdmin(SimpleHistoryAdmin):
    list_display = ["person", "role", "action_point", "note"]
    list_filter = ["role"]
    list_select_related = ["person", "action_point"]
    search_fields = ["person__name", "action_point__description", "note"]
    autocomplete_fields = ["action_point", "person"]
