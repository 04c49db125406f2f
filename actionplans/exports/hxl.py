"""HXL (Humanitarian Exchange Language): the flat export with a row of hashtags
under the headers, so that HXL tools find the columns (DOMAIN.md)."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse

from actionplans.choices import FocalPointRole
from actionplans.exports.cells import neutralise
from actionplans.exports.rows import export_points, update_cells
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
    # What the latest progress updates say. The note is what was achieved: HXL's
    # #output ("what the activity produced") with +note, its standard attribute for free
    # text. The evidence link is a link about the row: #meta+url, as the plan link, told
    # apart by +evidence. The update's time: #date with +updated (HXL's attribute for "last
    # updated"). Who made it: a contact name, as the focal points, told apart by
    # +updated_by.
    ("Latest note", "#output+note"),
    ("Evidence link", "#meta+url+evidence"),
    ("Last update", "#date+updated"),
    ("Last update by", "#contact+name+updated_by"),
    # The PIM framework is no sector, indicator or activity type of HXL's dictionary: a
    # hashtag of its own (#x_, for concepts the dictionary lacks), its three parts told
    # apart by attribute as the focal points' roles are. Slugs; several separated by ";".
    ("PIM categories", "#x_pim+category"),
    ("PIM principles", "#x_pim+principle"),
    ("PIM process step", "#x_pim+step"),
    # How urgent it is: no status (#status holds the status) and no HXL hashtag for it.
    ("Priority", "#x_priority"),
]
# Several PIM categories or principles in one cell.
HXL_LIST_SEPARATOR = ";"


def hxl_rows(plan: ActionPlan, base_url: str) -> Iterator[list[object]]:
    """HXL: headers, then the hashtag row, then one row per action point."""
    yield [header for header, _tag in HXL_COLUMNS]
    yield [tag for _header, tag in HXL_COLUMNS]
    plan_url = base_url + reverse("actionplans:plan_detail", args=[plan.pk])
    for point in export_points(plan, last_update=True, pim_tags=True):
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
        ] + [
            *update_cells(point),
            HXL_LIST_SEPARATOR.join(point.pim_categories),
            HXL_LIST_SEPARATOR.join(point.pim_principles),
            point.pim_process_step,
            point.priority,
        ]
