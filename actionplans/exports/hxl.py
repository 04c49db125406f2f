"""HXL (Humanitarian Exchange Language): the flat export with a row of hashtags
under the headers, so that HXL tools find the columns (DOMAIN.md)."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse

from actionplans.choices import FocalPointRole
from actionplans.exports.cells import neutralise
from actionplans.exports.rows import export_points
from actionplans.models import ActionPlan

# (header, hashtag): the headers in English whatever the language of the request,
# for the machines that read them.
HXL_COLUMNS = [
    ("Plan id", "#meta+id"),
    ("Plan link", "#meta+url"),
    ("Country", "#country+name"),
    ("Working group", "#x_workinggroup+name"),
    ("Challenge", "#description+challenge"),
    ("Action point", "#activity+name"),
    ("Deadline as written", "#description+deadline"),
    ("Due date", "#date+end"),
    ("Status", "#status"),
    ("Progress (%)", "#x_progress+pct"),
    ("Lead", "#contact+name+lead"),
    ("Support", "#contact+name+support"),
    ("Advisor", "#contact+name+advisor"),
    ("Lead's organization", "#org+name"),
]


def hxl_rows(plan: ActionPlan, base_url: str) -> Iterator[list[object]]:
    """HXL: headers, then the hashtag row, then one row per action point."""
    yield [header for header, _tag in HXL_COLUMNS]
    yield [tag for _header, tag in HXL_COLUMNS]
    plan_url = base_url + reverse("actionplans:plan_detail", args=[plan.pk])
    for point in export_points(plan):
        by_role: dict[str, list[str]] = {role: [] for role in FocalPointRole.values}
        lead_orgs: list[str] = []
        for fp in point.focal_point_list:
            by_role[fp.role].append(fp.person.name)
            if fp.role == FocalPointRole.LEAD and fp.person.organization:
                lead_orgs.append(fp.person.organization.short_name)
        group = point.challenge.working_group
        yield [
            neutralise(value)
            for value in (
                plan.pk,
                plan_url,
                plan.country,
                group.name,
                point.challenge.description,
                point.description,
                point.deadline,
                point.due_date.isoformat() if point.due_date else "",
                point.status,
                point.progress,
                ", ".join(by_role[FocalPointRole.LEAD]),
                ", ".join(by_role[FocalPointRole.SUPPORT]),
                ", ".join(by_role[FocalPointRole.ADVISOR]),
                ", ".join(dict.fromkeys(lead_orgs)),
            )
        ]
