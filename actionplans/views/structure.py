"""Pages that change a plan's structure: working groups and challenges, and the
order and deletion of groups, challenges and action points."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from actionplans import permissions as perms
from actionplans import selectors, services
from actionplans.forms import (
    ChallengeForm,
    DeleteForm,
    PeopleReading,
    WorkingGroupForm,
    carried,
)
from actionplans.models import ActionPlan, ActionPoint, Challenge
from actionplans.views.counts import consequence_lines
from orgs.models import Person
from pim_tracker.errors import add_to_form, as_lines
from pim_tracker.http import posted
from pim_tracker.text import isolate


def _read_group_people(request: HttpRequest, plan: ActionPlan, form: WorkingGroupForm):
    """(reading, confirm): who the leader and members are once the form is valid, and
    whether the user must confirm it first. (None, False) when there is nothing to
    save yet: a GET, invalid input, or the user chose to edit from the confirmation."""
    if request.method != "POST" or request.POST.get("people_step") == "edit":
        return None, False
    if not form.is_valid():
        return None, False
    reading = form.reading(request.user, plan)
    if not reading.resolve():
        return None, False
    return reading, not reading.confirmed(request.POST)


def _group_people(reading: PeopleReading) -> tuple[Person | None, list[Person]]:
    leaders = reading.people("team_leader")
    return (leaders[0] if leaders else None), reading.people("team_members")


@require_http_methods(["GET", "POST"])
def workinggroup_add(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = perms.get_plan_or_404(request.user, plan_pk)
    perms.require_plan_edit(request.user, plan)
    form = WorkingGroupForm(posted(request), plan=plan)
    reading, confirm = _read_group_people(request, plan, form)
    if reading is not None and not confirm:
        try:
            with transaction.atomic():
                reading.save_people(request.user)
                leader, members = _group_people(reading)
                group = services.working_group_create(
                    plan=plan,
                    number=form.cleaned_data["number"],
                    name=form.cleaned_data["name"],
                    team_leader=leader,
                    team_members=members,
                    created_by=request.user,
                )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("%(group)s added.") % {"group": isolate(group)})
            return redirect(f"{plan.get_absolute_url()}#group-{group.pk}")
    return _structure_form(request, plan, form, _("Add a working group"), reading, confirm)


@require_http_methods(["GET", "POST"])
def workinggroup_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = perms.get_group_or_404(request.user, pk)
    plan = group.plan
    perms.require_plan_edit(request.user, plan)
    members = selectors.team_members_in_order([group.pk])[group.pk]
    initial = {
        "number": group.number,
        "name": group.name,
        "team_leader": group.team_leader.name if group.team_leader else "",
        "team_leader_person": str(group.team_leader_id or ""),
        "team_members": ", ".join(p.name for p in members),
        "team_members_people": " ".join(str(p.pk) for p in members),
    }
    form = WorkingGroupForm(posted(request), initial=initial, plan=plan)
    reading, confirm = _read_group_people(request, plan, form)
    if reading is not None and not confirm:
        try:
            with transaction.atomic():
                reading.save_people(request.user)
                leader, members = _group_people(reading)
                services.working_group_update(
                    group=group,
                    user=request.user,
                    name=form.cleaned_data["name"],
                    number=form.cleaned_data["number"] or group.number,
                    team_leader=leader,
                    team_members=members,
                )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("%(group)s saved.") % {"group": isolate(group)})
            return redirect(f"{plan.get_absolute_url()}#group-{group.pk}")
    title = _("Edit %(group)s") % {"group": isolate(group)}
    return _structure_form(request, plan, form, title, reading, confirm)


@require_http_methods(["GET", "POST"])
def challenge_add(request: HttpRequest, group_pk: int) -> HttpResponse:
    group = perms.get_group_or_404(request.user, group_pk)
    perms.require_plan_edit(request.user, group.plan)
    form = ChallengeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.challenge_create(
                working_group=group,
                number=form.cleaned_data["number"],
                description=form.cleaned_data["description"],
                created_by=request.user,
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _("Challenge %(number)s added to %(group)s.")
                % {"number": challenge.number, "group": group},
            )
            return redirect(f"{group.plan.get_absolute_url()}#challenge-{challenge.pk}")
    title = _("Add a challenge to %(group)s") % {"group": isolate(group)}
    return _structure_form(request, group.plan, form, title)


@require_http_methods(["GET", "POST"])
def challenge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = perms.get_challenge_or_404(request.user, pk)
    plan = challenge.working_group.plan
    perms.require_plan_edit(request.user, plan)
    form = ChallengeForm(
        posted(request),
        initial={"number": challenge.number, "description": challenge.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_update(
                challenge=challenge,
                user=request.user,
                description=form.cleaned_data["description"],
                number=form.cleaned_data["number"] or challenge.number,
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request, _("Challenge %(number)s saved.") % {"number": challenge.number}
            )
            return redirect(f"{plan.get_absolute_url()}#challenge-{challenge.pk}")
    title = _("Edit challenge %(number)s") % {"number": challenge.number}
    return _structure_form(request, plan, form, title)


def _structure_form(
    request: HttpRequest,
    plan: ActionPlan,
    form,
    title: str,
    reading: PeopleReading | None = None,
    confirm: bool = False,
) -> HttpResponse:
    context = {
        "nav": "plans",
        "plan": plan,
        "form": form,
        "title": title,
        "people_names": selectors.plan_people_names(plan=plan),
    }
    if confirm:
        context |= {"confirmation": reading, "carried": carried(request.POST)}
    return render(request, "actionplans/structure_form.html", context)


_MOVABLE = {
    "group": (perms.get_group_or_404, lambda o: o.plan, "group"),
    "challenge": (perms.get_challenge_or_404, lambda o: o.working_group.plan, "challenge"),
    "actionpoint": (perms.get_action_point_or_404, lambda o: o.challenge.working_group.plan, "ap"),
}


def _move(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    getter, plan_of, anchor = _MOVABLE[kind]
    obj = getter(request.user, pk)
    plan = plan_of(obj)
    perms.require_plan_edit(request.user, plan)
    try:
        services.sibling_move(
            obj=obj, direction=request.POST.get("direction", ""), user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(as_lines(error)))
    return redirect(f"{plan.get_absolute_url()}#{anchor}-{obj.pk}")


@require_POST
def workinggroup_move(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, "group", pk)


@require_POST
def challenge_move(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, "challenge", pk)


def _delete(request: HttpRequest, delete, plan: ActionPlan, label: str, consequences: list[str]):
    """Confirm, then delete through the service `delete` (a closed plan refuses)."""
    form = DeleteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            delete()
        except ValidationError as error:
            messages.error(request, " ".join(as_lines(error)))
        else:
            messages.success(
                request, _("Deleted %(object)s. Its history is kept.") % {"object": label}
            )
        return redirect(plan)
    return render(
        request,
        "actionplans/confirm_delete.html",
        {
            "nav": "plans",
            "form": form,
            "plan": plan,
            "object_label": label,
            "consequences": consequences,
            "cancel_url": plan.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
def workinggroup_delete(request: HttpRequest, pk: int) -> HttpResponse:
    group = perms.get_group_or_404(request.user, pk)
    perms.require_plan_edit(request.user, group.plan)
    points = ActionPoint.objects.filter(challenge__working_group=group)
    return _delete(
        request,
        lambda: services.working_group_delete(group=group, user=request.user),
        group.plan,
        _("“%(group)s”") % {"group": isolate(group)},
        consequence_lines(challenges=group.challenges.count(), action_points=points.count()),
    )


@require_http_methods(["GET", "POST"])
def challenge_delete(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = perms.get_challenge_or_404(request.user, pk)
    plan = challenge.working_group.plan
    perms.require_plan_edit(request.user, plan)
    return _delete(
        request,
        lambda: services.challenge_delete(challenge=challenge, user=request.user),
        plan,
        _("challenge %(number)s of %(group)s")
        % {"number": challenge.number, "group": isolate(challenge.working_group)},
        consequence_lines(action_points=challenge.action_points.count()),
    )


@require_POST
def actionpoint_move(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, "actionpoint", pk)


@require_http_methods(["GET", "POST"])
def actionpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    point = perms.get_action_point_or_404(request.user, pk)
    plan = point.challenge.working_group.plan
    perms.require_plan_edit(request.user, plan)
    return _delete(
        request,
        lambda: services.action_point_delete(action_point=point, user=request.user),
        plan,
        _("the action point “%(point)s”") % {"point": isolate(point)},
        consequence_lines(
            focal_points=point.focal_points.count(),
            progress_updates=point.progress_updates.count(),
            deadline_changes=point.deadline_changes.count(),
        ),
    )


class MoveToChallengeForm(forms.Form):
    """Where to move an action point: one of its plan's challenges, by group."""

    challenge = forms.TypedChoiceField(label=gettext_lazy("Challenge"), coerce=int)

    def __init__(self, *args, point: ActionPoint, plan: ActionPlan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.point = point
        challenges = Challenge.objects.filter(working_group__plan=plan).select_related(
            "working_group"
        )
        self.challenges = {c.pk: c for c in challenges}
        groups: dict = {}
        for c in sorted(challenges, key=lambda c: (c.working_group.number, c.number)):
            groups.setdefault(str(c.working_group), []).append(
                (c.pk, f"{c.number}. {c.description}")
            )
        self.fields["challenge"].choices = list(groups.items())
        self.fields["challenge"].initial = point.challenge_id

    def clean_challenge(self) -> Challenge:
        challenge = self.challenges[self.cleaned_data["challenge"]]
        if challenge.pk == self.point.challenge_id:
            raise ValidationError(_("The action point is already under this challenge."))
        return challenge


@require_http_methods(["GET", "POST"])
def actionpoint_move_to(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an action point to another challenge of its plan (at its end)."""
    point = perms.get_action_point_or_404(request.user, pk)
    plan = point.challenge.working_group.plan
    perms.require_plan_edit(request.user, plan)
    form = MoveToChallengeForm(posted(request), point=point, plan=plan)
    if request.method == "POST" and form.is_valid():
        challenge = form.cleaned_data["challenge"]
        try:
            services.action_point_update(action_point=point, user=request.user, challenge=challenge)
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _("Action point moved to challenge %(number)s of %(group)s.")
                % {"number": challenge.number, "group": isolate(challenge.working_group)},
            )
            return redirect(f"{plan.get_absolute_url()}#ap-{point.pk}")
    return render(
        request,
        "actionplans/actionpoint_move_to.html",
        {"nav": "plans", "plan": plan, "point": point, "form": form},
    )
