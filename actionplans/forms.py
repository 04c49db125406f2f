"""Forms of the plan pages. They validate input; the services (actionplans/services/) write."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from actionplans.choices import ActionPointStatus, FocalPointRole, PlanVisibility
from actionplans.imports.decode import check_size
from actionplans.models import ActionPlan, ActionPoint
from actionplans.parsing import DEADLINE_EXAMPLES, parse_deadline, parse_focal_points
from orgs.services import clean_name

DEADLINE_HELP = f"As people write it, e.g. {DEADLINE_EXAMPLES}."


def _deadline_field(label: str = "Deadline", required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=100,
        help_text=DEADLINE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _clean_deadline(value: str) -> str:
    value = value.strip()
    try:
        parse_deadline(value)
    except ValidationError as error:
        raise ValidationError(error.messages) from None
    return value


class ActionPlanForm(forms.ModelForm):
    coordinators = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Accounts that may change the whole plan. You are added when you create it.",
    )

    class Meta:
        model = ActionPlan
        fields = ["title", "country", "origin", "status", "visibility", "coordinators"]


class WorkingGroupForm(forms.Form):
    """Leader and members are typed as names, the way plans list them."""

    number = forms.IntegerField(
        label="Number",
        min_value=1,
        max_value=999,
        required=False,
        help_text="Leave empty to add it after the last group.",
    )
    name = forms.CharField(label="Name", max_length=200)
    team_leader = forms.CharField(
        label="Team leader",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "plan-people", "autocomplete": "off"}),
        help_text="A name; someone new is added to the plan's people.",
    )
    team_members = forms.CharField(
        label="Team members",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='Names separated by commas, e.g. "Rana, Omar, Maria, Fred, Jad".',
    )

    def clean_team_leader(self) -> str:
        return clean_name(self.cleaned_data["team_leader"])

    def clean_team_members(self) -> list[str]:
        text = self.cleaned_data["team_members"]
        try:
            entries = parse_focal_points(text)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return [entry.name for entry in entries]


class ChallengeForm(forms.Form):
    number = forms.IntegerField(
        label="Number",
        min_value=1,
        max_value=999,
        required=False,
        help_text="Leave empty to add it after the last challenge.",
    )
    description = forms.CharField(
        label="Challenge", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FocalPointForm(forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "plan-people", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label="Role", choices=FocalPointRole.choices, initial=FocalPointRole.LEAD
    )
    note = forms.CharField(label="Note", required=False, max_length=200)

    def clean_name(self) -> str:
        return clean_name(self.cleaned_data["name"])


class BaseFocalPointFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            name = form.cleaned_data.get("name")
            if not name:
                continue
            key = name.casefold()
            if key in seen:
                form.add_error("name", f"{name} is listed twice.")
            seen.add(key)

    def entries(self) -> list[tuple[str, str, str]]:
        """(name, role, note) for each filled row, in order."""
        return [
            (form.cleaned_data["name"], form.cleaned_data["role"], form.cleaned_data["note"])
            for form in self.forms
            if form.cleaned_data.get("name")
        ]


FocalPointFormSet = forms.formset_factory(
    FocalPointForm, formset=BaseFocalPointFormSet, extra=2, max_num=20, validate_max=True
)


class ActionPointForm(forms.Form):
    """What an action point says and by when (coordinators)."""

    description = forms.CharField(
        label="Action point", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = _deadline_field()
    deadline_reason = forms.CharField(
        label="Why the deadline moves",
        required=False,
        max_length=2000,
        help_text="Needed when you change the deadline of an existing action point.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: ActionPoint | None = None, **kwargs) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)
        if instance is None:
            del self.fields["deadline_reason"]
            del self.fields["version"]

    def clean_deadline(self) -> str:
        return _clean_deadline(self.cleaned_data["deadline"])


class ProgressUpdateForm(forms.Form):
    """Status, progress, a note and evidence: what members report."""

    status = forms.ChoiceField(label="Status", choices=ActionPointStatus.choices)
    progress = forms.IntegerField(
        label="Progress (%)",
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": 5, "inputmode": "numeric"}),
        help_text="Completing sets 100 %.",
    )
    note = forms.CharField(
        label="Note", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence_url = forms.URLField(
        label="Evidence link",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, prefix_id: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if prefix_id:
            # Many of these forms share one page: keep element ids unique.
            self.auto_id = f"id_{prefix_id}_%s"

    @classmethod
    def for_point(cls, point: ActionPoint, data=None) -> ProgressUpdateForm:
        """The form of one action point, starting from its status, progress and version."""
        return cls(
            data,
            initial={"status": point.status, "progress": point.progress, "version": point.version},
            prefix_id=f"ap{point.pk}",
        )


class RescheduleForm(forms.Form):
    deadline = _deadline_field("New deadline", required=False)
    reason = forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_deadline(self) -> str:
        return _clean_deadline(self.cleaned_data["deadline"])


class DeleteForm(forms.Form):
    """An explicit confirmation, so a stray POST deletes nothing."""

    confirm = forms.BooleanField(label="Yes, delete it and everything listed above")


# --- import ------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label="File",
        required=False,
        help_text="An Excel workbook (.xlsx), CSV, or tab-separated text.",
    )
    text = forms.CharField(
        label="Or paste the table",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="Copy the table from the slide or the spreadsheet and paste it here.",
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            # Before content() reads it into memory.
            check_size(upload.size)
        return upload

    def clean(self) -> dict:
        data = super().clean()
        # A file or text refused by its own field (too large, NUL) is not "nothing given".
        given = data.get("file") or data.get("text", "").strip()
        if not given and not self.has_error("file") and not self.has_error("text"):
            raise ValidationError("Choose a file or paste a table.")
        return data

    def content(self) -> bytes:
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read()
        return self.cleaned_data["text"].encode("utf-8")


class NewPlanForm(forms.Form):
    title = forms.CharField(
        label="Title of the new plan",
        max_length=200,
        required=False,
        help_text="Empty: the title line of the table.",
    )
    country = forms.CharField(label="Country", max_length=100, required=False)
    origin = forms.CharField(
        label="Origin",
        max_length=300,
        required=False,
        help_text='The event it came from, e.g. "PIM training, Beirut, 10-13 Dec 2018".',
    )
    visibility = forms.ChoiceField(
        label="Visible to", choices=PlanVisibility.choices, initial=PlanVisibility.MEMBERS
    )


class ConfirmForm(forms.Form):
    """The import's confirmation, with who each name several people bear is."""

    NEW_PERSON = "new"

    token = forms.CharField(widget=forms.HiddenInput)
    keep_undated = forms.BooleanField(
        label="Keep unreadable deadlines as text without a date", required=False
    )

    def __init__(self, *args, people=(), **kwargs) -> None:
        """people: the table's names (actionplans.services.people.NamedPerson). Each
        that several people bear is a choice: one of them, or a new person."""
        super().__init__(*args, **kwargs)
        self.people = list(people)
        self.ambiguous = [item for item in self.people if item.candidates]
        for item in self.ambiguous:
            name = {"name": item.name.replace("%", "%%")}
            self.fields[f"who-{item.index}"] = forms.ChoiceField(
                label=item.name,
                choices=[(str(person.pk), item.describe(person)) for person in item.candidates]
                + [(self.NEW_PERSON, gettext_lazy("A new person"))],
                widget=forms.RadioSelect,
                error_messages={
                    "required": gettext_lazy(
                        "Say who “%(name)s” is: one of the people listed, or a new person."
                    )
                    % name,
                    "invalid_choice": gettext_lazy(
                        "The person chosen for “%(name)s” is not one of those offered: "
                        "choose again."
                    )
                    % name,
                },
            )

    def people_rows(self) -> list[tuple[object, forms.BoundField | None]]:
        """Each name of the table, with its choice when it is one (for the preview)."""
        return [
            (item, self[f"who-{item.index}"] if item.candidates else None) for item in self.people
        ]

    def people_choices(self) -> dict[str, int | None]:
        """{name key: the person chosen, or None for a new person} (once valid)."""
        chosen = {}
        for item in self.ambiguous:
            value = self.cleaned_data[f"who-{item.index}"]
            chosen[item.key] = None if value == self.NEW_PERSON else int(value)
        return chosen


