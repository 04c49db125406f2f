"""Reading plan tables: encodings, delimiters, XLSX sheets, layouts, header variants,
and the malformed files the importer refuses, each with its message."""

import codecs
import datetime
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError

from actionplans.imports.decode import check_size, decode_text, text_rows, xlsx_sheets
from actionplans.imports.read import read_table, table_counts
from actionplans.imports.table import WorkshopTable
from tests.actionplans.transfer import (
    FLAT_HEADER,
    GROUP_2_ROWS,
    MALFORMED,
    SEED_MEMBERS,
    SEED_ROWS,
    csv_bytes,
    flat_records,
    seed_bytes,
    two_groups_tsv,
    two_groups_xlsx,
    with_cached_value,
    workshop_block,
    workshop_sheet,
    workshop_tsv,
    xlsx_bytes,
)

# --- helpers ---------------------------------------------------------------------------------


def table_data(table: WorkshopTable) -> list:
    """What a table says, without where it says it."""
    return [
        (
            group.number,
            group.name,
            group.team_leader,
            group.team_members,
            [
                (
                    challenge.number,
                    challenge.description,
                    [
                        (point.description, point.deadline, point.focal_points, point.status)
                        for point in challenge.action_points
                    ],
                )
                for challenge in group.challenges
            ],
        )
        for group in table.groups
    ]


def issues(table: WorkshopTable) -> list[tuple[str, str]]:
    return [(issue.level, str(issue)) for issue in table.issues]


SEED_TABLE = [
    (
        1,
        "Data Sharing",
        "Jad",
        ["Rana", "Omar", "Maria", "Fred", "Jad"],
        [
            (
                int(row[0].split(".")[0]),
                row[0].split(". ", 1)[1],
                [(row[1], row[2], row[3], "")],
            )
            for row in SEED_ROWS
        ],
    )
]
GROUP_2_TABLE = (
    2,
    "Protection Monitoring",
    "Rana",
    ["Rana", "Omar", "Maria"],
    [
        (
            1,
            "No common protection monitoring questionnaire",
            [
                (
                    "Agree a common questionnaire in the protection working group",
                    "Mar-19",
                    "UNHCR (Rana)",
                    "",
                ),
                ("Pilot the questionnaire in two governorates", "H1 2019", "Omar, Maria (tbc)", ""),
            ],
        ),
        (
            2,
            "Data protection rules differ between agencies",
            [("Map data-sharing protocols", "ongoing", "IMWG", "")],
        ),
    ],
)
TWO_GROUPS_TABLE = [*SEED_TABLE, GROUP_2_TABLE]


# --- decode_text: encodings -----------------------------------------------------------------

ACCENTED = "Group 1: Données – accès\nChallenges\tAction Point\tDeadline\tFocal point\n"


@pytest.mark.parametrize(
    "encoded",
    [
        ACCENTED.encode("utf-8"),
        codecs.BOM_UTF8 + ACCENTED.encode("utf-8"),
        ACCENTED.encode("utf-16"),  # with its BOM, as Excel's "Unicode text"
        codecs.BOM_UTF16_BE + ACCENTED.encode("utf-16-be"),
        ACCENTED.encode("utf-16-le"),  # no BOM
        ACCENTED.encode("utf-16-be"),  # no BOM
        ACCENTED.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "utf-16-be-bom", "utf-16-le", "utf-16-be", "cp1252"],
)
def test_decode_text_reads_each_encoding(encoded):
    assert decode_text_without_bom(encoded) == ACCENTED


def decode_text_without_bom(data: bytes) -> str:
    return decode_text(data).lstrip("\ufeff")


def test_decode_text_keeps_arabic_in_utf_16():
    text = "Group 1: تبادل البيانات\n"
    assert decode_text(text.encode("utf-16")) == text


def test_decode_text_cp1252_curly_quotes_and_dashes():
    assert decode_text("Fanette’s plan – “draft”".encode("cp1252")) == ("Fanette’s plan – “draft”")


# --- text_rows: delimiters ---------------------------------------------------------------------


def test_text_rows_tab_separated_keeps_quotes_as_text():
    assert text_rows('1. Trust\tDisseminate the "VASyR" package\tQ1 2019\n') == [
        ["1. Trust", 'Disseminate the "VASyR" package', "Q1 2019"]
    ]


