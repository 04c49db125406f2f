"""People and organizations pages.

Access follows actionplans.permissions: a person the user may not see answers
404; adding and editing answer 403 to anyone who may not manage people, before
any lookup, so that the answer never depends on whether the object exists.
An organization is edited only by administrators and the coordinators of every
plan that names its people (permissions.can_edit_organization): 403 otherwise.

Counts of action points only cover plans the user may see: a count that
included hidden plans would reveal that they exist. So do the plans shown
beside each person (what tells two namesakes apart).

A person added here is recorded as added by the user (Person.created_by): the
rule by which coordinators see and edit the people they add before they are
named in a plan.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actionplans.choices import FocalPointRole
from actionplans.models import ActionPlan, ActionPoint, FocalPoint, WorkingGroup
from actionplans.permissions import (
    attach_named_plans,
    can_edit_organization,
    can_edit_person,
    can_manage_people,
    can_manage_webhooks,
    is_admin,
    require,
    require_organization_edit,
    visible_organizations,
    visible_people,
)
from actionplans.querysets import WORKSHOP_ORDER, open_condition, overdue_condition
from orgs.filtersets import OrganizationFilterSet, PersonFilterSet
from orgs.forms import ApiTokenForm, OrganizationForm, PersonForm
from orgs.models import ApiToken, Person
from orgs.services import (
    api_token_issue,
    api_token_revoke,
    organization_create,
    organization_update,
    person_create,
    person_update,
)
from pim_tracker.errors import add_to_form
from pim_tracker.http import posted
from pim_tracker.text import isolate

PAGE_SIZE = 50


def _require_manage_people(user) -> None:
    require(
        can_manage_people(user),
        _("Only coordinators and administrators can add or change people and organizations."),
    )


def _with_action_point_counts(user, people: list[Person]) -> list[Person]:
    """Sets each person's open and overdue action points as a focal point, in the
    plans the user may see: one grouped query for the people shown (a subquery in
    the list's SQL would run for every visible person before the page is cut).
    A person is a focal point at most once per action point, so counting focal
    points counts action points."""
    counts = {
        row["person_id"]: row
        for row in FocalPoint.objects.filter(
            open_condition("action_point__"),
            person__in=[person.pk for person in people],
            action_point__in=ActionPoint.objects.visible_to(user),
        )
        .order_by()
        .values("person_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=overdue_condition(timezone.localdate(), "action_point__")),
        )
    }
    for person in people:
        row = counts.get(person.pk, {})
        person.open_action_points = row.get("open", 0)
        person.overdue_action_points = row.get("overdue", 0)
    return people


def _people_count(user) -> Coalesce:
    """People of each organization that the user may see."""
    counts = (
        Person.objects.filter(organization=OuterRef("pk"), pk__in=visible_people(user).values("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def _person_action_points(user, person: Person) -> list:
    """The person's action points in visible plans, overdue first, then by due date."""
    role = FocalPoint.objects.filter(action_point=OuterRef("pk"), person=person).values("role")[:1]
    action_points = list(
        ActionPoint.objects.visible_to(user)
        .filter(focal_points__person=person)
        .select_related("challenge__working_group__plan")
        .with_flags(timezone.localdate())
        .annotate(role=Subquery(role))
        .order_by(
            "-is_overdue",
            F("due_date").asc(nulls_last=True),
            "challenge__working_group__plan__title",
            *WORKSHOP_ORDER,
        )
    )
    for action_point in action_points:
        action_point.role_label = FocalPointRole(action_point.role).label
    return action_points


# --- people ----------------------------------------------------------------------


@require_safe
def person_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    people = visible_people(user).select_related("organization")
    filterset = PersonFilterSet(request.GET, queryset=people, request=request)
    page_obj = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Counts and plans (what tells namesakes apart): one query each for the page.
    shown = attach_named_plans(user, list(page_obj.object_list))
    page_obj.object_list = _with_action_point_counts(user, shown)
    return render(
        request,
        "orgs/person_list.html",
        {
            "nav": "people",
            "filterset": filterset,
            "page_obj": page_obj,
            "can_manage": can_manage_people(user),
        },
    )


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = get_object_or_404(visible_people(user).select_related("organization", "user"), pk=pk)
    attach_named_plans(user, [person])
    # Membership through a subquery, not a join, so a leader who is also a
    # member of the group is listed once without DISTINCT.
    groups = (
        WorkingGroup.objects.filter(
            Q(team_leader=person) | Q(pk__in=person.working_groups.values("pk")),
            plan__in=ActionPlan.objects.visible_to(user),
        )
        .select_related("plan")
        .order_by("plan__title", "plan_id", "number")
    )
    return render(
        request,
        "orgs/person_detail.html",
        {
            "nav": "people",
            "person": person,
            "groups": groups,
            "action_points": _person_action_points(user, person),
            "can_manage": can_manage_people(user),
            "can_edit": can_edit_person(user, person),
            "show_account": is_admin(user),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def person_add(request: HttpRequest) -> HttpResponse:
    _require_manage_people(request.user)
    form = PersonForm(posted(request), user=request.user)
    if form.is_valid():
        try:
            person = person_create(**form.cleaned_data, created_by=request.user)
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": isolate(person.name)})
            return redirect("orgs:person_detail", pk=person.pk)
    return render(request, "orgs/person_form.html", {"nav": "people", "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage_people(request.user)
    person = get_object_or_404(visible_people(request.user), pk=pk)
    require(
        can_edit_person(request.user, person),
        _("Only administrators and the coordinators of this person's plans can edit them."),
    )
    # Read before binding: a rejected form leaves its input on the instance.
    saved_name = person.name
    form = PersonForm(posted(request), instance=person, user=request.user)
    if form.is_valid():
        try:
            person = person_update(person=person, **form.cleaned_data)
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": isolate(person.name)})
            return redirect("orgs:person_detail", pk=person.pk)
    return render(
        request,
        "orgs/person_form.html",
        {"nav": "people", "form": form, "person": person, "saved_name": saved_name},
    )


# --- organizations ---------------------------------------------------------------


@require_safe
def organization_list(request: HttpRequest) -> HttpResponse:
    organizations = visible_organizations(request.user).annotate(
        people_count=_people_count(request.user)
    )
    filterset = OrganizationFilterSet(request.GET, queryset=organizations, request=request)
    page_obj = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/organization_list.html",
        {
            "nav": "organizations",
            "filterset": filterset,
            "page_obj": page_obj,
            "can_manage": can_manage_people(request.user),
        },
    )


@require_safe
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    organization = get_object_or_404(visible_organizations(user), pk=pk)
    people: QuerySet[Person] = visible_people(user).filter(organization=organization)
    # Distinct action points: two people of one organization may share one.
    totals = (
        ActionPoint.objects.visible_to(user)
        .filter(focal_points__person__in=people.values("pk"))
        .aggregate(
            open=Count("pk", filter=open_condition(), distinct=True),
            overdue=Count("pk", filter=overdue_condition(timezone.localdate()), distinct=True),
        )
    )
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "nav": "organizations",
            "organization": organization,
            "people": _with_action_point_counts(user, list(people)),
            "totals": totals,
            "can_manage": can_manage_people(user),
            "can_edit": can_edit_organization(user, organization),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def organization_add(request: HttpRequest) -> HttpResponse:
    _require_manage_people(request.user)
    form = OrganizationForm(posted(request))
    if form.is_valid():
        try:
            organization = organization_create(**form.cleaned_data)
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": organization.name})
            return redirect("orgs:organization_detail", pk=organization.pk)
    return render(request, "orgs/organization_form.html", {"nav": "organizations", "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage_people(request.user)
    organization = get_object_or_404(visible_organizations(request.user), pk=pk)
    # A change shows in every plan that names its people: their coordinators decide.
    require_organization_edit(request.user, organization)
    saved_name = organization.name
    form = OrganizationForm(posted(request), instance=organization)
    if form.is_valid():
        try:
            organization = organization_update(organization=organization, **form.cleaned_data)
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": organization.name})
            return redirect("orgs:organization_detail", pk=organization.pk)
    return render(
        request,
        "orgs/organization_form.html",
        {
            "nav": "organizations",
            "form": form,
            "organization": organization,
            "saved_name": saved_name,
        },
    )


# --- API tokens ------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def apitoken_list(request: HttpRequest) -> HttpResponse:
    """Your API tokens: issue one (its key is shown once), see when each was last used."""
    form = ApiTokenForm(posted(request))
    new_key = None
    if form.is_valid():
        try:
            _token, new_key = api_token_issue(
                user=request.user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"],
            )
        except ValidationError as error:  # e.g. a control character in the name
            add_to_form(form, error)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "orgs/apitoken_list.html",
        {
            "nav": "tokens",
            "form": form,
            "new_key": new_key,
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created", "-id"),
            "can_manage_webhooks": can_manage_webhooks(request.user),
        },
    )


@require_POST
def apitoken_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only your own tokens: someone else's is "not found", not "forbidden".
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token)
    messages.success(request, _("Token %(token)s revoked: it no longer works.") % {"token": token})
    return redirect("orgs:apitoken_list")
