"""The dashboards' PIM breakdown: for each PIM Matrix category and each PIM principle,
how many action points it has, open, overdue and completed (the rules of
actionplans.querysets), and those with none ("Not tagged"). Three aggregate queries,
whatever the number of plans, categories or points.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from actionplans.choices import (
    OPEN_STATUSES,
    ActionPointStatus,
    PimCategory,
    PimPrinciple,
    PimTagKind,
)
from actionplans.models import ActionPlan, ActionPoint, PimTag
from actionplans.querysets import open_condition, overdue_condition

COMPLETED = ActionPointStatus.COMPLETED
# The plan page's filter of each kind (the filter bar's parameters).
PARAMETER = {PimTagKind.CATEGORY: "pim_category", PimTagKind.PRINCIPLE: "pim_principle"}


@dataclass
class PimRow:
    """A category's or principle's figures ("" slug: the points with none)."""

    slug: str
    label: str
    total: int = 0
    open: int = 0
    overdue: int = 0
    completed: int = 0
    # The plan page filtered to each figure's points (None on the portfolio and for
    # "Not tagged", which no filter selects).
    links: dict[str, str] | None = None

    @property
    def figures(self) -> list[tuple[int, str]]:
        """Each figure with its link ("" for none, or for a zero)."""
        links = self.links or {}
        return [
            (getattr(self, name), links.get(name, "") if getattr(self, name) else "")
            for name in ("total", "open", "overdue", "completed")
        ]


@dataclass
class PimBreakdown:
    categories: list[PimRow]
    principles: list[PimRow]

    @property
    def tables(self) -> list[tuple[str, list[PimRow], str]]:
        """(caption, rows, name) of its two tables."""
        return [
            (_("PIM categories"), self.categories, "categories"),
            (_("PIM principles"), self.principles, "principles"),
        ]

    @property
    def tagged(self) -> bool:
        """Whether any action point has a category or a principle."""
        return any(row.total for row in self.categories + self.principles if row.slug)


def _counts(prefix: str, today: datetime.date, *, distinct: bool = False) -> dict[str, Count]:
    def count(extra: Q | None) -> Count:
        return Count(f"{prefix}id" if prefix else "id", filter=extra, distinct=distinct)

    return {
        "total": count(None),
        "open": count(open_condition(prefix)),
        "overdue": count(overdue_condition(today, prefix)),
        "completed": count(Q(**{f"{prefix}status": COMPLETED})),
    }


def _links(plan: ActionPlan, parameter: str, slug: str) -> dict[str, str]:
    url = reverse("actionplans:plan_detail", args=[plan.pk])
    base = [(parameter, slug)]
    queries = {
        "total": base,
        "open": base + [("status", status) for status in OPEN_STATUSES],
        "overdue": base + [("overdue", "true")],
        "completed": base + [("status", COMPLETED)],
    }
    return {name: f"{url}?{urlencode(query)}" for name, query in queries.items()}


def pim_breakdown(
    points: QuerySet[ActionPoint], today: datetime.date, plan: ActionPlan | None = None
) -> PimBreakdown:
    """The figures of these action points per PIM category and per principle, every one
    listed (zeros too) in the framework's order, then "Not tagged". With `plan`, each
    figure links to the plan page filtered to its points."""
    tagged = (
        PimTag.objects.filter(action_point__in=points.order_by().values("pk"))
        .order_by()
        .values("kind", "slug")
        .annotate(**_counts("action_point__", today))
    )
    found = {(row["kind"], row["slug"]): row for row in tagged}
    # "Not tagged" = all the points less those with a tag of the kind: two cheap
    # aggregates (every point; the distinct points among the tags) rather than a
    # per-point test for a tag, which cost most of the portfolio's time at 100,000.
    everything = points.order_by().aggregate(**_counts("", today))
    with_kind = {
        row["kind"]: row
        for row in PimTag.objects.filter(action_point__in=points.order_by().values("pk"))
        .order_by()
        .values("kind")
        .annotate(**_counts("action_point__", today, distinct=True))
    }
    untagged = {
        f"{kind}_{name}": everything[name] - with_kind.get(kind, {}).get(name, 0)
        for kind in PimTagKind.values
        for name in everything
    }
    figures = ("total", "open", "overdue", "completed")

    def rows(kind: str, choices) -> list[PimRow]:
        result = []
        for slug, label in choices.choices:
            values = found.get((kind, slug), {})
            row = PimRow(slug, str(label), **{name: values.get(name, 0) for name in figures})
            if plan is not None:
                row.links = _links(plan, PARAMETER[kind], slug)
            result.append(row)
        none = {name: untagged[f"{kind}_{name}"] for name in figures}
        result.append(PimRow("", _("Not tagged"), **none))
        return result

    return PimBreakdown(
        categories=rows(PimTagKind.CATEGORY, PimCategory),
        principles=rows(PimTagKind.PRINCIPLE, PimPrinciple),
    )


def plan_pim_breakdown(plan: ActionPlan, today: datetime.date) -> PimBreakdown:
    """The plan dashboard's breakdown, each figure linked to the plan page filtered."""
    return pim_breakdown(ActionPoint.objects.of_plan(plan), today, plan)


def portfolio_pim_breakdown(plans: QuerySet[ActionPlan], today: datetime.date) -> PimBreakdown:
    """The portfolio's breakdown over these plans (those the user may see)."""
    return pim_breakdown(ActionPoint.objects.of_plans(plans), today)
