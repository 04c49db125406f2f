"""Filters for plans and action points, shared by the pages and the REST API.

One FilterSet per listable model, so a filter means the same thing in the
browser and over HTTP (NetBox's convention). Choice querysets are limited to
what the requesting user may see: an id of a hidden object is "not a valid
choice", exactly like an id that does not exist.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actionplans.choices import (
    ActionPointStatus,
    PimCategory,
    PimPrinciple,
    PimProcessStep,
    PimTagKind,
    PlanStatus,
    Priority,
)
from actionplans.models import ActionPlan, ActionPoint, Challenge, FocalPoint, WorkingGroup
from actionplans.permissions import my_action_points, visible_organizations, visible_people
from actionplans.querysets import PLAN_PATH, overdue_condition
from actionplans.search import matching
from orgs.models import Organization, Person


class AnyYesNo(forms.NullBooleanSelect):
    """A yes/no filter's menu: "Any", "Yes", "No" (Django's reads "Unknown" for any).
    The values stay Django's ("unknown", "true", "false"): links and the API keep working."""

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.choices = [
            # Translators: a filter's choice that does not filter, e.g. "Overdue: Any".
            ("unknown", _("Any")),
            ("true", _("Yes")),
            ("false", _("No")),
        ]


def _plans(request) -> QuerySet[ActionPlan]:
    if request is None:
        return ActionPlan.objects.none()
    return ActionPlan.objects.visible_to(request.user)


def _groups(request) -> QuerySet[WorkingGroup]:
    return WorkingGroup.objects.filter(plan__in=_plans(request)).select_related("plan")


def _challenges(request) -> QuerySet[Challenge]:
    return Challenge.objects.filter(working_group__plan__in=_plans(request))


def _people(request) -> QuerySet[Person]:
    return visible_people(request.user) if request is not None else Person.objects.none()


def _organizations(request) -> QuerySet[Organization]:
    return (
        visible_organizations(request.user) if request is not None else Organization.objects.none()
    )


