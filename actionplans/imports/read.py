"""Reading action-plan tables: TSV, CSV and XLSX, workshop or flat layout.

read_table(data) turns the bytes of an upload (or pasted text) into a
WorkshopTable: the groups, challenges and action points it holds, and every
problem found, placed by sheet, row and column. It writes nothing; the
service imports.write.plan_import does, atomically.

decode.py turns the bytes into rows; each sheet is read in its layout
(flat.py or workshop.py, told from its first row), and the sheets of a
workbook are merged into one table here.
"""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext as _

from actionplans.imports.decode import sheet_rows, tab_rows
from actionplans.imports.flat import is_flat, read_flat_rows
from actionplans.imports.table import ERROR, WARNING, GroupBlock, RowIssue, WorkshopTable
from actionplans.imports.workshop import read_workshop_rows


def read_table(data: bytes) -> WorkshopTable:
    """Read an uploaded or pasted plan table; raises ValidationError when it cannot."""
    tables = [_read_sheet(name, rows) for name, rows in sheet_rows(data)]
    if len(tables) == 1:
        return tables[0][1]
    return _merge(tables)


def read_workshop_tsv(text: str) -> WorkshopTable:
    """Read tab-separated text in the workshop layout (the demo's seed file)."""
    return read_workshop_rows(tab_rows(text))


def preview_groups(table: WorkshopTable, most: int) -> tuple[list[GroupBlock], int]:
    """The table's groups with only their first `most` action points (a challenge
    without any counts as one), and how many action points are left out."""
    shown: list[GroupBlock] = []
    room = most
    for group in table.groups:
        if room <= 0:
            break
        challenges = []
        for challenge in group.challenges:
            if room <= 0:
                break
            points = challenge.action_points[:room]
            room -= max(len(points), 1)
            challenges.append(dataclasses.replace(challenge, action_points=points))
        shown.append(dataclasses.replace(group, challenges=challenges))
    kept = sum(len(c.action_points) for g in shown for c in g.challenges)
    return shown, table_counts(table)["action_points"] - kept


def table_counts(table: WorkshopTable) -> dict[str, int]:
    challenges = [c for g in table.groups for c in g.challenges]
    return {
        "groups": len(table.groups),
        "challenges": len(challenges),
        "action_points": sum(len(c.action_points) for c in challenges),
    }


def _read_sheet(name: str, rows: list[list[object]]) -> tuple[str, WorkshopTable, bool]:
    """The sheet's table, in the layout its first row tells, and whether that is flat."""
    if is_flat(rows):
        return name, read_flat_rows(rows, name), True
    return name, read_workshop_rows(rows, name), False


def _merge(tables: list[tuple[str, WorkshopTable, bool]]) -> WorkshopTable:
    """Sheets of one workbook as one table: one group per sheet, or several."""
    merged = WorkshopTable()
    flat_groups = {
        group.number: name for name, table, flat in tables if flat for group in table.groups
    }
    with_groups = any(table.groups for _name, table, _flat in tables)
    for name, table, flat in tables:
        if not flat and table.groups:
            kept = _skip_repeated_groups(name, table, flat_groups)
            if not kept.groups:  # every group of this sheet is on a flat sheet
                merged.title = merged.title or table.title
                merged.issues.extend(kept.warnings)
                continue
            table = kept
        if not table.groups and with_groups:
            merged.issues.append(
                RowIssue(
                    1, None, _("No working group on this sheet; it was skipped."), WARNING, "", name
                )
            )
            continue
        merged.title = merged.title or table.title
        merged.issues.extend(table.issues)
        for group in table.groups:
            if any(g.number == group.number for g in merged.groups):
                merged.issues.append(
                    RowIssue(
                        group.row,
                        None,
                        _("Group %(group)s appears twice in the workbook.")
                        % {"group": group.number},
                        ERROR,
                        "",
                        name,
                    )
                )
                continue
            merged.groups.append(group)
    return merged


def _skip_repeated_groups(
    name: str, table: WorkshopTable, flat_groups: dict[int, str]
) -> WorkshopTable:
    """A workshop-layout sheet without the groups a flat sheet of the workbook holds too.

    The export writes each group twice: on the "Plan" sheet in the workshop's layout, and
    on the flat "Action points" sheet, which also has status and progress; that one is read.
    """
    repeated = [group for group in table.groups if group.number in flat_groups]
    if not repeated:
        return table
    # A group's rows run from its "Group N:" line to the next group's.
    starts = sorted(group.row for group in table.groups)
    spans = [
        (group.row, min((row for row in starts if row > group.row), default=10**9))
        for group in repeated
    ]
    kept = WorkshopTable(
        title=table.title,
        groups=[group for group in table.groups if group.number not in flat_groups],
        issues=[
            issue
            for issue in table.issues
            if not any(first <= issue.row < after for first, after in spans)
        ],
    )
    for group in repeated:
        kept.issues.append(
            RowIssue(
                group.row,
                None,
                _("Group %(group)s is on sheet “%(sheet)s” too; it was read from there.")
                % {"group": group.number, "sheet": flat_groups[group.number]},
                WARNING,
                "",
                name,
            )
        )
    return kept