def test_text_rows_comma_separated_reads_quoted_commas():
    assert text_rows('Working group,Challenge\r\n"Group 1: A, B","1. Lack, of tools"\r\n') == [
        ["Working group", "Challenge"],
        ["Group 1: A, B", "1. Lack, of tools"],
    ]


def test_text_rows_semicolon_separated_as_european_excel_writes():
    assert text_rows("Working group;Challenge;Action point\nGroup 1: A;1. B;Do, then C\n") == [
        ["Working group", "Challenge", "Action point"],
        ["Group 1: A", "1. B", "Do, then C"],
    ]


def test_text_rows_strips_bom():
    assert text_rows("\ufeffa\tb\n") == [["a", "b"]]


# --- xlsx_sheets --------------------------------------------------------------------------------


def test_xlsx_sheets_reads_sheets_in_order_with_merged_cells_empty():
    sheets = xlsx_sheets(two_groups_xlsx())

    assert [name for name, _rows in sheets] == ["Data Sharing", "Protection Monitoring"]
    assert sheets[1][1] == [
        ["Group 2: Protection Monitoring"],
        ["Team leader", "Rana"],
        ["Team members", "Rana, Omar, Maria"],
        ["Challenges", "Action Point", "Timeline / Deadline", "Focal point"],
        GROUP_2_ROWS[0],
        # The lower cell of the merged challenge reads as empty: same challenge.
        [None, *GROUP_2_ROWS[1][1:]],
        GROUP_2_ROWS[2],
    ]
    assert sheets[0][1][:2] == [["PIM Lebanon Action Plan"], []]


def test_xlsx_sheets_formula_without_cached_value_is_its_text_never_evaluated():
    data = xlsx_bytes({"Plan": [["=1+1", "=SUM(A5:A9)", '=HYPERLINK("http://x.example","y")']]})

    assert xlsx_sheets(data) == [
        ("Plan", [["=1+1", "=SUM(A5:A9)", '=HYPERLINK("http://x.example","y")']])
    ]


def test_xlsx_sheets_formula_with_cached_value_reads_the_value():
    data = xlsx_bytes({"Plan": [["Deadline", '=CONCAT("Q1 ","2019")']]})
    data = with_cached_value(data, "xl/worksheets/sheet1.xml", "B1", "Q1 2019")

    assert xlsx_sheets(data) == [("Plan", [["Deadline", "Q1 2019"]])]


def test_xlsx_sheets_date_cells_read_as_iso_dates_and_numbers_stay_numbers():
    data = xlsx_bytes(
        {"Plan": [[datetime.date(2019, 3, 31), datetime.datetime(2019, 6, 30, 0, 0), 2019, 40.5]]}
    )

    assert xlsx_sheets(data) == [("Plan", [["2019-03-31", "2019-06-30", 2019, 40.5]])]


def test_xlsx_sheets_rows_end_at_their_last_value():
    data = xlsx_bytes({"Plan": [["a", None, "c"], [], [None, "b"]]})

    assert xlsx_sheets(data) == [("Plan", [["a", None, "c"], [], [None, "b"]])]


def test_xlsx_sheets_reads_past_a_wrong_declared_dimension():
    # The <dimension> a file declares is not trusted: the rows it holds are read.
    data = xlsx_bytes({"Plan": [["a"], ["b", "c"], ["d"]]})
    sheet_xml = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        files = {info.filename: source.read(info) for info in source.infolist()}
    files[sheet_xml] = re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', files[sheet_xml]
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in files.items():
            target.writestr(name, content)

    assert xlsx_sheets(out.getvalue()) == [("Plan", [["a"], ["b", "c"], ["d"]])]


def test_read_table_xlsx_date_deadline_is_read_as_that_day():
    data = xlsx_bytes(
        {
            "Plan": workshop_sheet(
                1, "Data", "Jad", "Jad", [["1. Lack", "Do it", datetime.date(2019, 3, 15), "Jad"]]
            )
        }
    )

    table = read_table(data)

    assert table_data(table)[0][4] == [(1, "Lack", [("Do it", "2019-03-15", "Jad", "")])]
    assert table.issues == []


# --- layouts: the same content in every form ---------------------------------------------------


