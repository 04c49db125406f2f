"""A plan's people page: everyone the plan names, their roles in it, and their
accounts: invite a person by email, resend an invitation, link an existing
account. Coordinators and administrators only (a plan the user may not see is
404, one they see but do not coordinate 403)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from actionplans import permissions as perms
from actionplans import selectors, services
from actionplans.choices import OPEN_STATUSES
from actionplans.forms import InviteForm, LinkAccountForm
from actionplans.models import ActionPlan, FocalPoint, WorkingGroup
from actionplans.querysets import PLAN_PATH
from orgs.models import Person
from pim_tracker.errors import add_to_form, as_lines
from pim_tracker.text import isolate

# Account states shown on the page.
NO_ACCOUNT = "none"
INVITED = "invited"
ACTIVE = "active"
DISABLED = "disabled"
ACCOUNT_LABELS = {
    NO_ACCOUNT: gettext_lazy("No account"),
    INVITED: gettext_lazy("Invited, not signed in yet"),
    ACTIVE: gettext_lazy("Has an account"),
    DISABLED: gettext_lazy("Account disabled"),
}


@dataclass
class PersonRow:
    person: Person
    led: list[WorkingGroup] = field(default_factory=list)
    member_of: list[WorkingGroup] = field(default_factory=list)
    focal_points: int = 0
    open_focal_points: int = 0
    invite_form: Form | None = None
    link_form: Form | None = None

    @property
    def account(self) -> str:
        user = self.person.user
        if user is None:
            return NO_ACCOUNT
        if not user.is_active:
            return DISABLED
        return INVITED if user.last_login is None else ACTIVE

    @property
    def account_label(self) -> str:
        return str(ACCOUNT_LABELS[self.account])


def _require_coordinator(request: HttpRequest, pk: int) -> ActionPlan:
    plan = perms.get_plan_or_404(request.user, pk)
    perms.require(
        perms.can_edit_plan(request.user, plan),
        _("Only the plan's coordinators can manage its people's accounts."),
    )
    return plan


def _person_of(plan: ActionPlan, person_pk: int) -> Person:
    person = selectors.plan_people(plan=plan).select_related("user").filter(pk=person_pk).first()
    if person is None:
        raise Http404(_("No such person in this plan."))
    return person


def people_rows(plan: ActionPlan) -> list[PersonRow]:
    """Everyone the plan names, by name, with their groups and focal-point counts:
    four queries whatever the number of people."""
    people = list(
        selectors.plan_people(plan=plan)
        .select_related("organization", "user")
        .order_by("name", "id")
    )
    rows = {person.pk: PersonRow(person) for person in people}
    groups = {
        group.pk: group for group in WorkingGroup.objects.filter(plan=plan).order_by("number")
    }
    for group in groups.values():
        if group.team_leader_id in rows:
            rows[group.team_leader_id].led.append(group)
    memberships = (
        WorkingGroup.team_members.through.objects.filter(workinggroup__plan=plan)
        .order_by("workinggroup__number")
        .values_list("person_id", "workinggroup_id")
    )
    for person_id, group_id in memberships:
        if person_id in rows:
            rows[person_id].member_of.append(groups[group_id])
    counts = (
        FocalPoint.objects.filter(**{f"action_point__{PLAN_PATH}": plan})
        .order_by()
        .values("person_id")
        .annotate(
            total=Count("pk"), open=Count("pk", filter=Q(action_point__status__in=OPEN_STATUSES))
        )
    )
    for row in counts:
        if row["person_id"] in rows:
            rows[row["person_id"]].focal_points = row["total"]
            rows[row["person_id"]].open_focal_points = row["open"]
    return list(rows.values())


def _page(
    request: HttpRequest, plan: ActionPlan, *, bound: PersonRow | None = None
) -> HttpResponse:
    rows = people_rows(plan)
    for row in rows:
        if bound is not None and row.person.pk == bound.person.pk:
            row.invite_form, row.link_form = bound.invite_form, bound.link_form
        if row.account == NO_ACCOUNT:
            prefix = f"p{row.person.pk}"
            row.invite_form = row.invite_form or InviteForm(
                initial={"email": row.person.email}, prefix=f"{prefix}-invite"
            )
            row.link_form = row.link_form or LinkAccountForm(prefix=f"{prefix}-link")
    counts = {state: sum(1 for row in rows if row.account == state) for state in ACCOUNT_LABELS}
    return render(
        request,
        "actionplans/plan_people.html",
        {
            "nav": "plans",
            "plan": plan,
            "rows": rows,
            "counts": counts,
        },
    )


@require_safe
def plan_people(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _require_coordinator(request, pk)
    return _page(request, plan)


def _back(plan: ActionPlan, person: Person):
    return redirect(f"{reverse('actionplans:plan_people', args=[plan.pk])}#person-{person.pk}")


@require_POST
def person_invite(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    plan = _require_coordinator(request, pk)
    person = _person_of(plan, person_pk)
    form = InviteForm(request.POST, prefix=f"p{person.pk}-invite")
    if form.is_valid():
        try:
            invitation = services.person_invite(
                plan=plan, person=person, email=form.cleaned_data["email"], invited_by=request.user
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            if invitation.sent:
                messages.success(
                    request,
                    _("Invitation sent to %(name)s at %(email)s.")
                    % {"name": isolate(person.name), "email": invitation.email},
                )
            elif invitation.email_status == "pending":  # inside a caller's transaction
                messages.success(
                    request,
                    _("Account created for %(name)s; the invitation goes to %(email)s.")
                    % {"name": isolate(person.name), "email": invitation.email},
                )
            else:
                messages.error(
                    request,
                    _(
                        "The account of %(name)s was created but the email could not be "
                        "sent: %(error)s. Use “Resend invitation” once the mail server answers."
                    )
                    % {
                        "name": isolate(person.name),
                        "error": invitation.email_error or _("unknown error"),
                    },
                )
            return _back(plan, person)
    return _page(request, plan, bound=PersonRow(person, invite_form=form))


@require_POST
def invitation_resend(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    plan = _require_coordinator(request, pk)
    person = _person_of(plan, person_pk)
    try:
        invitation = services.invitation_resend(plan=plan, person=person, sent_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(as_lines(error, with_fields=False)))
    else:
        if invitation.sent:
            messages.success(
                request,
                _("Invitation sent again to %(name)s at %(email)s.")
                % {"name": isolate(person.name), "email": invitation.email},
            )
        else:
            messages.error(
                request,
                _("The email could not be sent: %(error)s. Try again later.")
                % {"error": invitation.email_error},
            )
    return _back(plan, person)


@require_POST
def person_link_account(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    plan = _require_coordinator(request, pk)
    person = _person_of(plan, person_pk)
    form = LinkAccountForm(request.POST, prefix=f"p{person.pk}-link")
    if form.is_valid():
        try:
            person = services.person_link_account(
                plan=plan,
                person=person,
                account=form.cleaned_data["account"],
                linked_by=request.user,
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now linked to the account “%(username)s”.")
                % {"name": isolate(person.name), "username": person.user.get_username()},
            )
            return _back(plan, person)
    return _page(request, plan, bound=PersonRow(person, link_form=form))
