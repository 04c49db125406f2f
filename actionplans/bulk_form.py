"""The bulk edit bar of the plan table: which action points, and what to change on
them (services.bulk: BulkChanges). The form only reads the input; every rule is the
service's (bulk_edit_preview), which the preview page and the confirmation share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from actionplans import permissions as perms
from actionplans.choices import (
    ActionPointStatus,
    FocalPointRole,
    PimCategory,
    PimPrinciple,
    PimProcessStep,
    Priority,
)
from actionplans.models import ActionPlan
from actionplans.services.bulk import MAX_SHIFT_MONTHS, BulkChanges

NO_CHANGE = ("", _("No change"))
CLEAR_STEP = "none"
MAX_SELECTED = 1000


class ActionPointIdsField(forms.Field):
    """The ids of the ticked action points (checkboxes named action_points)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        try:
            ids = [int(item) for item in values]
        except (TypeError, ValueError):
            raise ValidationError(_("Select action points from the plan table.")) from None
        if len(ids) > MAX_SELECTED:
            raise ValidationError(
                _("Select at most %(most)s action points at once.") % {"most": MAX_SELECTED}
            )
        return list(dict.fromkeys(ids))


class BulkEditForm(forms.Form):
    action_points = ActionPointIdsField(label=_("Action points"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[NO_CHANGE, *ActionPointStatus.choices], required=False
    )
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to complete them; recorded on each action point."),
    )
    evidence_url = forms.CharField(label=_("Evidence link"), required=False, max_length=500)
    focal_person = forms.ModelChoiceField(
        label=_("Add a focal point"), queryset=None, required=False, empty_label=_("No change")
    )
    focal_role = forms.ChoiceField(
        label=_("Role"), choices=FocalPointRole.choices, initial=FocalPointRole.LEAD, required=False
    )
    add_categories = forms.MultipleChoiceField(
        label=_("Add PIM categories"), choices=PimCategory.choices, required=False
    )
    remove_categories = forms.MultipleChoiceField(
        label=_("Remove PIM categories"), choices=PimCategory.choices, required=False
    )
    add_principles = forms.MultipleChoiceField(
        label=_("Add PIM principles"), choices=PimPrinciple.choices, required=False
    )
    remove_principles = forms.MultipleChoiceField(
        label=_("Remove PIM principles"), choices=PimPrinciple.choices, required=False
    )
    pim_process_step = forms.ChoiceField(
        label=_("PIM process step"),
        choices=[NO_CHANGE, (CLEAR_STEP, _("None")), *PimProcessStep.choices],
        required=False,
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[NO_CHANGE, *Priority.choices], required=False
    )
    new_deadline = forms.CharField(label=_("New deadline"), required=False, max_length=100)
    shift_months = forms.IntegerField(
        label=_("Or move by months"),
        required=False,
        min_value=-MAX_SHIFT_MONTHS,
        max_value=MAX_SHIFT_MONTHS,
        help_text=_("Each deadline keeps its precision: Q1 2027 moved by 3 months is Q2 2027."),
    )
    reason = forms.CharField(
        label=_("Reason for moving the deadlines"),
        required=False,
        max_length=2000,
        help_text=_("Recorded with each moved deadline."),
    )

    def __init__(self, *args, plan: ActionPlan, user, **kwargs) -> None:
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        # The people of the plan (named in it, or its coordinators) whom the user may see.
        self.fields["focal_person"].queryset = perms.mentionable_people(user, plan).order_by(
            "name", "id"
        )

    def changes(self) -> BulkChanges:
        data = self.cleaned_data
        step = data["pim_process_step"]
        return BulkChanges(
            status=data["status"] or None,
            note=data["note"],
            evidence_url=data["evidence_url"],
            focal_person=data["focal_person"],
            focal_role=data["focal_role"] or FocalPointRole.LEAD,
            add_categories=tuple(data["add_categories"]),
            remove_categories=tuple(data["remove_categories"]),
            add_principles=tuple(data["add_principles"]),
            remove_principles=tuple(data["remove_principles"]),
            pim_process_step=None if not step else ("" if step == CLEAR_STEP else step),
            priority=data["priority"] or None,
            deadline=data["new_deadline"] or None,
            shift_months=data["shift_months"] or None,
            reason=data["reason"],
        )

    def versions(self) -> dict[int, int]:
        """The version of each action point the preview showed (version-<id>): the
        confirmation is refused for one changed since."""
        versions = {}
        for key, value in self.data.items():
            pk = key.removeprefix("version-")
            if key.startswith("version-") and pk.isdigit() and str(value).isdigit():
                versions[int(pk)] = int(value)
        return versions