def test_read_table_seed_file_is_the_demo_table():
    table = read_table(seed_bytes())

    assert table.title == "PIM Lebanon Action Plan"
    assert table_data(table) == SEED_TABLE
    assert table.issues == []
    assert [p.row for g in table.groups for c in g.challenges for p in c.action_points] == [
        7,
        8,
        9,
        10,
    ]


@pytest.mark.parametrize(
    "data",
    [
        two_groups_tsv,
        lambda: csv_bytes([FLAT_HEADER, *flat_records()]),
        two_groups_xlsx,
        lambda: xlsx_bytes({"Action points": [FLAT_HEADER, *flat_records()]}),
    ],
    ids=["workshop-tsv", "flat-csv", "workshop-xlsx-two-sheets", "flat-xlsx"],
)
def test_read_table_same_content_in_every_layout(data):
    table = read_table(data())

    assert table_data(table) == TWO_GROUPS_TABLE
    assert issues(table) == []
    assert table_counts(table) == {"groups": 2, "challenges": 6, "action_points": 7}


def test_read_table_xlsx_places_action_points_by_sheet_and_row():
    table = read_table(two_groups_xlsx())

    assert [
        (p.sheet, p.row) for g in table.groups for c in g.challenges for p in c.action_points
    ] == [
        ("Data Sharing", 7),
        ("Data Sharing", 8),
        ("Data Sharing", 9),
        ("Data Sharing", 10),
        ("Protection Monitoring", 5),
        ("Protection Monitoring", 6),
        ("Protection Monitoring", 7),
    ]
    assert table.title == "PIM Lebanon Action Plan"


def test_read_table_workbook_skips_a_sheet_without_group_with_a_warning():
    data = xlsx_bytes(
        {
            "Notes": [["Written at the workshop in Beirut"]],
            "Group 1": workshop_sheet(1, "Data Sharing", "Jad", SEED_MEMBERS, SEED_ROWS),
        }
    )

    table = read_table(data)

    assert table_data(table) == SEED_TABLE
    assert issues(table) == [
        ("warning", "Sheet “Notes”, row 1: No working group on this sheet; it was skipped.")
    ]


def test_read_table_exported_workbook_reads_the_flat_sheet_once():
    plan_sheet = [
        ["PIM Lebanon Action Plan"],
        [],
        *workshop_sheet(1, "Data Sharing", "Jad", SEED_MEMBERS, SEED_ROWS),
    ]
    flat_sheet = [
        ["Plan", *FLAT_HEADER[:5], "Deadline", "Due date", "Status", "Progress", "Focal points"],
        *[
            ["PIM Lebanon Action Plan", *row[:6], "2019-03-31", "In progress", 40, row[6]]
            for row in flat_records(groups=False)
        ],
    ]

    table = read_table(xlsx_bytes({"Plan": plan_sheet, "Action points": flat_sheet}))

    assert [
        (
            g.number,
            [
                (p.description[:20], p.status, p.progress)
                for c in g.challenges
                for p in c.action_points
            ],
        )
        for g in table.groups
    ] == [
        (
            1,
            [
                ("IMWG to recommend st", "in_progress", 40),
                ("Build comprehensive ", "in_progress", 40),
                ('Disseminate the "VAS', "in_progress", 40),
                ("Raise awareness on n", "in_progress", 40),
            ],
        )
    ]
    assert table.title == "PIM Lebanon Action Plan"
    assert issues(table) == [
        (
            "warning",
            "Sheet “Plan”, row 3: Group 1 is on sheet “Action points” too; it was read from there.",
        )
    ]


# --- header variants and column orders ----------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        ["Challenges", "Action Point", "Timeline / Deadline", "Focal point"],
        ["CHALLENGE", "ACTION POINTS", "DEADLINE", "FOCAL POINTS"],
        ["Challenge(s):", "Activities", "Timeline/Deadline", "Responsible"],
        ["Challenges", "Actions", "Timeframe", "Lead"],
        ["  challenges ", "activity", "timeline", "focal points:"],
    ],
    ids=["seed", "capitals-plural", "colon-slash", "actions-timeframe-lead", "spacing-case"],
)
def test_read_table_workshop_header_variants(header):
    data = workshop_tsv(workshop_block(1, "Data Sharing", "Jad", SEED_MEMBERS, SEED_ROWS, header))

    table = read_table(data.encode())

    assert table_data(table) == SEED_TABLE
    assert issues(table) == []


