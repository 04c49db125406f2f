"""Tests for reading written deadlines and focal-point cells (actionplans.parsing).

Pure functions: no database, so no django_db mark.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from actionplans.choices import DeadlinePrecision, FocalPointRole
from actionplans.parsing import (
    DEADLINE_EXAMPLES,
    FocalPointEntry,
    ParsedDeadline,
    looks_like_organization,
    parse_deadline,
    parse_focal_points,
)

D = datetime.date
DAY, MONTH, QUARTER = DeadlinePrecision.DAY, DeadlinePrecision.MONTH, DeadlinePrecision.QUARTER
HALF, YEAR, NONE = DeadlinePrecision.HALF, DeadlinePrecision.YEAR, DeadlinePrecision.NONE
LEAD, SUPPORT, ADVISOR = FocalPointRole.LEAD, FocalPointRole.SUPPORT, FocalPointRole.ADVISOR

DEADLINE_CASES: list[tuple[str, str, datetime.date | None]] = [
    # day
    ("2019-03-15", DAY, D(2019, 3, 15)),
    ("15/03/2019", DAY, D(2019, 3, 15)),
    ("15.03.2019", DAY, D(2019, 3, 15)),
    ("15-03-2019", DAY, D(2019, 3, 15)),
    ("5/3/2019", DAY, D(2019, 3, 5)),
    ("15 March 2019", DAY, D(2019, 3, 15)),
    ("March 15, 2019", DAY, D(2019, 3, 15)),
    ("15 Mar 2019", DAY, D(2019, 3, 15)),
    ("29/02/2020", DAY, D(2020, 2, 29)),
    ("No later than 15/03/2019", DAY, D(2019, 3, 15)),
    # month
    ("March 2019", MONTH, D(2019, 3, 31)),
    ("Mar 2019", MONTH, D(2019, 3, 31)),
    ("Mar-19", MONTH, D(2019, 3, 31)),
    ("03/2019", MONTH, D(2019, 3, 31)),
    ("3/2019", MONTH, D(2019, 3, 31)),
    ("end of March 2019", MONTH, D(2019, 3, 31)),
    ("Sept 2019", MONTH, D(2019, 9, 30)),
    ("September 2019", MONTH, D(2019, 9, 30)),
    ("Feb 2020", MONTH, D(2020, 2, 29)),
    ("Feb 2019", MONTH, D(2019, 2, 28)),
    ("Dec-20", MONTH, D(2020, 12, 31)),
    ("by the end of April 2019", MONTH, D(2019, 4, 30)),
    # quarter
    ("Q1 2019", QUARTER, D(2019, 3, 31)),
    ("Q1 of 2019", QUARTER, D(2019, 3, 31)),
    ("2019 Q1", QUARTER, D(2019, 3, 31)),
    ("Q1-2019", QUARTER, D(2019, 3, 31)),
    ("first quarter of 2019", QUARTER, D(2019, 3, 31)),
    ("1st quarter 2019", QUARTER, D(2019, 3, 31)),
    ("Q2 2019", QUARTER, D(2019, 6, 30)),
    ("Q3 2019", QUARTER, D(2019, 9, 30)),
    ("Q4 2019", QUARTER, D(2019, 12, 31)),
    ("before Q2 2019", QUARTER, D(2019, 6, 30)),
    # half
    ("H1 2019", HALF, D(2019, 6, 30)),
    ("H2 2019", HALF, D(2019, 12, 31)),
    ("first half of 2019", HALF, D(2019, 6, 30)),
    ("second half of 2019", HALF, D(2019, 12, 31)),
    ("mid-2019", HALF, D(2019, 6, 30)),
    ("mid 2019", HALF, D(2019, 6, 30)),
    # year
    ("2019", YEAR, D(2019, 12, 31)),
    ("end of 2019", YEAR, D(2019, 12, 31)),
    ("by end 2019", YEAR, D(2019, 12, 31)),
    ("during 2019", YEAR, D(2019, 12, 31)),
    ("end-2019", YEAR, D(2019, 12, 31)),
    ("until 2020", YEAR, D(2020, 12, 31)),
    ("in 2019", YEAR, D(2019, 12, 31)),
    ("till 2019", YEAR, D(2019, 12, 31)),
    # ranges count as their last part
    ("Q1-Q2 2019", QUARTER, D(2019, 6, 30)),
    ("Jan-Mar 2019", MONTH, D(2019, 3, 31)),
    ("2019-2020", YEAR, D(2020, 12, 31)),
    ("Q4 2019 - Q1 2020", QUARTER, D(2020, 3, 31)),
    ("March - June 2019", MONTH, D(2019, 6, 30)),
    ("H1-H2 2019", HALF, D(2019, 12, 31)),
    ("Jan 2019 to March 2019", MONTH, D(2019, 3, 31)),
    ("Q1\u2013Q2 2019", QUARTER, D(2019, 6, 30)),
    ("2019-2019", YEAR, D(2019, 12, 31)),
    # no date
    ("ongoing", NONE, None),
    ("on-going", NONE, None),
    ("continuous", NONE, None),
    ("continuously", NONE, None),
    ("TBD", NONE, None),
    ("TBC", NONE, None),
    ("to be determined", NONE, None),
    ("", NONE, None),
    ("   ", NONE, None),
    ("\t\xa0\n", NONE, None),
    # spacing, case and trailing punctuation
    ("  q1   OF\t2019  ", QUARTER, D(2019, 3, 31)),
    ("Q1\xa02019", QUARTER, D(2019, 3, 31)),
    ("MARCH 2019.", MONTH, D(2019, 3, 31)),
    ("By  The  End  Of  2019.", YEAR, D(2019, 12, 31)),
    ("Ongoing.", NONE, None),
    ("h1 2019", HALF, D(2019, 6, 30)),
]

UNREADABLE_DEADLINES: list[str] = [
    "next spring",
    "Q5 2019",
    "Q0 2019",
    "13/2019",
    "0/2019",
    "32/01/2019",
    "31/02/2019",
    "29/02/2019",
    "03/15/2019",
    "H3 2019",
    "2019-2018",
    "Q2 - Q1 2019",
    "abc",
    "20199",
    "1850",
    "2101",
    "Mar 19",
    "March",
    "Q1",
    "by",
    "soon",
    "2019/2020/2021",
]


@pytest.mark.parametrize(("text", "precision", "due_date"), DEADLINE_CASES)
def test_parse_deadline_reads_written_forms(
    text: str, precision: str, due_date: datetime.date | None
) -> None:
    assert parse_deadline(text) == ParsedDeadline(precision, due_date)


@pytest.mark.parametrize("text", UNREADABLE_DEADLINES)
def test_parse_deadline_rejects_unreadable_text_with_examples(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_deadline(text)

    error = caught.value
    assert error.code == "invalid_deadline"
    assert error.params == {"value": text}
    assert f'"{text}"' in error.messages[0]
    assert error.messages[0].endswith(f"Write it as, for example: {DEADLINE_EXAMPLES}.")


def test_parse_deadline_message_matches_documented_wording() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_deadline("next spring")

    assert caught.value.messages == [
        'Cannot read the deadline "next spring". Write it as, for example: 2019-03-15, '
        '15/03/2019, March 2019, Q1 2019, H1 2019, 2019, Q1-Q2 2019, or "ongoing".'
    ]


def test_parse_deadline_reversed_range_says_it_ends_before_it_starts() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_deadline("2019-2018")

    assert caught.value.messages[0].startswith('The deadline "2019-2018" ends before it starts.')


def test_parse_deadline_rejects_text_over_100_characters() -> None:
    text = "Q1 2019 " + "x" * 93

    with pytest.raises(ValidationError) as caught:
        parse_deadline(text)

    assert len(text) == 101
    assert caught.value.code == "invalid_deadline"
    assert caught.value.params == {"value": text}
    assert caught.value.messages[0].startswith(f'The deadline "{text[:40]}…" is too long')
    assert DEADLINE_EXAMPLES in caught.value.messages[0]


def test_parse_deadline_accepts_text_of_exactly_100_characters() -> None:
    text = "Q1 2019" + " " * 93

    assert parse_deadline(text) == ParsedDeadline(QUARTER, D(2019, 3, 31))


def test_parse_deadline_rejects_nul_byte() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_deadline("Q1\x002019")

    assert caught.value.code == "invalid_deadline"
    assert caught.value.params == {"value": "Q1\x002019"}
    assert "'Q1\\x002019'" in caught.value.messages[0]
    assert "\x00" not in caught.value.messages[0]


@pytest.mark.parametrize(
    "example", ["2019-03-15", "15/03/2019", "March 2019", "Q1 2019", "H1 2019", "2019", "ongoing"]
)
def test_deadline_examples_are_all_accepted(example: str) -> None:
    assert example in DEADLINE_EXAMPLES
    assert parse_deadline(example).precision in DeadlinePrecision.values


def E(name: str, role: str, organization: str | None = None, note: str = "") -> FocalPointEntry:
    """Shorthand for an expected entry, so the table below stays readable."""
    return FocalPointEntry(name, role, organization, note)


FOCAL_POINT_CASES: list[tuple[str, list[FocalPointEntry]]] = [
    # seed cells
    ("Jad", [E("Jad", LEAD)]),
    ("Fanette (Fred can advise)", [E("Fanette", LEAD), E("Fred", ADVISOR)]),
    # helpers named in parentheses
    ("Jad (Rana to advise)", [E("Jad", LEAD), E("Rana", ADVISOR)]),
    ("Jad (advised by Fred)", [E("Jad", LEAD), E("Fred", ADVISOR)]),
    ("Jad (with support from Rana)", [E("Jad", LEAD), E("Rana", SUPPORT)]),
    ("Jad (supported by Rana)", [E("Jad", LEAD), E("Rana", SUPPORT)]),
    ("Jad (Rana to support)", [E("Jad", LEAD), E("Rana", SUPPORT)]),
    (
        "Fanette (Fred and Maria can advise)",
        [E("Fanette", LEAD), E("Fred", ADVISOR), E("Maria", ADVISOR)],
    ),
    # lists: first leads, others support
    ("Rana, Omar", [E("Rana", LEAD), E("Omar", SUPPORT)]),
    ("Jad / Maria", [E("Jad", LEAD), E("Maria", SUPPORT)]),
    ("Omar and Fred", [E("Omar", LEAD), E("Fred", SUPPORT)]),
    ("Rana; Omar", [E("Rana", LEAD), E("Omar", SUPPORT)]),
    ("Rana & Omar", [E("Rana", LEAD), E("Omar", SUPPORT)]),
    ("Rana, Omar and Fred", [E("Rana", LEAD), E("Omar", SUPPORT), E("Fred", SUPPORT)]),
    ("Rana, and Omar", [E("Rana", LEAD), E("Omar", SUPPORT)]),
    ("Jad\nRana", [E("Jad", LEAD), E("Rana", SUPPORT)]),
    ("Anderson and Randa", [E("Anderson", LEAD), E("Randa", SUPPORT)]),
    # explicit roles
    ("Jad (lead), Rana (support)", [E("Jad", LEAD), E("Rana", SUPPORT)]),
    ("Rana (advisor)", [E("Rana", ADVISOR)]),
    ("Jad, Rana (adviser)", [E("Jad", LEAD), E("Rana", ADVISOR)]),
    ("Jad (advise)", [E("Jad", ADVISOR)]),
    ("Jad (focal point), Rana", [E("Jad", LEAD), E("Rana", SUPPORT)]),
    ("Jad (co-lead), Rana (co-lead), Omar", [E("Jad", LEAD), E("Rana", LEAD), E("Omar", SUPPORT)]),
    ("Rana, Jad (lead)", [E("Rana", SUPPORT), E("Jad", LEAD)]),
    ("Rana (advisor), Jad", [E("Rana", ADVISOR), E("Jad", LEAD)]),
    # organizations
    ("UNHCR (Jad)", [E("Jad", LEAD, "UNHCR")]),
    ("Jad (UNHCR)", [E("Jad", LEAD, "UNHCR")]),
    ("UNHCR (Jad, Rana)", [E("Jad", LEAD, "UNHCR"), E("Rana", SUPPORT, "UNHCR")]),
    ("Jad (MoSA), Rana (UNICEF)", [E("Jad", LEAD, "MoSA"), E("Rana", SUPPORT, "UNICEF")]),
    ("Jad (lead, UNHCR)", [E("Jad", LEAD, "UNHCR")]),
    ("UNHCR (Jad (lead), Rana)", [E("Jad", LEAD, "UNHCR"), E("Rana", SUPPORT, "UNHCR")]),
    ("IMWG", [E("IMWG", LEAD)]),
    ("IMWG, UNICEF", [E("IMWG", LEAD), E("UNICEF", SUPPORT)]),
    ("Jad - UNHCR", [E("Jad - UNHCR", LEAD)]),
    # unreadable parentheses are kept as notes
    ("Jad (tbc)", [E("Jad", LEAD, note="tbc")]),
    ("Jad (TBC)", [E("Jad", LEAD, note="TBC")]),
    ("Jad (Rana)", [E("Jad", LEAD, note="Rana")]),
    ("Jad (UNHCR) (from  May)", [E("Jad", LEAD, "UNHCR", "from May")]),
    ("UNHCR (jad)", [E("UNHCR", LEAD, note="jad")]),
    ("IMWG (waiting for confirmation)", [E("IMWG", LEAD, note="waiting for confirmation")]),
    # whitespace, punctuation, empties
    ("", []),
    ("  \t ", []),
    (" , ; / ", []),
    ("  Jad.  ", [E("Jad", LEAD)]),
    ("Jad\xa0\xa0(UNHCR)", [E("Jad", LEAD, "UNHCR")]),
    ("Rana  El\tKhoury, Omar", [E("Rana El Khoury", LEAD), E("Omar", SUPPORT)]),
    # duplicates merge, keeping the first place and the strongest role
    ("Jad, jad", [E("Jad", LEAD)]),
    ("Rana, Jad, jad (lead)", [E("Rana", SUPPORT), E("Jad", LEAD)]),
    ("Jad (tbc), Rana, JAD (UNHCR)", [E("Jad", LEAD, "UNHCR", "tbc"), E("Rana", SUPPORT)]),
]


@pytest.mark.parametrize(("text", "expected"), FOCAL_POINT_CASES)
def test_parse_focal_points_reads_cells(text: str, expected: list[FocalPointEntry]) -> None:
    assert parse_focal_points(text) == expected


@pytest.mark.parametrize(
    ("text", "message_start"),
    [
        ("Jad (UNHCR", 'Cannot read the focal points "Jad (UNHCR": a parenthesis'),
        ("Jad) (Rana", 'Cannot read the focal points "Jad) (Rana": a parenthesis'),
        ("Jad ((lead)", 'Cannot read the focal points "Jad ((lead)": a parenthesis'),
        ("Jad (((lead)))", 'Cannot read the focal points "Jad (((lead)))": parentheses are nested'),
        ("(" * 250 + ")" * 250, 'Cannot read the focal points "((((('),
        ("Jad\x00", "Cannot read the focal points 'Jad\\x00': it contains a NUL character."),
        ("J" * 501, f'The focal points "{"J" * 40}…" are too long'),
    ],
)
def test_parse_focal_points_rejects_unreadable_text(text: str, message_start: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_focal_points(text)

    assert caught.value.code == "invalid_focal_points"
    assert caught.value.params == {"value": text}
    assert caught.value.messages[0].startswith(message_start)


def test_parse_focal_points_accepts_text_of_exactly_500_characters() -> None:
    text = "Jad" + " " * 497

    assert parse_focal_points(text) == [E("Jad", LEAD)]


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("UNHCR", True),
        ("UNICEF", True),
        ("DRC", True),
        ("IOM", True),
        ("M&E", True),
        ("MoSA", True),
        ("iMMAP", True),
        ("UN-Habitat", False),
        ("Jad", False),
        ("McDonald", False),
        ("TBC", False),
        ("U", False),
        ("ABCDEFGHIJKLM", False),
        ("UN HCR", False),
    ],
)
def test_looks_like_organization_recognises_acronyms(token: str, expected: bool) -> None:
    assert looks_like_organization(token) is expected
