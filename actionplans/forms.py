"""Forms of the plan pages. They validate input; the services (actionplans/services/) write."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from actionplans import directory, permissions
from actionplans.choices import (
    ActionPointStatus,
    FocalPointRole,
    PimCategory,
    PimPrinciple,
    PimProcessStep,
    PlanVisibility,
    Priority,
)
from actionplans.imports.decode import check_size
from actionplans.models import ActionPlan, ActionPoint
from actionplans.parsing import (
    FOCAL_POINTS_MAX_LENGTH,
    FocalPointEntry,
    deadline_examples,
    parse_deadline,
    parse_focal_points,
)
from actionplans.services.invitations import find_account
from orgs.matching import check_name, match_key
from orgs.models import Organization, Person
from orgs.services import organization_get_or_create, person_create, person_update


def _deadline_help() -> str:
    return gettext("As people write it, e.g. %(examples)s.") % {"examples": deadline_examples()}


# A help text built when the forms are defined, read in the language of the page.
DEADLINE_HELP = lazy(_deadline_help, str)()


def _deadline_field(label: str | None = None, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label or gettext_lazy("Deadline"),
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
    """A plan's own fields and its coordinators. The accounts offered are the people
    of the user's operation (permissions.coordinator_choices), not every account;
    anyone else is added by typing their username or email."""

    coordinators = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=gettext_lazy(
            "Accounts that may change the whole plan. You are added when you create it."
        ),
    )
    add_coordinator = forms.CharField(
        label=gettext_lazy("Add a coordinator"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "The username or email address of an account that is not listed above."
        ),
    )

    class Meta:
        model = ActionPlan
        fields = ["title", "country", "origin", "status", "visibility", "coordinators"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        plan = self.instance if self.instance.pk else None
        self.fields["coordinators"].queryset = permissions.coordinator_choices(user, plan)

    def clean(self) -> dict:
        cleaned = super().clean()
        typed = cleaned.get("add_coordinator", "").strip()
        if typed and "coordinators" in cleaned:
            try:
                account = find_account(typed)
            except ValidationError as error:
                self.add_error("add_coordinator", error.message_dict["account"])
            else:
                chosen = list(cleaned["coordinators"])
                if account not in chosen:
                    chosen.append(account)
                cleaned["coordinators"] = chosen
        return cleaned


# --- typing people: names, workshop text, suggestions ------------------------------
#
# The focal-point and team fields take a name, a person picked among the suggestions
# (their id in a hidden field beside the name), or text as workshops write it
# ("Fanette (Fred can advise)", "Rana, Omar", "UNHCR (Jad)"), read by the importer's
# parser (actionplans.parsing.parse_focal_points). PeopleReading then tells who each
# name is within the plan's operation (actionplans.directory) and what the user
# confirms before anything is saved. Nothing here writes until save_people(), which
# the views call inside the transaction of the change the people are for.

NEW_PERSON = "new"
PICKED_UNKNOWN = gettext_lazy(
    "The person picked is not among the people you may see: "
    "type the name again and pick from the suggestions."
)
PICKED_INVALID = gettext_lazy("Pick the person again from the suggestions.")


def _checked_name(name: str) -> str:
    """orgs.matching.check_name, with its message for the field that holds the name."""
    try:
        return check_name(name)
    except ValidationError as error:
        raise ValidationError(error.messages) from None


def _refuse_control_characters(text: str) -> None:
    """A character check_name refuses in a name is refused anywhere in the text; line
    breaks and tabs excepted (a list may write one name a line)."""
    for character in sorted(set(text) - set("\r\n\t")):
        _checked_name("x" + character)


def read_people(
    text: str, *, role: str = FocalPointRole.LEAD, note: str = "", several: bool = False
) -> tuple[list[FocalPointEntry], bool]:
    """The people a typed text names, and whether it was workshop text.

    The importer's parser reads the text; every name passes check_name. A plain name
    keeps the role and note chosen beside it; text that names several people, or
    writes roles, organizations or remarks, is workshop text, which the user
    confirms: its people have the roles it writes (in a list the first leads, the
    others support), the note chosen beside it goes to the first. `several`: a
    field that lists names (team members), where commas alone are no reason to ask.
    """
    _refuse_control_characters(text)
    text = text.strip()
    if not text:
        return [], False
    try:
        entries = parse_focal_points(text)
    except ValidationError as error:
        raise ValidationError(error.messages) from None
    if not entries:
        _checked_name(text)  # says what is wrong: no letters
        raise ValidationError(gettext('No name can be read in "%(text)s".') % {"text": text})
    entries = [entry._replace(name=_checked_name(entry.name)) for entry in entries]
    if several:
        written = "(" in text or any(entry.organization or entry.note for entry in entries)
        return [entry._replace(role="") for entry in entries], written
    first = entries[0]
    if len(entries) == 1:
        if not first.organization and not first.note and match_key(first.name) == match_key(text):
            return [FocalPointEntry(first.name, role, None, note.strip())], False
        # One person: the role written ("Rana (support)"), else the one chosen beside
        # it (a lead is the parser's default: the choice beside the text decides).
        if first.role == FocalPointRole.LEAD:
            first = first._replace(role=role)
    if note.strip():
        first = first._replace(note="; ".join(filter(None, [first.note, note.strip()])))
    return [first, *entries[1:]], True


def _picked_ids(value: str) -> set[int]:
    """The ids in a hidden "picked" field: digits separated by spaces."""
    words = (value or "").split()
    if not all(word.isdigit() and len(word) < 12 for word in words):
        raise ValidationError(PICKED_INVALID)
    return {int(word) for word in words}


class _Suggesting:
    """A people field that suggests people as one types: htmx asks /people/suggest/
    (attributes added here), static/js/people-typing.js adds the keyboard, the
    picking and the ARIA combobox. Without JavaScript, a text field (with the
    plan's people in the page's datalist)."""

    mode = "one"
    plan_id: int | None = None
    person_input = ""

    def configure(self, *, plan: ActionPlan, person_input: str) -> None:
        self.plan_id, self.person_input = plan.pk, person_input

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        input_id = attrs.get("id", "")
        if self.plan_id is not None and input_id:
            url = reverse("actionplans:people_suggest")
            attrs |= {
                "data-people-suggest": url,
                "data-people-mode": self.mode,
                "data-person-input": self.person_input,
                "hx-get": url,
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{input_id}-suggestions",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "hx-vals": json.dumps({"plan": self.plan_id, "for": input_id}),
            }
        html = super().render(name, value, attrs, renderer)
        return format_html(
            '<span class="people-field">{}<ul class="people-suggestions" id="{}-suggestions" '
            'role="listbox" aria-label="{}" hidden></ul></span>',
            html,
            input_id,
            gettext("People already in the directory"),
        )


class PeopleInput(_Suggesting, forms.TextInput):
    def __init__(self, attrs=None) -> None:
        super().__init__({"list": "plan-people", "autocomplete": "off", **(attrs or {})})


class PeopleTextarea(_Suggesting, forms.Textarea):
    mode = "list"


@dataclass(eq=False)
class Named:
    """One person a people field names: as written, and who they are."""

    form: forms.Form
    field_name: str
    label: str  # where it was written: "Focal point 1", "Team leader", "Team members"
    slot: str  # the name of its choice on the confirmation step
    entry: FocalPointEntry
    written: bool  # read from workshop text
    picked_ids: set[int]
    person: Person | None = None
    # Namesakes: of the plan's operation (several: the user must choose), or
    # elsewhere (a suggestion; a new person unless the user picks one).
    candidates: list[Person] = dataclass_field(default_factory=list)
    in_operation: bool = False
    # The candidates with the plans they are named in (what tells namesakes apart).
    options: list[tuple[Person, list[ActionPlan]]] = dataclass_field(default_factory=list)
    choice: str = ""
    error: str = ""

    @property
    def key(self) -> str:
        return match_key(self.entry.name)

    @property
    def asks(self) -> bool:
        return self.person is None and bool(self.candidates)

    @property
    def must_choose(self) -> bool:
        return self.asks and self.in_operation

    @property
    def is_new(self) -> bool:
        return self.person is None and not self.candidates

    @property
    def role_label(self) -> str:
        return FocalPointRole(self.entry.role).label if self.entry.role else ""

    @property
    def default_choice(self) -> str:
        return self.choice or ("" if self.must_choose else NEW_PERSON)


class PeopleReading:
    """Who the people fields of one form name, in the plan's operation.

    A person picked among the suggestions is that person; otherwise a name is
    matched by orgs.matching.match_key among the people the user may see: one of
    the plan's operation is that person, several are a choice, none is a new
    person (namesakes elsewhere are offered, never taken silently). Workshop text
    and choices are confirmed by the user before saving.
    """

    def __init__(self, user, plan: ActionPlan) -> None:
        self.user, self.plan = user, plan
        self.named: list[Named] = []
        self.stale = False

    def add(self, form, field_name: str, label: str, entries, *, written, picked, slot) -> None:
        for index, entry in enumerate(entries):
            self.named.append(
                Named(form, field_name, label, f"{slot}-{index}", entry, written, set(picked))
            )

    def resolve(self) -> bool:
        """Find who each name is (two or three queries); False when a field got an
        error: a picked id of nobody the user may see."""
        picked = directory.visible_by_id(self.user, {i for n in self.named for i in n.picked_ids})
        refused = {(n.form, n.field_name) for n in self.named if n.picked_ids - picked.keys()}
        for form, field_name in refused:
            form.add_error(field_name, PICKED_UNKNOWN)
        if refused:
            return False
        pending = []
        for named in self.named:
            same = [picked[i] for i in sorted(named.picked_ids) if picked[i].match_key == named.key]
            if same:
                named.person = same[0]
            else:
                pending.append(named)
        found = directory.namesakes(self.user, [n.entry.name for n in pending], plan=self.plan)
        for named in pending:
            people = found.get(named.key, [])
            ours = [person for person in people if person.in_operation]
            if len(ours) == 1:
                named.person = ours[0]
            else:
                named.candidates, named.in_operation = ours or people, bool(ours)
        shown = {person.pk for named in self.named for person in named.candidates}
        plans = directory.plans_named_in(self.user, shown) if shown else {}
        for named in self.named:
            named.options = [(person, plans.get(person.pk, [])) for person in named.candidates]
        return True

    @property
    def needs_confirmation(self) -> bool:
        return any(named.written or named.asks for named in self.named)

    @property
    def digest(self) -> str:
        """What the user confirms: the same text read the same way, with the same namesakes."""
        facts = [
            [
                n.slot,
                *n.entry,
                n.person.pk if n.person else None,
                [person.pk for person in n.candidates],
            ]
            for n in self.named
        ]
        return hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:32]

    def confirmed(self, data) -> bool:
        """Whether to save now: nothing to confirm, or the user confirmed this very
        reading, with a choice for each name that asks one."""
        if not self.needs_confirmation:
            return True
        if data.get("people_step") != "confirm":
            return False
        if data.get("people_digest") != self.digest:
            self.stale = True
            return False
        complete = True
        for named in self.named:
            if not named.asks:
                continue
            named.choice = data.get(f"who-{named.slot}", "")
            if named.choice not in {NEW_PERSON} | {str(p.pk) for p in named.candidates}:
                named.choice = ""
                named.error = gettext("Choose who %(name)s is.") % {"name": named.entry.name}
                complete = False
        return complete

    def save_people(self, created_by) -> None:
        """Give each name its person, creating the new ones through orgs.services
        (created_by: the user). Call it inside the transaction of the change."""
        created: dict[str, Person] = {}
        organizations: dict[str, Organization] = {}

        def organization(name: str) -> Organization:
            if name not in organizations:
                organizations[name] = organization_get_or_create(name=name)
            return organizations[name]

        for named in self.named:
            org_name = named.entry.organization
            if named.person is None and named.choice not in ("", NEW_PERSON):
                named.person = next(p for p in named.candidates if str(p.pk) == named.choice)
            elif named.person is None:
                named.person = created.get(named.key)
                if named.person is None:
                    named.person = created[named.key] = person_create(
                        name=named.entry.name,
                        organization=organization(org_name) if org_name else None,
                        created_by=created_by,
                    )
                continue
            if org_name and named.person.organization_id is None:
                person_update(person=named.person, organization=organization(org_name))

    def people(self, field_name: str) -> list[Person]:
        """The people of one field, in the order written (after save_people)."""
        return [n.person for n in self.named if n.field_name == field_name and n.person]

    @property
    def groups(self) -> list[tuple[str, list[Named]]]:
        """The names by the field they were written in, for the confirmation."""
        groups: dict[str, list[Named]] = {}
        for named in self.named:
            groups.setdefault(named.label, []).append(named)
        return list(groups.items())


def carried(data) -> list[tuple[str, str]]:
    """The posted form, carried through the confirmation step in hidden fields."""
    skipped = {"csrfmiddlewaretoken", "people_step", "people_digest"}
    return [
        (key, value)
        for key, values in data.lists()
        if key not in skipped and not key.startswith("who-")
        for value in values
    ]


class WorkingGroupForm(forms.Form):
    """Leader and members are typed as names, the way plans list them, or picked
    among the suggestions (their ids in the hidden fields beside them)."""

    number = forms.IntegerField(
        label=gettext_lazy("Number"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=gettext_lazy("Leave empty to add it after the last group."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    team_leader = forms.CharField(
        label=gettext_lazy("Team leader"),
        required=False,
        max_length=FOCAL_POINTS_MAX_LENGTH,
        widget=PeopleInput(),
        help_text=gettext_lazy("A name; someone new is added to the plan's people."),
    )
    team_leader_person = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    team_members = forms.CharField(
        label=gettext_lazy("Team members"),
        required=False,
        max_length=2000,
        widget=PeopleTextarea(attrs={"rows": 2}),
        help_text=gettext_lazy('Names separated by commas, e.g. "Rana, Omar, Maria, Fred, Jad".'),
    )
    team_members_people = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    PEOPLE_FIELDS = {"team_leader": "team_leader_person", "team_members": "team_members_people"}

    def __init__(self, *args, plan: ActionPlan | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.read: dict[str, tuple[list[FocalPointEntry], bool, set[int]]] = {}
        if plan is not None:
            for field, picked_field in self.PEOPLE_FIELDS.items():
                self.fields[field].widget.configure(
                    plan=plan, person_input=self[picked_field].auto_id
                )

    def clean(self) -> dict:
        data = super().clean()
        for field, picked_field in self.PEOPLE_FIELDS.items():
            if field not in data:
                continue
            try:
                picked = _picked_ids(data.get(picked_field, ""))
                entries, written = read_people(data[field], several=field == "team_members")
            except ValidationError as error:
                self.add_error(field, error)
                continue
            if field == "team_leader" and len(entries) > 1:
                message = gettext("A group has one team leader: name the others as team members.")
                self.add_error(field, message)
                continue
            self.read[field] = ([e._replace(role="") for e in entries], written, picked)
        return data

    def reading(self, user, plan: ActionPlan) -> PeopleReading:
        """Who the leader and members are (call when the form is valid)."""
        reading = PeopleReading(user, plan)
        for field in self.PEOPLE_FIELDS:
            entries, written, picked = self.read.get(field, ([], False, set()))
            label = str(self.fields[field].label)
            reading.add(self, field, label, entries, written=written, picked=picked, slot=field)
        return reading


class ChallengeForm(forms.Form):
    number = forms.IntegerField(
        label=gettext_lazy("Number"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=gettext_lazy("Leave empty to add it after the last challenge."),
    )
    description = forms.CharField(
        label=gettext_lazy("Challenge"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FocalPointForm(forms.Form):
    """One row of focal points: a name (or workshop text naming several people), the
    person picked among the suggestions (hidden), a role and a note."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        required=False,
        max_length=FOCAL_POINTS_MAX_LENGTH,
        widget=PeopleInput(),
    )
    person = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=FocalPointRole.choices, initial=FocalPointRole.LEAD
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200)

    def __init__(self, *args, plan: ActionPlan | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.entries: list[FocalPointEntry] = []
        self.written = False
        self.picked: set[int] = set()
        if plan is not None:
            self.fields["name"].widget.configure(plan=plan, person_input=self["person"].auto_id)

    def clean(self) -> dict:
        data = super().clean()
        if self.has_error("name") or self.has_error("role"):
            return data
        text, note = data.get("name", ""), data.get("note", "")
        try:
            self.picked = _picked_ids(data.get("person", ""))
            if text.strip():
                self.entries, self.written = read_people(text, role=data["role"], note=note or "")
            elif note and not self.picked:
                # A new row with a note and no name (an emptied row of a focal
                # point removes them, note and all).
                raise ValidationError(gettext("A person needs a name."))
        except ValidationError as error:
            self.add_error("name", error)
        return data


class BaseFocalPointFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            for entry in form.entries:
                key = match_key(entry.name)
                if key in seen:
                    message = gettext("%(name)s is listed twice.") % {"name": entry.name}
                    form.add_error("name", message)
                    break
                seen.add(key)

    def reading(self, user, plan: ActionPlan) -> PeopleReading:
        """Who the rows name (call when the formset is valid)."""
        reading = PeopleReading(user, plan)
        for index, form in enumerate(self.forms):
            reading.add(
                form,
                "name",
                gettext("Focal point %(number)s") % {"number": index + 1},
                form.entries,
                written=form.written,
                picked=form.picked,
                slot=f"fp{index}",
            )
        return reading


FocalPointFormSet = forms.formset_factory(
    FocalPointForm, formset=BaseFocalPointFormSet, extra=2, max_num=20, validate_max=True
)


class ActionPointForm(forms.Form):
    """What an action point says and by when (coordinators)."""

    description = forms.CharField(
        label=gettext_lazy("Action point"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    deadline = _deadline_field()
    deadline_reason = forms.CharField(
        label=gettext_lazy("Why the deadline moves"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Needed when you change the deadline of an existing action point."),
    )
    # What it advances in the PIM framework, and how urgent it is (written by
    # services.action_point_classify, in the same transaction as the rest).
    # Not required: a post without it (a script, an older form) leaves it as it is.
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"),
        choices=Priority.choices,
        initial=Priority.NORMAL,
        required=False,
    )
    pim_process_step = forms.ChoiceField(
        label=gettext_lazy("PIM process step"),
        choices=[("", "—"), *PimProcessStep.choices],
        required=False,
    )
    pim_categories = forms.MultipleChoiceField(
        label=gettext_lazy("PIM categories"),
        choices=PimCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pim_principles = forms.MultipleChoiceField(
        label=gettext_lazy("PIM principles"),
        choices=PimPrinciple.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # Laid out apart, each list of checkboxes in its own fieldset (pim_fields).
    PIM_LISTS = ("pim_categories", "pim_principles")

    def __init__(self, *args, instance: ActionPoint | None = None, **kwargs) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)
        if instance is None:
            del self.fields["deadline_reason"]
            del self.fields["version"]

    @staticmethod
    def initial_of(point: ActionPoint) -> dict:
        """The form's values for an existing action point."""
        return {
            "description": point.description,
            "deadline": point.deadline,
            "version": point.version,
            "priority": point.priority,
            "pim_process_step": point.pim_process_step,
            "pim_categories": point.pim_categories,
            "pim_principles": point.pim_principles,
        }

    def visible_fields(self) -> list:
        """The fields includes/form_fields.html lists: all but the PIM lists."""
        return [field for field in super().visible_fields() if field.name not in self.PIM_LISTS]

    @property
    def pim_fields(self) -> list:
        """The PIM categories and principles, each a fieldset of checkboxes."""
        return [self[name] for name in self.PIM_LISTS]

    def classification(self) -> dict:
        """The arguments of services.action_point_classify (once the form is valid)."""
        data = self.cleaned_data
        return {
            "pim_categories": data["pim_categories"],
            "pim_principles": data["pim_principles"],
            "pim_process_step": data["pim_process_step"],
            "priority": data["priority"] or None,
        }

    def clean_deadline(self) -> str:
        return _clean_deadline(self.cleaned_data["deadline"])


class ProgressUpdateForm(forms.Form):
    """Status, progress, a note and evidence: what members report."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActionPointStatus.choices)
    progress = forms.IntegerField(
        label=gettext_lazy("Progress (%)"),
        min_value=0,
        max_value=100,
        # Any whole number: step 1, not 5 (a browser refuses to submit a form whose
        # value is off the step, even one the point already had, e.g. 33 set by API).
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
        help_text=gettext_lazy("Completing sets 100 %."),
    )
    # Completing asks what was done (services.progress_update_create checks it).
    note = forms.CharField(
        label=gettext_lazy("What was done (required to complete)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Marking it completed needs a few words on what was done."),
    )
    evidence_url = forms.URLField(
        label=gettext_lazy("Evidence link"),
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


class SendBackForm(forms.Form):
    """Send a completed action point back to in progress, saying why."""

    reason = forms.CharField(
        label=gettext_lazy("Why it goes back to in progress"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RescheduleForm(forms.Form):
    deadline = _deadline_field(gettext_lazy("New deadline"), required=False)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_deadline(self) -> str:
        return _clean_deadline(self.cleaned_data["deadline"])


class DeleteForm(forms.Form):
    """An explicit confirmation, so a stray POST deletes nothing."""

    confirm = forms.BooleanField(label=gettext_lazy("Yes, delete it and everything listed above"))


# --- import ------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        help_text=gettext_lazy("An Excel workbook (.xlsx), CSV, or tab-separated text."),
    )
    text = forms.CharField(
        label=gettext_lazy("Or paste the table"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Copy the table from the slide or the spreadsheet and paste it here."
        ),
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
            raise ValidationError(gettext("Choose a file or paste a table."))
        return data

    def content(self) -> bytes:
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read()
        return self.cleaned_data["text"].encode("utf-8")


class NewPlanForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title of the new plan"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Empty: the title line of the table."),
    )
    country = forms.CharField(label=gettext_lazy("Country"), max_length=100, required=False)
    origin = forms.CharField(
        label=gettext_lazy("Origin"),
        max_length=300,
        required=False,
        help_text=gettext_lazy(
            'The event it came from, e.g. "PIM training, Beirut, 10-13 Dec 2018".'
        ),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Visible to"),
        choices=PlanVisibility.choices,
        initial=PlanVisibility.MEMBERS,
    )


class ConfirmForm(forms.Form):
    """The import's confirmation, with who each name several people bear is."""

    NEW_PERSON = "new"

    token = forms.CharField(widget=forms.HiddenInput)
    keep_undated = forms.BooleanField(
        label=gettext_lazy("Keep unreadable deadlines as text without a date"), required=False
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
        label=gettext_lazy("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The dashboard as it stood at the end of that day. Empty: today."),
    )

    def clean_as_of(self) -> datetime.date | None:
        day = self.cleaned_data["as_of"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(gettext("Pick today or a day in the past."))
        return day


class StatusReportForm(forms.Form):
    """The day a status report starts from (exports/status_report.py); empty: 30 days ago."""

    DEFAULT_DAYS = 30

    since = forms.DateField(
        label=gettext_lazy("Changes since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("What changed from the start of that day. Empty: 30 days ago."),
    )

    def clean_since(self) -> datetime.date:
        day = self.cleaned_data["since"]
        today = timezone.localdate()
        if day is None:
            return today - datetime.timedelta(days=self.DEFAULT_DAYS)
        if day > today:
            raise forms.ValidationError(gettext("Pick today or a day in the past."))
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


class CommentForm(forms.Form):
    """A comment on an action point (services.comment_create / comment_edit)."""

    body = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "data-mentions": ""}),
        help_text=gettext_lazy(
            "Type @ and a name to mention someone of this plan: they are notified."
        ),
    )