def test_read_table_workshop_columns_in_another_order():
    header = ["Focal point", "Deadline", "Action Point", "Challenges"]
    rows = [[row[3], row[2], row[1], row[0]] for row in SEED_ROWS]
    data = workshop_tsv(workshop_block(1, "Data Sharing", "Jad", SEED_MEMBERS, rows, header))

    table = read_table(data.encode())

    assert table_data(table) == SEED_TABLE
    assert issues(table) == []


@pytest.mark.parametrize(
    "header",
    [
        FLAT_HEADER,
        [
            "Group",
            "Team leader",
            "Team members",
            "Challenges",
            "Activities",
            "Timeframe",
            "Responsible",
        ],
        ["WORKSTREAM", "team leader", "TEAM MEMBERS", "challenge", "action", "timeline", "lead"],
        [
            "Working groups",
            "Team Leader",
            "Team Members",
            "Challenge",
            "Action points",
            "Timeline / Deadline",
            "Focal point",
        ],
    ],
    ids=["export", "group-activities", "workstream-capitals", "plurals"],
)
def test_read_table_flat_header_variants(header):
    table = read_table(csv_bytes([header, *flat_records()]))

    assert table_data(table) == TWO_GROUPS_TABLE
    assert issues(table) == []


def test_read_table_flat_header_reads_the_workshop_plural_in_parentheses():
    # One header rule for both layouts: "Challenge(s)" names the challenge column in each.
    header = ["Working group(s)", "Challenge(s):", "Action point(s)", "Focal point(s)"]
    rows = [[row[0], row[3], row[4], row[6]] for row in flat_records()]

    table = read_table(csv_bytes([header, *rows]))

    assert issues(table) == []
    assert [len(c.action_points) for g in table.groups for c in g.challenges] == [1, 1, 1, 1, 2, 1]


def test_read_table_flat_columns_in_any_order_and_semicolons():
    order = [6, 5, 4, 3, 0, 2, 1]
    rows = [[row[i] for i in order] for row in [FLAT_HEADER, *flat_records()]]

    table = read_table(csv_bytes(rows, delimiter=";"))

    assert table_data(table) == TWO_GROUPS_TABLE
    assert issues(table) == []


def test_read_table_flat_status_and_progress_words():
    rows = [
        ["Working group", "Challenge", "Action point", "Status", "% complete"],
        ["Group 1: Data", "1. Lack", "A", "Not started", ""],
        ["Group 1: Data", "1. Lack", "B", "in_progress", "40 %"],
        ["Group 1: Data", "1. Lack", "C", "Done", "100"],
        ["Group 1: Data", "1. Lack", "D", "on hold", "12.6"],
        ["Group 1: Data", "1. Lack", "E", "CANCELLED", "0"],
        ["Group 1: Data", "1. Lack", "F", "ongoing", ""],
    ]

    table = read_table(csv_bytes(rows))

    points = table.groups[0].challenges[0].action_points
    assert [(p.description, p.status, p.progress) for p in points] == [
        ("A", "not_started", None),
        ("B", "in_progress", 40),
        ("C", "completed", 100),
        ("D", "blocked", 13),
        ("E", "cancelled", 0),
        ("F", "in_progress", None),
    ]
    assert table.issues == []


def test_read_table_flat_unknown_column_is_a_warning_but_export_columns_are_not():
    rows = [
        ["Plan", "Working group", "Challenge", "Action point", "Due date", "Budget"],
        ["PIM Lebanon Action Plan", "Group 1: Data", "1. Lack", "Do it", "2019-03-31", "5000"],
    ]

    table = read_table(csv_bytes(rows))

    assert issues(table) == [("warning", 'Row 1, column F: Unknown column "Budget" was ignored.')]
    assert table_data(table) == [(1, "Data", "", [], [(1, "Lack", [("Do it", "", "", "")])])]


def test_read_table_flat_group_without_number_is_numbered_in_order():
    rows = [
        ["Working group", "Challenge", "Action point"],
        ["Data Sharing", "Lack of tools", "Do it"],
        ["Protection Monitoring", "No questionnaire", "Agree one"],
    ]

    table = read_table(csv_bytes(rows))

    assert table_data(table) == [
        (1, "Data Sharing", "", [], [(1, "Lack of tools", [("Do it", "", "", "")])]),
        (
            2,
            "Protection Monitoring",
            "",
            [],
            [(1, "No questionnaire", [("Agree one", "", "", "")])],
        ),
    ]


