"""Deadlines as people write them in French and Arabic (actionplans.parsing, issue 16).

The same reader as English (tests/actionplans/test_parsing.py): the text is kept as
written, the due date and precision are those of the English equivalent. Pure functions,
except the last test, which goes through the action point service.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from actionplans.choices import DeadlinePrecision
from actionplans.parsing import (
    DEADLINE_EXAMPLES,
    DEADLINE_EXAMPLES_BY_LANGUAGE,
    ParsedDeadline,
    deadline_examples,
    deadline_examples_lazy,
    parse_deadline,
)
from actionplans.services import action_point_create
from tests.factories import ChallengeFactory

D = datetime.date
DAY, MONTH, QUARTER = DeadlinePrecision.DAY, DeadlinePrecision.MONTH, DeadlinePrecision.QUARTER
HALF, YEAR, NONE = DeadlinePrecision.HALF, DeadlinePrecision.YEAR, DeadlinePrecision.NONE

FRENCH_CASES: list[tuple[str, str, datetime.date | None]] = [
    # quarter: last day of the quarter
    ("T1 2020", QUARTER, D(2020, 3, 31)),
    ("T2 2020", QUARTER, D(2020, 6, 30)),
    ("t3 2020", QUARTER, D(2020, 9, 30)),
    ("T4-2020", QUARTER, D(2020, 12, 31)),
    ("T4/2020", QUARTER, D(2020, 12, 31)),
    ("2020-T1", QUARTER, D(2020, 3, 31)),
    ("Q3/2020", QUARTER, D(2020, 9, 30)),
    ("1er trimestre 2020", QUARTER, D(2020, 3, 31)),
    ("1ᵉʳ trimestre 2020", QUARTER, D(2020, 3, 31)),
    ("premier trimestre 2020", QUARTER, D(2020, 3, 31)),
    ("2e trimestre 2020", QUARTER, D(2020, 6, 30)),
    ("2ème trimestre 2020", QUARTER, D(2020, 6, 30)),
    ("deuxième trimestre 2020", QUARTER, D(2020, 6, 30)),
    ("DEUXIEME TRIMESTRE 2020", QUARTER, D(2020, 6, 30)),
    ("troisième trimestre de 2020", QUARTER, D(2020, 9, 30)),
    ("4e trimestre 2020", QUARTER, D(2020, 12, 31)),
    ("fin du 1er trimestre 2020", QUARTER, D(2020, 3, 31)),
    ("fin T1 2020", QUARTER, D(2020, 3, 31)),
    # the beginning of a year is its first quarter (as its middle ends the first half)
    ("début 2020", QUARTER, D(2020, 3, 31)),
    ("Debut 2020", QUARTER, D(2020, 3, 31)),
    ("au début de 2020", QUARTER, D(2020, 3, 31)),
    # half: 30 June / 31 December
    ("S1 2020", HALF, D(2020, 6, 30)),
    ("S2 2020", HALF, D(2020, 12, 31)),
    ("S2-2020", HALF, D(2020, 12, 31)),
    ("2020 S1", HALF, D(2020, 6, 30)),
    ("1er semestre 2020", HALF, D(2020, 6, 30)),
    ("second semestre 2020", HALF, D(2020, 12, 31)),
    ("deuxième semestre de 2020", HALF, D(2020, 12, 31)),
    ("mi-2020", HALF, D(2020, 6, 30)),
    ("Mi 2020", HALF, D(2020, 6, 30)),
    ("courant 2e semestre 2020", HALF, D(2020, 12, 31)),
    # month: last day of the month, accents optional, any case
    ("juin 2020", MONTH, D(2020, 6, 30)),
    ("fin juin 2020", MONTH, D(2020, 6, 30)),
    ("fin mars 2020", MONTH, D(2020, 3, 31)),
    ("Fin Mars 2020", MONTH, D(2020, 3, 31)),
    ("février 2020", MONTH, D(2020, 2, 29)),
    ("fevrier 2020", MONTH, D(2020, 2, 29)),
    ("Février 2021", MONTH, D(2021, 2, 28)),
    ("FÉVR. 2021", MONTH, D(2021, 2, 28)),
    ("janvier 2021", MONTH, D(2021, 1, 31)),
    ("janv. 2021", MONTH, D(2021, 1, 31)),
    ("avril 2020", MONTH, D(2020, 4, 30)),
    ("mai 2020", MONTH, D(2020, 5, 31)),
    ("juillet 2020", MONTH, D(2020, 7, 31)),
    ("juil. 2020", MONTH, D(2020, 7, 31)),
    ("août 2020", MONTH, D(2020, 8, 31)),
    ("aout 2020", MONTH, D(2020, 8, 31)),
    ("septembre 2020", MONTH, D(2020, 9, 30)),
    ("octobre 2020", MONTH, D(2020, 10, 31)),
    ("novembre 2020", MONTH, D(2020, 11, 30)),
    ("décembre 2020", MONTH, D(2020, 12, 31)),
    ("déc. 2020", MONTH, D(2020, 12, 31)),
    ("juin-20", MONTH, D(2020, 6, 30)),
    ("fin d'avril 2020", MONTH, D(2020, 4, 30)),
    ("fin du mois de juin 2020", MONTH, D(2020, 6, 30)),
    ("en juin 2020", MONTH, D(2020, 6, 30)),
    ("pour fin juin 2020", MONTH, D(2020, 6, 30)),
    ("début mars 2020", MONTH, D(2020, 3, 31)),
    ("mi-juin 2020", MONTH, D(2020, 6, 30)),
    # day
    ("15 mars 2020", DAY, D(2020, 3, 15)),
    ("1er mars 2020", DAY, D(2020, 3, 1)),
    ("le 15 août 2020", DAY, D(2020, 8, 15)),
    ("au plus tard le 15/03/2020", DAY, D(2020, 3, 15)),
    # year: 31 December
    ("2020", YEAR, D(2020, 12, 31)),
    ("fin 2020", YEAR, D(2020, 12, 31)),
    ("FIN 2020", YEAR, D(2020, 12, 31)),
    ("fin-2020", YEAR, D(2020, 12, 31)),
    ("d'ici fin 2020", YEAR, D(2020, 12, 31)),
    ("d’ici fin 2020", YEAR, D(2020, 12, 31)),
    ("d'ici la fin de l'année 2020", YEAR, D(2020, 12, 31)),
    ("fin de l'année 2020", YEAR, D(2020, 12, 31)),
    ("avant fin 2020", YEAR, D(2020, 12, 31)),
    ("à fin 2020", YEAR, D(2020, 12, 31)),
    ("courant 2020", YEAR, D(2020, 12, 31)),
    ("en 2020", YEAR, D(2020, 12, 31)),
    ("jusqu'en 2021", YEAR, D(2021, 12, 31)),
    # ranges count as their last part
    ("T1-T2 2020", QUARTER, D(2020, 6, 30)),
    ("T1 à T2 2020", QUARTER, D(2020, 6, 30)),
    ("janvier-mars 2020", MONTH, D(2020, 3, 31)),
    ("de janvier à mars 2020", MONTH, D(2020, 3, 31)),
    ("du 1er au 15 mars 2020", DAY, D(2020, 3, 15)),
    ("2020-2021", YEAR, D(2021, 12, 31)),
    # no date
    ("en cours", NONE, None),
    ("En cours.", NONE, None),
    ("en continu", NONE, None),
    ("continu", NONE, None),
    ("à déterminer", NONE, None),
    ("a determiner", NONE, None),
    ("à confirmer", NONE, None),
]

ARABIC_CASES: list[tuple[str, str, datetime.date | None]] = [
    # quarter
    ("الربع الأول 2020", QUARTER, D(2020, 3, 31)),
    ("الربع الثاني 2020", QUARTER, D(2020, 6, 30)),
    ("الربع الثالث 2020", QUARTER, D(2020, 9, 30)),
    ("الربع الرابع 2020", QUARTER, D(2020, 12, 31)),
    ("الربع الاول ٢٠٢٠", QUARTER, D(2020, 3, 31)),  # alef without hamza, Arabic-Indic digits
    ("الربع الأوّل ۲۰۲۰", QUARTER, D(2020, 3, 31)),  # shadda, Eastern Arabic-Indic digits
    ("الربع الأول من عام 2020", QUARTER, D(2020, 3, 31)),
    ("الربع الثالث لعام ٢٠٢٠", QUARTER, D(2020, 9, 30)),
    ("الربع ٢ ٢٠٢٠", QUARTER, D(2020, 6, 30)),
    ("قبل نهاية الربع الثالث 2020", QUARTER, D(2020, 9, 30)),
    ("بداية 2020", QUARTER, D(2020, 3, 31)),
    ("مطلع عام 2020", QUARTER, D(2020, 3, 31)),
    # half
    ("النصف الأول 2020", HALF, D(2020, 6, 30)),
    ("النصف الثاني 2020", HALF, D(2020, 12, 31)),
    ("النصف الأول من ٢٠٢٠", HALF, D(2020, 6, 30)),
    ("منتصف 2020", HALF, D(2020, 6, 30)),
    ("منتصف عام ٢٠٢٠", HALF, D(2020, 6, 30)),
    # month, Levantine and Iraqi (Syriac) names
    ("كانون الثاني 2020", MONTH, D(2020, 1, 31)),
    ("كانون ثاني 2020", MONTH, D(2020, 1, 31)),
    ("شباط 2020", MONTH, D(2020, 2, 29)),
    ("شباط ٢٠٢١", MONTH, D(2021, 2, 28)),
    ("آذار 2020", MONTH, D(2020, 3, 31)),
    ("اذار 2020", MONTH, D(2020, 3, 31)),
    ("نيسان 2020", MONTH, D(2020, 4, 30)),
    ("أيار 2020", MONTH, D(2020, 5, 31)),
    ("حزيران 2020", MONTH, D(2020, 6, 30)),
    ("حزيران ٢٠٢٠", MONTH, D(2020, 6, 30)),
    ("تموز 2020", MONTH, D(2020, 7, 31)),
    ("آب 2020", MONTH, D(2020, 8, 31)),
    ("أيلول 2020", MONTH, D(2020, 9, 30)),
    ("تشرين الأول 2020", MONTH, D(2020, 10, 31)),
    ("تشرين الثاني 2020", MONTH, D(2020, 11, 30)),
    ("كانون الأول 2020", MONTH, D(2020, 12, 31)),
    # month, Egyptian and Gulf names
    ("يناير 2020", MONTH, D(2020, 1, 31)),
    ("فبراير 2020", MONTH, D(2020, 2, 29)),
    ("مارس 2020", MONTH, D(2020, 3, 31)),
    ("أبريل 2020", MONTH, D(2020, 4, 30)),
    ("إبريل 2020", MONTH, D(2020, 4, 30)),
    ("مايو 2020", MONTH, D(2020, 5, 31)),
    ("يونيو 2020", MONTH, D(2020, 6, 30)),
    ("يونيه ٢٠٢٠", MONTH, D(2020, 6, 30)),
    ("يوليو 2020", MONTH, D(2020, 7, 31)),
    # the Maghreb's names
    ("جانفي 2020", MONTH, D(2020, 1, 31)),
    ("فيفري 2020", MONTH, D(2020, 2, 29)),
    ("أفريل 2020", MONTH, D(2020, 4, 30)),
    ("ماي 2020", MONTH, D(2020, 5, 31)),
    ("نهاية جوان 2020", MONTH, D(2020, 6, 30)),
    ("جويلية 2020", MONTH, D(2020, 7, 31)),
    ("أوت ٢٠٢٠", MONTH, D(2020, 8, 31)),
    ("أغسطس 2020", MONTH, D(2020, 8, 31)),
    ("سبتمبر 2020", MONTH, D(2020, 9, 30)),
    ("أكتوبر 2020", MONTH, D(2020, 10, 31)),
    ("نوفمبر 2020", MONTH, D(2020, 11, 30)),
    ("ديسمبر 2020", MONTH, D(2020, 12, 31)),
    # month, as the UN writes both names, and with the words around it
    ("حزيران/يونيه 2020", MONTH, D(2020, 6, 30)),
    ("نهاية حزيران 2020", MONTH, D(2020, 6, 30)),
    ("نهاية شهر حزيران ٢٠٢٠", MONTH, D(2020, 6, 30)),
    ("آخر آذار 2020", MONTH, D(2020, 3, 31)),
    ("خلال شهر أيار 2020", MONTH, D(2020, 5, 31)),
    ("حزيران، 2020", MONTH, D(2020, 6, 30)),
    ("منتصف حزيران 2020", MONTH, D(2020, 6, 30)),
    # day
    ("15 آذار 2020", DAY, D(2020, 3, 15)),
    ("١٥ حزيران ٢٠٢٠", DAY, D(2020, 6, 15)),
    ("١٥/٠٣/٢٠٢٠", DAY, D(2020, 3, 15)),
    ("٢٠٢٠/٠٣/١٥", DAY, D(2020, 3, 15)),
    # year
    ("٢٠٢٠", YEAR, D(2020, 12, 31)),
    ("۲۰۲۰", YEAR, D(2020, 12, 31)),
    ("نهاية 2020", YEAR, D(2020, 12, 31)),
    ("نهاية ٢٠٢٠", YEAR, D(2020, 12, 31)),
    ("نهايه 2020", YEAR, D(2020, 12, 31)),  # heh for teh marbuta, as often typed
    ("نهاية عام ٢٠٢٠م", YEAR, D(2020, 12, 31)),  # "م": of the Gregorian calendar
    ("في نهاية العام 2020", YEAR, D(2020, 12, 31)),
    ("بنهاية 2020", YEAR, D(2020, 12, 31)),
    ("بحلول نهاية 2020", YEAR, D(2020, 12, 31)),
    ("حتى نهاية 2020", YEAR, D(2020, 12, 31)),
    ("خلال 2020", YEAR, D(2020, 12, 31)),
    ("\u200fنهاية \u200f2020", YEAR, D(2020, 12, 31)),  # right-to-left marks pasted with it
    ("نـهـايـة 2020", YEAR, D(2020, 12, 31)),  # tatweel
    # ranges count as their last part
    ("الربع الأول - الربع الثاني 2020", QUARTER, D(2020, 6, 30)),
    ("كانون الثاني - آذار 2020", MONTH, D(2020, 3, 31)),
    ("من كانون الثاني إلى آذار 2020", MONTH, D(2020, 3, 31)),
    # no date
    ("مستمر", NONE, None),
    ("مستمرة", NONE, None),
    ("قيد التنفيذ", NONE, None),
    ("جاري", NONE, None),
    ("متواصل", NONE, None),
    ("يحدد لاحقاً", NONE, None),
    ("غير محدد", NONE, None),
]

# English forms added with the French and Arabic ones, so the three read alike.
ENGLISH_COUNTERPARTS: list[tuple[str, str, datetime.date | None]] = [
    ("early 2019", QUARTER, D(2019, 3, 31)),
    ("beginning of 2019", QUARTER, D(2019, 3, 31)),
    ("early March 2019", MONTH, D(2019, 3, 31)),
    ("mid-June 2019", MONTH, D(2019, 6, 30)),
    ("June of 2019", MONTH, D(2019, 6, 30)),
    ("from March to June 2019", MONTH, D(2019, 6, 30)),
    ("Q1/2019", QUARTER, D(2019, 3, 31)),
    ("2019/H2", HALF, D(2019, 12, 31)),
]

UNREADABLE: list[str] = [
    "fin 20200",
    "نهاية ٢٠٢٠٠",
    "T5 2020",
    "T0 2020",
    "S3 2020",
    "5e trimestre 2020",
    "trimestre 2020",
    "semestre 2020",
    "الربع الخامس 2020",
    "النصف الثالث 2020",
    "الربع 2020",
    "juin",
    "حزيران",
    "T1",
    "الربع الأول",
    "fin",
    "نهاية",
    "13/2020",
    "١٣/٢٠٢٠",
    "31 février 2020",
    "30 شباط 2020",
    "juin 20",
    "mai 1850",
    "1441",  # a Hijri year
    "رمضان 2020",  # a Hijri month
    "en cours 2020",
    "bientôt",
    "prochainement",
    "قريبا",
    "début T1 2020",
    "l'année",  # words that add nothing are not "no date"
    "عام",
    "شهر",
    "T2-T1 2020",
    "الربع الثاني - الربع الأول 2020",
]

REVERSED = ["T2-T1 2020", "الربع الثاني - الربع الأول 2020"]


@pytest.mark.parametrize(("text", "precision", "due_date"), FRENCH_CASES)
def test_parse_deadline_reads_french(
    text: str, precision: str, due_date: datetime.date | None
) -> None:
    assert parse_deadline(text) == ParsedDeadline(precision, due_date)


@pytest.mark.parametrize(("text", "precision", "due_date"), ARABIC_CASES)
def test_parse_deadline_reads_arabic(
    text: str, precision: str, due_date: datetime.date | None
) -> None:
    assert parse_deadline(text) == ParsedDeadline(precision, due_date)


@pytest.mark.parametrize(("text", "precision", "due_date"), ENGLISH_COUNTERPARTS)
def test_parse_deadline_reads_the_english_counterparts(
    text: str, precision: str, due_date: datetime.date | None
) -> None:
    assert parse_deadline(text) == ParsedDeadline(precision, due_date)


def test_the_tables_are_as_large_as_the_issue_asks() -> None:
    assert len(FRENCH_CASES) + len(ARABIC_CASES) >= 50
    assert len(UNREADABLE) >= 15
    assert not {text for text, _, _ in FRENCH_CASES + ARABIC_CASES} & set(UNREADABLE)


@pytest.mark.parametrize(
    ("french", "arabic", "english"),
    [
        ("T1 2020", "الربع الأول 2020", "Q1 2020"),
        ("2e trimestre 2020", "الربع الثاني ٢٠٢٠", "second quarter of 2020"),
        ("S1 2020", "النصف الأول 2020", "H1 2020"),
        ("mi-2020", "منتصف 2020", "mid-2020"),
        ("juin 2020", "حزيران 2020", "June 2020"),
        ("fin juin 2020", "نهاية حزيران 2020", "end of June 2020"),
        ("fin 2020", "نهاية 2020", "end of 2020"),
        ("début 2020", "بداية 2020", "early 2020"),
        ("15 mars 2020", "15 آذار 2020", "15 March 2020"),
        ("en cours", "مستمر", "ongoing"),
    ],
)
def test_french_and_arabic_read_as_their_english_equivalent(
    french: str, arabic: str, english: str
) -> None:
    assert parse_deadline(french) == parse_deadline(arabic) == parse_deadline(english)


@pytest.mark.parametrize("text", UNREADABLE)
def test_parse_deadline_refuses_unreadable_french_and_arabic(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_deadline(text)

    error = caught.value
    assert error.code == "invalid_deadline"
    assert error.params == {"value": text}
    start = "The deadline" if text in REVERSED else "Cannot read the deadline"
    assert error.messages[0].startswith(f'{start} "{text}"')


def test_the_text_is_kept_as_written_in_the_message() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_deadline("الربع الخامس ٢٠٢٠")

    assert caught.value.params == {"value": "الربع الخامس ٢٠٢٠"}
    assert '"الربع الخامس ٢٠٢٠"' in caught.value.messages[0]


# --- examples in the user's language -------------------------------------------------

FRENCH_EXAMPLES = (
    "15/03/2020, 15 mars 2020, juin 2020, fin juin 2020, T1 2020, S1 2020, fin 2020, "
    "T1-T2 2020 ou «\u00a0en cours\u00a0»"
)
ARABIC_EXAMPLES = (
    "١٥/٠٣/٢٠٢٠، 15 آذار 2020، حزيران 2020، يونيو 2020، الربع الأول 2020، "
    "النصف الأول 2020، نهاية 2020، أو «مستمر»"
)


def test_deadline_examples_per_language() -> None:
    assert (
        deadline_examples("en")
        == DEADLINE_EXAMPLES
        == ('2019-03-15, 15/03/2019, March 2019, Q1 2019, H1 2019, 2019, Q1-Q2 2019, or "ongoing"')
    )
    assert deadline_examples("fr") == FRENCH_EXAMPLES
    assert deadline_examples("ar") == ARABIC_EXAMPLES


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", FRENCH_EXAMPLES),
        ("fr-ca", FRENCH_EXAMPLES),
        ("ar", ARABIC_EXAMPLES),
        ("ar-lb", ARABIC_EXAMPLES),
        ("en", DEADLINE_EXAMPLES),
        ("en-gb", DEADLINE_EXAMPLES),
        ("de", DEADLINE_EXAMPLES),  # a language without examples: English ones
    ],
)
def test_deadline_examples_follow_the_active_language(language: str, expected: str) -> None:
    with translation.override(language):
        assert deadline_examples() == expected
        assert str(deadline_examples_lazy()) == expected


def test_deadline_examples_without_an_active_language_are_english() -> None:
    with translation.override(None):
        assert deadline_examples() == DEADLINE_EXAMPLES


@pytest.mark.parametrize(
    ("language", "examples"),
    [(language, table.forms) for language, table in DEADLINE_EXAMPLES_BY_LANGUAGE.items()],
)
def test_every_example_in_every_language_is_read(language: str, examples: tuple[str]) -> None:
    read = [parse_deadline(example) for example in examples]

    assert all(example in deadline_examples(language) for example in examples)
    assert read[-1] == ParsedDeadline(NONE, None)  # the last one is the undated word
    assert all(parsed.due_date for parsed in read[:-1])


@pytest.mark.parametrize(
    ("language", "text", "examples"),
    [
        ("fr", "juin", FRENCH_EXAMPLES),
        ("ar", "حزيران", ARABIC_EXAMPLES),
        ("en", "juin", DEADLINE_EXAMPLES),
    ],
)
def test_the_error_lists_examples_in_the_active_language(
    language: str, text: str, examples: str
) -> None:
    with translation.override(language), pytest.raises(ValidationError) as caught:
        parse_deadline(text)

    message = caught.value.messages[0]
    quoted = {"en": f'"{text}"', "fr": f"«\u00a0{text}\u00a0»", "ar": f"«{text}»"}[language]
    assert quoted in message
    assert message.endswith(f"{examples}.")
    assert caught.value.params == {"value": text}


def test_the_error_in_english_is_worded_as_before() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        parse_deadline("fin 20200")

    assert caught.value.messages == [
        'Cannot read the deadline "fin 20200". Write it as, for example: 2019-03-15, '
        '15/03/2019, March 2019, Q1 2019, H1 2019, 2019, Q1-Q2 2019, or "ongoing".'
    ]


def test_the_too_long_error_lists_examples_in_the_active_language() -> None:
    text = "fin " + "x" * 97

    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        parse_deadline(text)

    assert caught.value.params == {"value": text}
    assert "100" in caught.value.messages[0]
    assert caught.value.messages[0].endswith(f"{FRENCH_EXAMPLES}.")


# --- through the service ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("deadline", "precision", "due_date"),
    [
        ("fin juin 2020", MONTH, D(2020, 6, 30)),
        ("نهاية حزيران ٢٠٢٠", MONTH, D(2020, 6, 30)),
        ("T3 2020", QUARTER, D(2020, 9, 30)),
        ("en cours", NONE, None),
    ],
)
def test_action_point_created_with_a_french_or_arabic_deadline(
    deadline: str, precision: str, due_date: datetime.date | None
) -> None:
    with translation.override("fr"):
        point = action_point_create(
            challenge=ChallengeFactory(), description="Cartographier les acteurs", deadline=deadline
        )

    point.refresh_from_db()
    assert (point.deadline, point.deadline_precision, point.due_date) == (
        deadline,
        precision,
        due_date,
    )
