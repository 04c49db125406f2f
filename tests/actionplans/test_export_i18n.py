"""Exports in French and Arabic: the CSV and HXL files keep their English column names
and words whatever the language (machines read them); the workbook's workshop sheet is
written in the language of the request, and reads back.

A French and an Arabic catalogue written for these tests (test_catalogues) translate the
workbook's words and, as a trap, the CSV's: the tests do not depend on the project's
catalogues, which translators fill later. One test checks that whatever those say, the
importer reads the workbook's words back."""

from __future__ import annotations

import csv
import datetime
import io
import struct
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from actionplans.exports import xlsx
from actionplans.exports.csv import csv_blocks
from actionplans.exports.hxl import HXL_COLUMNS, hxl_rows
from actionplans.exports.rows import FLAT_COLUMNS, SHARED_CELLS, flat_rows
from actionplans.exports.xlsx import plan_workbook
from actionplans.imports.decode import xlsx_sheets
from actionplans.imports.read import read_table
from actionplans.imports.table import WORKSHOP_KEYS, column_key, group_line, team_line
from actionplans.imports.workshop import read_workshop_rows
from actionplans.imports.write import plan_import
from actionplans.models import ActionPlan
from actionplans.services import progress_update_create
from tests.actionplans.transfer import TWO_GROUPS_CONTENT, plan_content, two_groups_tsv
from tests.users import build_world

pytestmark = pytest.mark.django_db

BASE = "http://testserver"

# What the test catalogues say: the workbook's words, and words of the CSV and HXL files
# that must not be translated there (their column names, a status, a role).
CATALOGUES = {
    "fr": {
        "Plan": "Plan d'action",
        "Action points": "Points d'action",
        "Group %(number)s: %(name)s": "Groupe %(number)s : %(name)s",
        "Team leader": "Chef d'équipe",
        "Team members": "Membres de l'équipe",
        "Challenges": "Défis",
        "Action Point": "Actions",
        "Timeline / Deadline": "Échéance",
        "Focal point": "Points focaux",
        # Traps: the flat export and HXL never ask for these.
        "Working group": "Groupe de travail",
        "Status": "Statut",
        "Deadline": "Échéance",
        "Progress (%)": "Avancement (%)",
        "In progress": "En cours",
        "Not started": "Non commencé",
        "Lead": "Responsable",
        "Support": "Appui",
    },
    "ar": {
        "Plan": "الخطة",
        "Action points": "نقاط العمل",
        "Group %(number)s: %(name)s": "المجموعة %(number)s: %(name)s",
        "Team leader": "قائد الفريق",
        "Team members": "أعضاء الفريق",
        "Challenges": "التحديات",
        "Action Point": "الإجراءات",
        "Timeline / Deadline": "الموعد النهائي",
        "Focal point": "جهات الاتصال",
        "Working group": "مجموعة العمل",
        "Status": "الحالة",
        "Deadline": "الموعد النهائي",
        "Progress (%)": "نسبة الإنجاز",
        "In progress": "قيد التنفيذ",
        "Not started": "لم يبدأ",
        "Lead": "المسؤول",
        "Support": "دعم",
    },
}


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A compiled gettext catalogue (GNU .mo) of these messages, in UTF-8."""
    entries = sorted({"": "Content-Type: text/plain; charset=UTF-8\n", **messages}.items())
    ids = [key.encode() for key, _value in entries]
    strs = [value.encode() for _key, value in entries]
    count = len(entries)
    start = 7 * 4 + 16 * count  # the header, then the two tables of (length, offset)
    id_offsets, offset = [], start
    for text in ids:
        id_offsets.append((len(text), offset))
        offset += len(text) + 1
    str_offsets = []
    for text in strs:
        str_offsets.append((len(text), offset))
        offset += len(text) + 1
    header = struct.pack("<7I", 0x950412DE, 0, count, 28, 28 + 8 * count, 0, start)
    tables = b"".join(struct.pack("<2I", *pair) for pair in id_offsets + str_offsets)
    body = b"".join(text + b"\0" for text in ids + strs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + tables + body)


@pytest.fixture
def test_catalogues(settings, tmp_path):
    """The French and Arabic test catalogues instead of the project's."""
    for language, messages in CATALOGUES.items():
        write_mo(tmp_path / language / "LC_MESSAGES" / "django.mo", messages)
    settings.LOCALE_PATHS = [tmp_path]
    # The catalogues are read: the tests below are not passing on English by default.
    for language, messages in CATALOGUES.items():
        with translation.override(language):
            assert gettext("Team leader") == messages["Team leader"]


@pytest.fixture
def source() -> ActionPlan:
    """The seed and a second group (organizations, a merged challenge, an undated point),
    one point in progress."""
    plan = plan_import(table=read_table(two_groups_tsv()), title="Source").plan
    point = plan.working_groups.get(number=1).challenges.get(number=1).action_points.get()
    progress_update_create(action_point=point, author=None, status="in_progress", progress=40)
    return plan