def test_read_table_workshop_unnumbered_challenge_is_numbered_with_a_warning():
    data = "Group 1: Data\nChallenges\tAction Point\n1. Lack\tDo it\nNo trust\tBuild it\n"

    table = read_table(data.encode())

    assert [(c.number, c.description) for c in table.groups[0].challenges] == [
        (1, "Lack"),
        (2, "No trust"),
    ]
    assert issues(table) == [
        ("warning", "Row 4, column A: The challenge has no number; it was numbered 2.")
    ]


def test_read_table_neutralised_cells_read_back_as_written():
    rows = [
        ["Working group", "Challenge", "Action point", "Focal points"],
        ["Group 1: Data", "1. Lack", "'=1+1", "Jad"],
        ["Group 1: Data", "1. Lack", "'-  bullet", "Jad"],
        ["Group 1: Data", "1. Lack", "'@mention", "Jad"],
        ["Group 1: Data", "1. Lack", "'+961 phone tree", "Jad"],
        ["Group 1: Data", "1. Lack", "'quoted' text", "Jad"],
    ]

    table = read_table(csv_bytes(rows))

    assert [p.description for p in table.groups[0].challenges[0].action_points] == [
        "=1+1",
        "- bullet",
        "@mention",
        "+961 phone tree",
        "'quoted' text",
    ]


def test_read_table_pasted_text_with_windows_line_endings_and_trailing_tabs():
    data = seed_bytes().replace(b"\n", b"\r\n")

    assert table_data(read_table(data)) == SEED_TABLE


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_read_table_seed_in_each_encoding(encoding):
    data = seed_bytes().decode("utf-8").encode(encoding)

    table = read_table(data)

    assert table_data(table) == SEED_TABLE
    assert table.issues == []


def test_read_table_flat_csv_in_cp1252_keeps_accents():
    rows = [
        FLAT_HEADER,
        [
            "Group 1: Données",
            "Rémi",
            "Rémi, Zoé",
            "1. Accès aux données",
            "Créer l’outil",
            "T1 2019",
            "Zoé",
        ],
    ]
    table = read_table(csv_bytes(rows, encoding="cp1252"))

    assert table_data(table) == [
        (
            1,
            "Données",
            "Rémi",
            ["Rémi", "Zoé"],
            [(1, "Accès aux données", [("Créer l’outil", "T1 2019", "Zoé", "")])],
        )
    ]
    # "T1" is French for Q1: read like it (docs/domain.md, Deadlines).
    assert issues(table) == []


# --- limits ---------------------------------------------------------------------------------


def test_read_table_at_the_limits_is_accepted(settings):
    data = seed_bytes()
    settings.IMPORT_MAX_BYTES = len(data)
    settings.IMPORT_MAX_ROWS = 10

    assert table_data(read_table(data)) == SEED_TABLE


def test_read_table_workbook_at_the_unpacked_limit_is_accepted(settings):
    data = two_groups_xlsx()
    import io
    import zipfile

    settings.IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES = sum(
        info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist()
    )

    assert table_data(read_table(data)) == TWO_GROUPS_TABLE


def test_check_size_refuses_one_byte_over(settings):
    settings.IMPORT_MAX_BYTES = 2 * 1024 * 1024
    check_size(2 * 1024 * 1024)

    with pytest.raises(ValidationError) as excinfo:
        check_size(2 * 1024 * 1024 + 1)

    assert excinfo.value.messages == ["The file is 2.0 MB; the most accepted is 2 MB."]


# --- malformed files --------------------------------------------------------------------------


@pytest.mark.parametrize("case", MALFORMED, ids=lambda case: case.id)
def test_read_table_malformed_file_gives_its_message(case, settings):
    for name, value in case.settings.items():
        setattr(settings, name, value)
    data = case.content()

    if case.raised:
        with pytest.raises(ValidationError) as excinfo:
            read_table(data)
        assert (excinfo.value.messages, excinfo.value.code) == (case.messages, case.code)
    else:
        assert [str(issue) for issue in read_table(data).errors] == case.messages


def test_malformed_cases_are_at_least_fifteen_and_distinct():
    assert len(MALFORMED) >= 15
    assert len({case.id for case in MALFORMED}) == len(MALFORMED)
