"""Shared by the import and export tests: the seed's content, files built in memory,
a plan's content as plain data, and the malformed files with their messages."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from openpyxl import Workbook

from actionplans.models import (
    ActionPlan,
    ActionPoint,
    CalendarFeed,
    Challenge,
    DeadlineChange,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
)
from actionplans.selectors import team_members_in_order
from orgs.models import Organization, Person

SEED = (
    Path(__file__).resolve().parents[2] / "actionplans" / "fixtures" / "pim_lebanon_action_plan.tsv"
)
DEADLINE_EXAMPLES = (
    "Write it as, for example: 2019-03-15, 15/03/2019, March 2019, Q1 2019, H1 2019, 2019, "
    'Q1-Q2 2019, or "ongoing".'
)

Q1_2019 = datetime.date(2019, 3, 31)
END_2019 = datetime.date(2019, 12, 31)

# The seed's rows below its header, as cells: challenge, action point, deadline, focal point.
SEED_ROWS = [
    [
        "1. Lack of common, user-friendly and secure data-sharing tools",
        "IMWG to recommend standardized tools and procedures",
        "Q1 of 2019",
        "Jad",
    ],
    [
        "2. Informed consent about sharing and different types of sharing and recipients",
        "Build comprehensive consent form drafts and guidelines on which to choose depending "
        "on survey/activities Disseminate",
        "2019",
        "Fanette (Fred can advise)",
    ],
    [
        "3. Trust between actors (in terms of data quality, methodology, data protection)",
        'Disseminate the "VASyR quality assurance package" methodology',
        "Q1 of 2019",
        "Jad",
    ],
    [
        "4. Lack of knowledge about where and how to access information and data",
        "Raise awareness on national studies (VASyR, KAP, MICS, ARK) in sector WG, in "
        "inter-agency. Promote use of and contributions to Lebanon Factbook and Assessment "
        "Registry in IMWG and Inter-Agency",
        "Q1 of 2019",
        "Jad",
    ],
]
SEED_MEMBERS = "Rana, Omar, Maria, Fred, Jad"

# A second group, with a challenge of two action points (merged cell in the workbook).
GROUP_2_ROWS = [
    [
        "1. No common protection monitoring questionnaire",
        "Agree a common questionnaire in the protection working group",
        "Mar-19",
        "UNHCR (Rana)",
    ],
    [None, "Pilot the questionnaire in two governorates", "H1 2019", "Omar, Maria (tbc)"],
    [
        "2. Data protection rules differ between agencies",
        "Map data-sharing protocols",
        "ongoing",
        "IMWG",
    ],
]

# plan_content() of the demo plan (tests/actionplans/test_load_demo.py says the same).
SEED_GROUP = {
    "number": 1,
    "name": "Data Sharing",
    "team_leader": "Jad",
    "team_members": ["Rana", "Omar", "Maria", "Fred", "Jad"],
    "challenges": [
        (
            1,
            "Lack of common, user-friendly and secure data-sharing tools",
            [
                (
                    1,
                    "IMWG to recommend standardized tools and procedures",
                    "Q1 of 2019",
                    "quarter",
                    Q1_2019,
                    "not_started",
                    0,
                    [("Jad", "lead", "", None)],
                )
            ],
        ),
        (
            2,
            "Informed consent about sharing and different types of sharing and recipients",
            [
                (
                    1,
                    "Build comprehensive consent form drafts and guidelines on which to choose "
                    "depending on survey/activities Disseminate",
                    "2019",
                    "year",
                    END_2019,
                    "not_started",
                    0,
                    [("Fanette", "lead", "", None), ("Fred", "advisor", "", None)],
                )
            ],
        ),
        (
            3,
            "Trust between actors (in terms of data quality, methodology, data protection)",
            [
                (
                    1,
                    'Disseminate the "VASyR quality assurance package" methodology',
                    "Q1 of 2019",
                    "quarter",
                    Q1_2019,
                    "not_started",
                    0,
                    [("Jad", "lead", "", None)],
                )
            ],
        ),
        (
            4,
            "Lack of knowledge about where and how to access information and data",
            [
                (
                    1,
                    "Raise awareness on national studies (VASyR, KAP, MICS, ARK) in sector WG, in "
                    "inter-agency. Promote use of and contributions to Lebanon Factbook and "
                    "Assessment Registry in IMWG and Inter-Agency",
                    "Q1 of 2019",
                    "quarter",
                    Q1_2019,
                    "not_started",
                    0,
                    [("Jad", "lead", "", None)],
                )
            ],
        ),
    ],
}
SEED_CONTENT = [SEED_GROUP]
GROUP_2 = {
    "number": 2,
    "name": "Protection Monitoring",
    "team_leader": "Rana",
    "team_members": ["Rana", "Omar", "Maria"],
    "challenges": [
        (
            1,
            "No common protection monitoring questionnaire",
            [
                (
                    1,
                    "Agree a common questionnaire in the protection working group",
                    "Mar-19",
                    "month",
                    Q1_2019,
                    "not_started",
                    0,
                    [("Rana", "lead", "", "UNHCR")],
                ),
                (
                    2,
                    "Pilot the questionnaire in two governorates",
                    "H1 2019",
                    "half",
                    datetime.date(2019, 6, 30),
                    "not_started",
                    0,
                    [("Omar", "lead", "", None), ("Maria", "support", "tbc", None)],
                ),
            ],
        ),
        (
            2,
            "Data protection rules differ between agencies",
            [
                (
                    1,
                    "Map data-sharing protocols",
                    "ongoing",
                    "none",
                    None,
                    "not_started",
                    0,
                    [("IMWG", "lead", "", None)],
                )
            ],
        ),
    ],
}
TWO_GROUPS_CONTENT = [SEED_GROUP, GROUP_2]


# --- a plan as plain data -----------------------------------------------------------------


def plan_content(plan: ActionPlan) -> list[dict]:
    """Groups, challenges and action points with their people, comparable across plans."""
    groups = list(plan.working_groups.select_related("team_leader").order_by("number"))
    members = team_members_in_order([group.pk for group in groups])
    return [
        {
            "number": group.number,
            "name": group.name,
            "team_leader": group.team_leader.name if group.team_leader else None,
            "team_members": [person.name for person in members[group.pk]],
            "challenges": [
                (
                    challenge.number,
                    challenge.description,
                    [
                        (
                            point.position,
                            point.description,
                            point.deadline,
                            point.deadline_precision,
                            point.due_date,
                            point.status,
                            point.progress,
                            [
                                (
                                    fp.person.name,
                                    fp.role,
                                    fp.note,
                                    fp.person.organization.short_name
                                    if fp.person.organization
                                    else None,
                                )
                                for fp in point.focal_points.select_related("person__organization")
                            ],
                        )
                        for point in challenge.action_points.order_by("position")
                    ],
                )
                for challenge in group.challenges.order_by("number")
            ],
        }
        for group in groups
    ]


COUNTED = [
    ActionPlan,
    WorkingGroup,
    Challenge,
    ActionPoint,
    FocalPoint,
    ProgressUpdate,
    DeadlineChange,
    CalendarFeed,
    Person,
    Organization,
]


def snapshot() -> dict[str, int]:
    """Rows and history rows of every model an import could write."""
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    counts |= {f"history:{model.__name__}": model.history.count() for model in COUNTED}
    counts["User"] = get_user_model().objects.count()
    counts["ActionPlan.coordinators"] = ActionPlan.coordinators.through.objects.count()
    counts["WorkingGroup.team_members"] = WorkingGroup.team_members.through.objects.count()
    return counts


# --- files -----------------------------------------------------------------------------------


def seed_bytes() -> bytes:
    return SEED.read_bytes()


def workshop_tsv(*blocks: str, title: str = "PIM Lebanon Action Plan") -> str:
    return "\n".join([title, "", *blocks]) + "\n"


def workshop_block(
    number: int, name: str, leader: str, members: str, rows: list[list], header: list[str] | None
) -> str:
    header = header or ["Challenges", "Action Point", "Timeline / Deadline", "Focal point"]
    lines = [f"Group {number}: {name}", f"Team leader\t{leader}", f"Team members\t{members}"]
    lines.append("\t".join(header))
    lines += ["\t".join(cell or "" for cell in row) for row in rows]
    return "\n".join(lines)


def two_groups_tsv() -> bytes:
    return workshop_tsv(
        workshop_block(1, "Data Sharing", "Jad", SEED_MEMBERS, SEED_ROWS, None),
        workshop_block(2, "Protection Monitoring", "Rana", "Rana, Omar, Maria", GROUP_2_ROWS, None),
    ).encode()


FLAT_HEADER = [
    "Working group",
    "Team leader",
    "Team members",
    "Challenge",
    "Action point",
    "Deadline",
    "Focal points",
]


def flat_records(groups: bool = True) -> list[list[str]]:
    """The two groups' action points one per row (the challenge repeated)."""
    rows = []
    for group, leader, members, block in (
        ("Group 1: Data Sharing", "Jad", SEED_MEMBERS, SEED_ROWS),
        ("Group 2: Protection Monitoring", "Rana", "Rana, Omar, Maria", GROUP_2_ROWS),
    ):
        challenge = ""
        for row in block:
            challenge = row[0] or challenge
            rows.append([group, leader, members, challenge, row[1], row[2], row[3]])
        if not groups:
            break
    return rows