def _csv(plan: ActionPlan) -> str:
    return "".join(csv_blocks(flat_rows(plan), repeated=SHARED_CELLS))


def _values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _as_read_back(value: object) -> object:
    """A flat row's value as openpyxl reads its cell back (empty text: an empty cell;
    dates and times: naive datetimes in the site's time zone)."""
    if value == "":
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    return value


# --- CSV and HXL: English for machines ----------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_flat_csv_is_the_same_file_in_every_language(test_catalogues, source, language):
    with translation.override("en"):
        english = _csv(source)
    with translation.override(language):
        translated = _csv(source)

    assert translated == english
    rows = list(csv.reader(io.StringIO(english.lstrip("\ufeff"))))
    assert rows[0] == FLAT_COLUMNS
    assert rows[0][1] == "Working group"
    # Statuses and roles as the importer reads them back, in English.
    assert [row[8] for row in rows[1:3]] == ["In progress", "Not started"]
    assert rows[5][10] == "Rana (lead, UNHCR)"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_hxl_is_the_same_file_in_every_language(test_catalogues, source, language):
    with translation.override("en"):
        english = list(hxl_rows(source, BASE))
    with translation.override(language):
        translated = list(hxl_rows(source, BASE))

    assert translated == english
    assert english[0] == [header for header, _tag in HXL_COLUMNS]
    assert english[0][3] == "Working group"


@pytest.mark.parametrize(
    "url",
    [
        "/plans/{pk}/export.csv",
        "/plans/{pk}/export-hxl.csv",
        "/action-points/export.csv",
    ],
)
def test_csv_and_hxl_downloads_keep_their_english_headers_for_a_french_browser(
    client, test_catalogues, url
):
    world = build_world()
    client.force_login(world.coordinator)
    path = url.format(pk=world.plan.pk)

    english = b"".join(client.get(path, HTTP_ACCEPT_LANGUAGE="en").streaming_content)
    french = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")

    assert b"".join(french.streaming_content) == english
    header = next(csv.reader(io.StringIO(english.decode("utf-8-sig"))))
    expected = [h for h, _tag in HXL_COLUMNS] if "hxl" in url else FLAT_COLUMNS
    assert header == expected


def test_api_csv_keeps_its_english_headers_for_a_french_client(test_catalogues):
    from tests.api.helpers import token_client

    world = build_world()
    api = token_client(world.member)
    path = f"/api/v1/plans/{world.plan.pk}/export/csv/"

    english = b"".join(api.get(path, HTTP_ACCEPT_LANGUAGE="en").streaming_content)
    french = b"".join(api.get(path, HTTP_ACCEPT_LANGUAGE="fr").streaming_content)

    assert french == english
    assert next(csv.reader(io.StringIO(english.decode("utf-8-sig")))) == FLAT_COLUMNS


# --- the workbook: the workshop sheet in the user's language ------------------------------------

# The workshop sheet's status and progress columns come after the four it reads back.
FRENCH_PLAN_SHEET_HEAD = [
    ["Source", None, None, None, None, None],
    [None, None, None, None, None, None],
    ["Groupe 1 : Data Sharing", None, None, None, None, None],
    ["Chef d'équipe", "Jad", None, None, None, None],
    ["Membres de l'équipe", "Rana, Omar, Maria, Fred, Jad", None, None, None, None],
    ["Défis", "Actions", "Échéance", "Points focaux", "Statut", "Avancement (%)"],
]
ARABIC_PLAN_SHEET_HEAD = [
    ["Source", None, None, None, None, None],
    [None, None, None, None, None, None],
    ["المجموعة 1: Data Sharing", None, None, None, None, None],
    ["قائد الفريق", "Jad", None, None, None, None],
    ["أعضاء الفريق", "Rana, Omar, Maria, Fred, Jad", None, None, None, None],
    ["التحديات", "الإجراءات", "الموعد النهائي", "جهات الاتصال", "الحالة", "نسبة الإنجاز"],
]


@pytest.mark.parametrize(
    ("language", "sheet_names", "head", "group_2", "right_to_left", "statuses"),
    [
        (
            "fr",
            ["Plan d'action", "Points d'action"],
            FRENCH_PLAN_SHEET_HEAD,
            "Groupe 2 : Protection Monitoring",
            False,
            [("En cours", 40), ("Non commencé", 0)],
        ),
        (
            "ar",
            ["الخطة", "نقاط العمل"],
            ARABIC_PLAN_SHEET_HEAD,
            "المجموعة 2: Protection Monitoring",
            True,
            [("قيد التنفيذ", 40), ("لم يبدأ", 0)],
        ),
    ],
    ids=["fr", "ar"],
)
def test_workbook_workshop_sheet_is_in_the_language_and_the_flat_sheet_in_english(
    test_catalogues, source, language, sheet_names, head, group_2, right_to_left, statuses
):
    with translation.override("en"):
        flat = [list(row) for row in flat_rows(source)]
    with translation.override(language):
        workbook = openpyxl.load_workbook(io.BytesIO(plan_workbook(source)))

    assert workbook.sheetnames == sheet_names
    plan_sheet, flat_sheet = workbook.worksheets
    values = _values(plan_sheet)
    assert values[:6] == head
    assert values[6][0] == "1. Lack of common, user-friendly and secure data-sharing tools"
    # Status (in the language of the request) and progress of the first two points.
    assert [tuple(row[4:6]) for row in values[6:8]] == statuses
    assert [row[0] for row in values if row[0] and row[0].startswith(head[2][0][:3])] == [
        head[2][0],
        group_2,
    ]
    assert plan_sheet.sheet_view.rightToLeft is right_to_left
    # The flat sheet is the CSV export's rows: English column names and words.
    assert _values(flat_sheet) == [[_as_read_back(v) for v in row] for row in flat]
    assert flat_sheet.sheet_view.rightToLeft is not True