class ActionPointFilterSet(django_filters.FilterSet):
    """Filters of the plan page, "my action points" and /api/v1/action-points/."""

    plan = django_filters.ModelChoiceFilter(
        field_name=PLAN_PATH, queryset=_plans, label=_("Plan"), empty_label=_("Any plan")
    )
    working_group = django_filters.ModelChoiceFilter(
        field_name="challenge__working_group",
        queryset=_groups,
        label=_("Working group"),
        empty_label=_("Any working group"),
    )
    challenge = django_filters.ModelChoiceFilter(
        queryset=_challenges, label=_("Challenge"), empty_label=_("Any challenge")
    )
    status = django_filters.MultipleChoiceFilter(
        choices=ActionPointStatus.choices, label=_("Status"), widget=forms.CheckboxSelectMultiple
    )
    focal_point = django_filters.ModelChoiceFilter(
        field_name="focal_points__person",
        queryset=_people,
        label=_("Focal point"),
        empty_label=_("Anyone"),
        distinct=True,
    )
    organization = django_filters.ModelChoiceFilter(
        field_name="focal_points__person__organization",
        queryset=_organizations,
        label=_("Organization"),
        empty_label=_("Any organization"),
        distinct=True,
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue"), widget=AnyYesNo
    )
    due_before = django_filters.DateFilter(
        field_name="due_date",
        lookup_expr="lte",
        label=_("Due on or before"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_after = django_filters.DateFilter(
        field_name="due_date",
        lookup_expr="gte",
        label=_("Due on or after"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    # The PIM framework and priority (any of the slugs given: ?pim_category=a&pim_category=b).
    pim_category = django_filters.MultipleChoiceFilter(
        choices=PimCategory.choices,
        method="filter_pim_category",
        label=_("PIM categories"),
        widget=forms.CheckboxSelectMultiple,
    )
    pim_principle = django_filters.MultipleChoiceFilter(
        choices=PimPrinciple.choices,
        method="filter_pim_principle",
        label=_("PIM principles"),
        widget=forms.CheckboxSelectMultiple,
    )
    pim_process_step = django_filters.ChoiceFilter(
        choices=PimProcessStep.choices, label=_("PIM process step"), empty_label=_("Any step")
    )
    priority = django_filters.ChoiceFilter(
        choices=Priority.choices, label=_("Priority"), empty_label=_("Any priority")
    )
    ordering = django_filters.OrderingFilter(
        fields=(("due_date", "due_date"), ("updated", "updated"), ("status", "status")),
        # All six labels given, so that each is read in the page's language.
        field_labels={
            "due_date": _("Due date"),
            "-due_date": _("Due date (descending)"),
            "updated": _("Updated"),
            "-updated": _("Updated (descending)"),
            "status": _("Status"),
            "-status": _("Status (descending)"),
        },
        label=_("Order by"),
        empty_label=_("Default order"),
    )

    class Meta:
        model = ActionPoint
        fields: list[str] = []

    def __init__(
        self,
        *args,
        plan: ActionPlan | None = None,
        within: QuerySet[ActionPoint] | None = None,
        **kwargs,
    ) -> None:
        """`plan`: the filters of that plan's page. `within`: the plans, groups,
        challenges, people and organizations to choose from are those of these
        action points (e.g. "my action points"), not all the user may see:
        thousands of options help nobody and weigh on the page."""
        super().__init__(*args, **kwargs)
        self.plan = plan
        if plan is not None:
            # On a plan's page the choices are that plan's groups and people.
            del self.filters["plan"]
            self.filters["working_group"].queryset = plan.working_groups.all()
            del self.filters["challenge"]
            within = ActionPoint.objects.of_plan(plan)
        if within is not None:
            ids = within.order_by().values("id")
            if "challenge" in self.filters:
                challenges = Challenge.objects.filter(
                    id__in=within.order_by().values("challenge_id")
                )
                groups = WorkingGroup.objects.filter(
                    id__in=challenges.order_by().values("working_group_id")
                )
                self.filters["challenge"].queryset = challenges
                self.filters["working_group"].queryset = groups.select_related("plan")
                self.filters["plan"].queryset = ActionPlan.objects.filter(
                    id__in=groups.order_by().values("plan_id")
                )
            people = Person.objects.filter(
                id__in=FocalPoint.objects.filter(action_point__in=ids).values("person_id")
            )
            self.filters["focal_point"].queryset = people
            self.filters["organization"].queryset = Organization.objects.filter(
                id__in=people.values("organization_id")
            )

    # Shown in the filter bar under "More filters" (templates/includes/filter_form.html).
    more_filters = ("pim_category", "pim_principle", "pim_process_step", "priority")

    @property
    def main_fields(self) -> list:
        return [f for f in self.form.visible_fields() if f.name not in self.more_filters]

    @property
    def more_fields(self) -> list:
        return [f for f in self.form.visible_fields() if f.name in self.more_filters]

    @property
    def more_open(self) -> bool:
        """Open "More filters" when one of them is used or wrong."""
        names = [f.name for f in self.more_fields]
        return any(self.data.get(name) for name in names) or any(
            name in self.form.errors for name in names
        )

    def filter_pim_category(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.tagged(PimTagKind.CATEGORY, value)

    def filter_pim_principle(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.tagged(PimTagKind.PRINCIPLE, value)

    # django-filter calls a filter's method only with a value ("Any" never comes
    # here), and the OpenAPI schema types the parameter by this hint of `value`:
    # `bool`, so that generated clients send true/false, not any string.
    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        overdue = overdue_condition(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Words in the description, the deadline as written, the challenge or a
        focal point's name (how they match: actionplans.search).

        One id set per column, united: each part can use its own index on
        PostgreSQL (migration actionplans 0011), where one OR across the joins
        would read every action point.
        """
        value = value.strip()
        if not value:
            return queryset
        points = ActionPoint.objects.order_by()
        matches = (
            matching(points, "description", value)
            .values("id")
            .union(
                matching(points, "deadline", value).values("id"),
                points.filter(
                    challenge__in=matching(
                        Challenge.objects.order_by(), "description", value
                    ).values("id")
                ).values("id"),
                FocalPoint.objects.order_by()
                .filter(person__in=matching(Person.objects.order_by(), "name", value).values("id"))
                .values("action_point_id"),
            )
        )
        return queryset.filter(id__in=matches)


def page_filterset(data, *, request, plan: ActionPlan | None = None) -> ActionPointFilterSet:
    """The filters of a page of action points, as that page offers them: a plan's page
    (`plan`: its action points, no "Order by", since the table sorts by its columns)
    or "my action points" (no `plan`: the user's action points, the choices limited
    to theirs). One home for both pages and their saved views (services.saved_views).
    `request` needs only `.user`."""
    if plan is not None:
        filterset = ActionPointFilterSet(
            data, queryset=ActionPoint.objects.of_plan(plan), request=request, plan=plan
        )
        del filterset.filters["ordering"]
        return filterset
    mine = my_action_points(request.user)
    return ActionPointFilterSet(data, queryset=mine, request=request, within=mine)


class ActionPlanFilterSet(django_filters.FilterSet):
    """Filters of the plan list and /api/v1/plans/."""

    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=PlanStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    country = django_filters.CharFilter(lookup_expr="iexact", label=_("Country"))

    class Meta:
        model = ActionPlan
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(country__icontains=value) | Q(origin__icontains=value)
        )


class WorkingGroupFilterSet(django_filters.FilterSet):
    """Filters of /api/v1/working-groups/."""

    plan = django_filters.ModelChoiceFilter(
        queryset=_plans, label=_("Plan"), empty_label=_("Any plan")
    )

    class Meta:
        model = WorkingGroup
        fields: list[str] = []


class ChallengeFilterSet(django_filters.FilterSet):
    """Filters of /api/v1/challenges/."""

    plan = django_filters.ModelChoiceFilter(
        field_name="working_group__plan",
        queryset=_plans,
        label=_("Plan"),
        empty_label=_("Any plan"),
    )
    working_group = django_filters.ModelChoiceFilter(
        queryset=_groups, label=_("Working group"), empty_label=_("Any working group")
    )

    class Meta:
        model = Challenge
        fields: list[str] = []