def csv_bytes(rows: list[list[object]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(
    sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None
) -> bytes:
    """A workbook with these sheets (in order) and merged ranges."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(title, []):
            sheet.merge_cells(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def workshop_sheet(
    number: int, name: str, leader: str, members: str, rows: list[list]
) -> list[list]:
    return [
        [f"Group {number}: {name}"],
        ["Team leader", leader],
        ["Team members", members],
        ["Challenges", "Action Point", "Timeline / Deadline", "Focal point"],
        *rows,
    ]


def two_groups_xlsx() -> bytes:
    """Group 1 on one sheet under the title line, group 2 on another with a merged challenge."""
    return xlsx_bytes(
        {
            "Data Sharing": [
                ["PIM Lebanon Action Plan"],
                [],
                *workshop_sheet(1, "Data Sharing", "Jad", SEED_MEMBERS, SEED_ROWS),
            ],
            "Protection Monitoring": workshop_sheet(
                2, "Protection Monitoring", "Rana", "Rana, Omar, Maria", GROUP_2_ROWS
            ),
        },
        # Challenge 1 of group 2 spans its two action points (rows 5 and 6).
        merges={"Protection Monitoring": ["A5:A6"]},
    )


def with_cached_value(data: bytes, sheet_xml: str, cell: str, cached: str) -> bytes:
    """Give a formula cell the value a spreadsheet application saved with it.

    openpyxl writes formulas without one; Excel and LibreOffice store the last result.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == sheet_xml:
                text = content.decode()
                start = text.index(f'<c r="{cell}"')
                end = text.index("</c>", start) + len("</c>")
                formula = text[text.index("<f>", start) : text.index("</f>", start) + len("</f>")]
                text = (
                    text[:start]
                    + f'<c r="{cell}" t="str">{formula}<v>{cached}</v></c>'
                    + text[end:]
                )
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


def with_extra_entry(data: bytes, name: str, size: int) -> bytes:
    """Add a member of `size` zero bytes: it compresses to almost nothing (a zip bomb)."""
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, b"\x00" * size)
    return out.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


# --- malformed files and what the importer says about them ------------------------------------

WORKSHOP_HEADER = "Challenges\tAction Point\tDeadline\tFocal point"
MIB = 1024 * 1024


@dataclass
class Malformed:
    """A file the importer must refuse: raised (unreadable) or reported (errors in the table)."""

    id: str
    data: object  # bytes, or a function making them (built when the test runs)
    messages: list[str]
    raised: bool = False
    code: str = ""
    settings: dict[str, int] = field(default_factory=dict)

    def content(self) -> bytes:
        return self.data() if callable(self.data) else self.data


def _one_group(*rows: str) -> bytes:
    return "\n".join(["Group 1: Data Sharing", WORKSHOP_HEADER, *rows]).encode()


MALFORMED = [
    Malformed("empty", b"", ["The file is empty."], raised=True, code="empty"),
    Malformed("blank", b" \r\n\t\n  ", ["The file is empty."], raised=True, code="empty"),
    Malformed(
        "binary",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        [
            "This is not a table: the file holds binary data. "
            "Upload a spreadsheet (.xlsx), CSV or tab-separated text."
        ],
        raised=True,
        code="binary",
    ),
    Malformed(
        "undecodable",
        "Group 1: Données".encode("cp1252") + b"\x81\x8d\x8f\x90\x9d",
        ["Cannot tell the text's encoding: save it as UTF-8 (or as an Excel workbook)."],
        raised=True,
        code="encoding",
    ),
    Malformed(
        "false-utf16-bom",
        b"\xff\xfeG\x00r\x00o",
        ["The file starts like utf-16 text but is not."],
        raised=True,
        code="encoding",
    ),
    Malformed(
        "oversize",
        lambda: seed_bytes() + b"\n" * (3 * MIB // 2),
        ["The file is 1.5 MB; the most accepted is 1 MB."],
        raised=True,
        code="too_large",
        settings={"IMPORT_MAX_BYTES": MIB},
    ),
    Malformed(
        "too-many-rows",
        seed_bytes,
        ["The table has 10 rows; the most accepted is 9."],
        raised=True,
        code="too_many_rows",
        settings={"IMPORT_MAX_ROWS": 9},
    ),
    Malformed(
        # One value in the last row of a sheet: 1,048,576 rows, checked before they are built.
        "too-many-rows-xlsx",
        lambda: _last_cell_workbook("A1048576"),
        ["The table has 1,048,576 rows; the most accepted is 20,000."],
        raised=True,
        code="too_many_rows",
    ),
    Malformed(
        "too-many-columns-xlsx",
        lambda: _last_cell_workbook("XFD1"),
        ["Sheet “Plan” has a value in cell XFD1; a plan table has at most 100 columns."],
        raised=True,
        code="too_many_columns",
    ),
    Malformed(
        "zip-bomb",
        lambda: with_extra_entry(two_groups_xlsx(), "xl/media/padding.bin", 3 * MIB),
        ["The workbook unpacks to 3 MB; the most accepted is 1 MB."],
        raised=True,
        code="too_large",
        settings={"IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES": MIB},
    ),
    Malformed(
        "damaged-xlsx",
        b"PK\x03\x04" + b"\x14\x00" * 200,
        ["The file looks like an Excel workbook but is damaged."],
        raised=True,
        code="xlsx",
    ),
    Malformed(
        "zip-not-xlsx",
        lambda: zip_of({"notes.txt": b"Group 1: Data Sharing"}),
        ["This ZIP file is not an Excel workbook (.xlsx)."],
        raised=True,
        code="xlsx",
    ),
    Malformed(
        "wrong-columns",
        b"Name,Email,Phone\nJad,jad@example.org,+961 1 000 000\n",
        ['Row 1: No working group found: start each group with "Group N: Name".'],
    ),
    Malformed(
        "flat-missing-action-point-column",
        b"Working group,Challenge,Task\nGroup 1: Data Sharing,1. Lack of tools,Do it\n",
        ["Row 1: Expected a header row naming Working group, Challenge and Action point."],
    ),
    Malformed(
        "missing-header",
        b"Group 1: Data Sharing\n1. Lack of tools\tDo it\t2019\tJad\n",
        [
            "Row 2: Expected a header row (Challenges, Action point, Deadline, Focal point) "
            "before the challenges of group 1."
        ],
    ),
    Malformed(
        "header-without-rows",
        b"Working group,Challenge,Action point,Deadline\n",
        ["Row 1: The table has a header but no action points."],
    ),
    Malformed(
        "bad-deadline",
        _one_group("1. Lack of tools\tDo it\tsoonish\tJad"),
        [f'Row 3, column C: Cannot read the deadline "soonish". {DEADLINE_EXAMPLES}'],
    ),
    Malformed(
        "bad-deadline-flat",
        b"Working group,Challenge,Action point,Deadline\nGroup 1: Data,1. Lack,Do it,31/02/2019\n",
        [f'Row 2, column D: Cannot read the deadline "31/02/2019". {DEADLINE_EXAMPLES}'],
    ),
    Malformed(
        "duplicate-challenge-numbers",
        _one_group("1. Lack of tools\tDo it\t2019\tJad", "1. Lack of trust\tDo that\t2019\tRana"),
        ["Row 4, column A: Challenge 1 appears twice in group 1."],
    ),
    Malformed(
        "duplicate-challenge-numbers-flat",
        b"Working group,Challenge,Action point\n"
        b"Group 1: Data,1. Lack,Do it\nGroup 1: Data,1. Trust,Do that\n",
        ["Row 3, column B: Challenge 1 appears twice in group 1."],
    ),
    Malformed(
        "duplicate-group-in-workbook",
        lambda: xlsx_bytes(
            {
                "One": workshop_sheet(1, "Data Sharing", "Jad", "Jad", SEED_ROWS[:1]),
                "Two": workshop_sheet(1, "Data Sharing again", "Jad", "Jad", SEED_ROWS[1:2]),
            }
        ),
        ["Sheet “Two”, row 1: Group 1 appears twice in the workbook."],
    ),
    Malformed(
        # No cached value (openpyxl saves none): read as the formula's text, never evaluated.
        "formula-deadline",
        lambda: xlsx_bytes(
            {
                "Plan": workshop_sheet(
                    1,
                    "Data Sharing",
                    "Jad",
                    "Jad",
                    [["1. Lack", "Do it", "=DATE(2019,3,31)", "Jad"]],
                )
            }
        ),
        [
            'Sheet “Plan”, row 5, column C: Cannot read the deadline "=DATE(2019,3,31)". '
            + DEADLINE_EXAMPLES
        ],
    ),
    Malformed(
        "unbalanced-focal-points",
        _one_group("1. Lack of tools\tDo it\t2019\tJad (lead"),
        [
            'Row 3, column D: Cannot read the focal points "Jad (lead": a parenthesis is not '
            'closed or not opened. Write them as, for example: "Jad", "Rana, Omar", '
            '"Fanette (Fred can advise)", "Jad (lead), Rana (support)", or "UNHCR (Jad)".'
        ],
    ),
    Malformed(
        "action-point-before-challenge",
        _one_group("\tDo it\t2019\tJad"),
        ["Row 3, column A: An action point comes before any challenge."],
    ),
    Malformed(
        "unknown-status",
        b"Working group,Challenge,Action point,Status\nGroup 1: Data,1. Lack,Do it,Finished-ish\n",
        [
            'Row 2, column D: Unknown status "Finished-ish". Use one of: Not started, '
            "In progress, Blocked, Completed, Cancelled."
        ],
    ),
    Malformed(
        "progress-out-of-range",
        b"Working group,Challenge,Action point,Progress\nGroup 1: Data,1. Lack,Do it,150%\n",
        ['Row 2, column D: Progress "150%" is not a number from 0 to 100.'],
    ),
    Malformed(
        "progress-infinite",
        b"Working group,Challenge,Action point,Progress\nGroup 1: Data,1. Lack,Do it,inf\n",
        ['Row 2, column D: Progress "inf" is not a number from 0 to 100.'],
    ),
    Malformed(
        "unbalanced-team-members",
        "\n".join(
            ["Group 1: Data Sharing", "Team members\tRana (x", WORKSHOP_HEADER, "1. Lack\tDo it"]
        ).encode(),
        [
            'Row 2, column B: Cannot read the focal points "Rana (x": a parenthesis is not '
            'closed or not opened. Write them as, for example: "Jad", "Rana, Omar", '
            '"Fanette (Fred can advise)", "Jad (lead), Rana (support)", or "UNHCR (Jad)".'
        ],
    ),
    Malformed(
        "unbalanced-team-members-flat",
        b"Working group,Team members,Challenge,Action point\n"
        b"Group 1: Data,Rana (x,1. Lack,Do it\nGroup 1: Data,Rana (x,1. Lack,Do that\n",
        [
            'Row 2, column B: Cannot read the focal points "Rana (x": a parenthesis is not '
            'closed or not opened. Write them as, for example: "Jad", "Rana, Omar", '
            '"Fanette (Fred can advise)", "Jad (lead), Rana (support)", or "UNHCR (Jad)".'
        ],
    ),
]


def _last_cell_workbook(cell: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet["A1"] = "Group 1: Data Sharing"
    sheet[cell] = "stray"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