def test_workbook_in_english_is_unchanged(test_catalogues, source):
    with translation.override("en"):
        workbook = openpyxl.load_workbook(io.BytesIO(plan_workbook(source)))

    assert workbook.sheetnames == ["Plan", "Action points"]
    assert _values(workbook["Plan"])[2:6] == [
        ["Group 1: Data Sharing", None, None, None, None, None],
        ["Team leader", "Jad", None, None, None, None],
        ["Team members", "Rana, Omar, Maria, Fred, Jad", None, None, None, None],
        [
            "Challenges",
            "Action Point",
            "Timeline / Deadline",
            "Focal point",
            "Status",
            "Progress (%)",
        ],
    ]
    assert workbook["Plan"].sheet_view.rightToLeft is not True


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_translated_workshop_sheet_imports_back_to_the_same_plan(test_catalogues, source, language):
    with translation.override(language):
        data = plan_workbook(source)
    name, rows = xlsx_sheets(data)[0]

    # The workshop sheet alone (no status or progress there: the point in progress is not).
    table = read_workshop_rows(rows, name)
    copy = plan_import(table=table, title="Copy").plan

    assert table.issues == []
    assert plan_content(copy) == TWO_GROUPS_CONTENT


@pytest.mark.parametrize(
    ("language", "plan_sheet", "flat_sheet"),
    [("fr", "Plan d'action", "Points d'action"), ("ar", "الخطة", "نقاط العمل")],
)
def test_translated_workbook_imports_back_from_its_flat_sheet(
    test_catalogues, source, language, plan_sheet, flat_sheet
):
    with translation.override(language):
        data = plan_workbook(source)

    table = read_table(data)
    copy = plan_import(table=table, title="Copy").plan

    # Each group is on both sheets: the translated group lines are told to be the flat
    # sheet's groups, which are read from there (with their status and progress).
    assert table.errors == []
    assert [str(issue) for issue in table.warnings] == [
        f"Sheet “{plan_sheet}”, row {row}: Group {number} is on sheet “{flat_sheet}” too; "
        "it was read from there."
        for row, number in [(3, 1), (12, 2)]
    ]
    assert plan_content(copy) == plan_content(source)


def test_xlsx_download_is_in_the_browser_s_language(client, test_catalogues):
    world = build_world()
    client.force_login(world.coordinator)

    response = client.get(f"/plans/{world.plan.pk}/export.xlsx", HTTP_ACCEPT_LANGUAGE="fr")

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Plan d'action", "Points d'action"]
    assert _values(workbook.worksheets[0])[2:6] == [
        ["Groupe 1 : Data Sharing", None, None, None, None, None],
        ["Chef d'équipe", "Jad", None, None, None, None],
        ["Membres de l'équipe", "Jad", None, None, None, None],
        ["Défis", "Actions", "Échéance", "Points focaux", "Statut", "Avancement (%)"],
    ]
    assert _values(workbook.worksheets[1])[0] == FLAT_COLUMNS


# --- the project's catalogues -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_importer_reads_the_workbook_s_words_as_the_catalogues_translate_them(language):
    """Whatever the translators write for the workbook's words, the importer must read
    them back (imports/table.py's COLUMN_ALIASES): a guard on the project's catalogues."""
    with translation.override(language):
        header = [gettext(word) for word in xlsx.PLAN_HEADER]
        progress_header = [gettext(word) for word in xlsx.PROGRESS_HEADER]
        leader, members = gettext(xlsx.TEAM_LEADER), gettext(xlsx.TEAM_MEMBERS)
        line = gettext(xlsx.GROUP_LINE) % {"number": 2, "name": "Protection"}

    assert [column_key(word) for word in header] == list(WORKSHOP_KEYS)
    # Known, so that the workshop reader passes over them without a warning.
    assert [column_key(word) for word in progress_header] == ["status", "progress"]
    assert (team_line(leader), team_line(members)) == (("team_leader", ""), ("team_members", ""))
    assert group_line(line) == (2, "Protection")
