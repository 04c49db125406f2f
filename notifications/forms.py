"""The notification preferences form: the page's fields, read into the values
notifications.preferences.preference_save checks and saves."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.choices import Kind, Weekday
from notifications.models import Preference

# The kinds on the page, grouped as people think of them (every Kind exactly once).
KIND_GROUPS: list[tuple[str, list[Kind]]] = [
    (_("Reminders"), [Kind.DUE_SOON, Kind.DUE_TODAY, Kind.OVERDUE, Kind.STALE]),
    (
        _("About your action points"),
        [Kind.ASSIGNED, Kind.RESCHEDULED, Kind.COMMENTED, Kind.SENT_BACK],
    ),
    (_("Comments and watched action points"), [Kind.MENTIONED, Kind.WATCHED]),
    (_("For coordinators"), [Kind.DIGEST, Kind.EXTENSION_REQUESTED, Kind.TO_VERIFY]),
    (_("Your deadline extension requests"), [Kind.EXTENSION_DECIDED]),
]
KIND_HELP = {
    Kind.DUE_SOON: _("the days before a deadline you choose below"),
    Kind.DUE_TODAY: _("on the day of a deadline"),
    Kind.OVERDUE: _("once a week while an action point stays overdue"),
    Kind.STALE: _("when an open action point has had no update for a while"),
    Kind.ASSIGNED: _("when you are named focal point"),
    Kind.RESCHEDULED: _("when the deadline of an action point you carry moves"),
    Kind.COMMENTED: _("when someone else records an update on an action point you carry"),
    Kind.DIGEST: _("a weekly summary of each plan you coordinate"),
    Kind.EXTENSION_REQUESTED: _("when a member asks to move a deadline"),
    Kind.EXTENSION_DECIDED: _("when a coordinator approves or declines your request"),
    Kind.MENTIONED: _("when someone mentions you in a comment"),
    Kind.WATCHED: _("updates, deadline moves and comments on action points you watch"),
    Kind.TO_VERIFY: _("when an action point of your plan is completed and waits for verification"),
    Kind.SENT_BACK: _("when a coordinator sends your completed action point back"),
}
SEPARATORS = re.compile(r"[\s,;]+")


class PreferenceForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Email me about"),
        choices=[(kind.value, kind.label) for _group, kinds in KIND_GROUPS for kind in kinds],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    lead_days = forms.CharField(
        label=_("Days before a deadline"),
        required=False,
        max_length=60,
    )
    digest_weekday = forms.TypedChoiceField(
        label=_("Digest day"),
        choices=Weekday.choices,
        coerce=int,
        help_text=_("The day coordinators get the weekly digest of their plans."),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("Where you work, as a name such as Asia/Beirut, Africa/Nairobi or UTC."),
    )

    def __init__(self, *args, preference: Preference | None = None, **kwargs) -> None:
        if preference is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kinds": [kind for kind in Kind.values if preference.wants(kind)],
                    "lead_days": ", ".join(str(day) for day in preference.lead_days),
                    "digest_weekday": preference.digest_weekday,
                    "time_zone": preference.time_zone or settings.TIME_ZONE,
                },
            )
        super().__init__(*args, **kwargs)
        default = ", ".join(str(day) for day in settings.REMINDER_LEAD_DAYS)
        self.fields["lead_days"].widget.attrs["placeholder"] = default
        self.fields["lead_days"].help_text = _(
            "Whole days from 1 to 90, at most five, separated by commas. "
            "Leave empty for the default: %(default)s."
        ) % {"default": default}
        self.fields["time_zone"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_lead_days(self) -> list[int]:
        text = self.cleaned_data["lead_days"].strip()
        values = [value for value in SEPARATORS.split(text) if value]
        if not all(value.isdecimal() for value in values):
            raise forms.ValidationError(
                _("Give whole days separated by commas, e.g. 14, 3."), code="invalid"
            )
        return [int(value) for value in values]

    def muted_kinds(self) -> list[str]:
        """The kinds left unticked: those the address does not want."""
        wanted = set(self.cleaned_data["kinds"])
        return [kind for kind in Kind.values if kind not in wanted]

    def kind_groups(self) -> list[tuple[str, list]]:
        """The checkboxes by group, for the template: [(legend, [(checkbox, help)])]."""
        boxes = {box.data["value"]: box for box in self["kinds"]}
        return [
            (legend, [(boxes[kind.value], KIND_HELP[kind]) for kind in kinds])
            for legend, kinds in KIND_GROUPS
        ]