# --- dashboards ----------------------------------------------------------------------


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The dashboard as it stood at the end of that day. Empty: today.",
    )

    def clean_as_of(self) -> datetime.date | None:
        day = self.cleaned_data["as_of"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("Pick today or a day in the past.")
        return day


# --- people's accounts and deadline extensions ----------------------------------------


class InviteForm(forms.Form):
    """The address an invitation goes to (the person's own, when known)."""

    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("An account is created and a link to set its password is sent."),
    )


class LinkAccountForm(forms.Form):
    account = forms.CharField(
        label=gettext_lazy("Existing account"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Its username or email address, exactly."),
    )


class ExtensionRequestForm(forms.Form):
    """A member asks for more time: the new deadline as people write it, and why."""

    new_deadline = forms.CharField(
        label=gettext_lazy("New deadline"),
        max_length=100,
        help_text=DEADLINE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why more time is needed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, prefix_id: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"

    def clean_new_deadline(self) -> str:
        return _clean_deadline(self.cleaned_data["new_deadline"])


class ExtensionDecisionForm(forms.Form):
    """Approve or decline (the button pressed), with a note; declining needs one."""

    decision = forms.ChoiceField(
        choices=[("approve", gettext_lazy("Approve")), ("decline", gettext_lazy("Decline"))],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Needed to decline; sent to the person who asked."),
    )

    def __init__(self, *args, prefix_id: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"
