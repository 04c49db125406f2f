"""Plan tables written in French and Arabic: their header names, team lines, group lines,
status words and Arabic commas read as the English ones are (imports/table.py), to the
same plan as the English seed."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from actionplans.imports.flat import STATUS_WORDS
from actionplans.imports.read import read_table
from actionplans.imports.table import (
    COLUMN_ALIASES,
    column_key,
    group_line,
    team_line,
)
from actionplans.imports.write import plan_import
from actionplans.models import ActionPoint
from orgs.matching import match_key
from orgs.models import Person
from tests.actionplans.test_export_i18n import write_mo
from tests.actionplans.transfer import SEED_GROUP, SEED_ROWS, csv_bytes, plan_content, xlsx_bytes

# --- the seed in French and in Arabic ----------------------------------------------------------

FRENCH_CHALLENGES = [
    "Absence d'outils communs, conviviaux et sécurisés de partage des données",
    "Consentement éclairé sur le partage, ses différents types et ses destinataires",
    "Confiance entre acteurs (qualité des données, méthodologie, protection des données)",
    "Méconnaissance des lieux et moyens d'accès à l'information et aux données",
]
FRENCH_ACTIONS = [
    "L'IMWG recommande des outils et procédures standardisés",
    "Rédiger des projets de formulaires de consentement et des lignes directrices; diffuser",
    "Diffuser la méthodologie « VASyR quality assurance package »",
    "Sensibiliser aux études nationales (VASyR, KAP, MICS, ARK) dans les groupes sectoriels",
]
ARABIC_CHALLENGES = [
    "نقص أدوات مشتركة وسهلة الاستخدام وآمنة لتبادل البيانات",
    "الموافقة المستنيرة على المشاركة وأنواعها والجهات المتلقية",
    "الثقة بين الجهات الفاعلة (جودة البيانات، المنهجية، حماية البيانات)",
    "نقص المعرفة بأماكن وطرق الوصول إلى المعلومات والبيانات",
]
ARABIC_ACTIONS = [
    "توصي مجموعة إدارة المعلومات بأدوات وإجراءات موحدة",
    "إعداد مسودات شاملة لاستمارات الموافقة وإرشادات الاختيار بينها، ثم نشرها",
    'نشر منهجية "VASyR quality assurance package"',
    "التوعية بالدراسات الوطنية (VASyR, KAP, MICS, ARK) في مجموعات القطاعات",
]
# The seed's people, written in Arabic.
ARABIC_NAMES = {
    "Jad": "جاد",
    "Rana": "رنا",
    "Omar": "عمر",
    "Maria": "ماريا",
    "Fred": "فريد",
    "Fanette": "فانيت",
}
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"


def french_tsv(header: list[str] | None = None) -> bytes:
    """The seed as a French workshop wrote it: same layout, French words."""
    header = header or ["Défis", "Actions", "Échéance", "Points focaux"]
    lines = [
        "Plan d'action GIP Liban",
        "",
        "Groupe 1 : Partage des données",
        "Chef d'équipe\tJad",
        "Membres de l'équipe\tRana, Omar, Maria, Fred, Jad",
        "\t".join(header),
    ]
    for number, (row, challenge, action) in enumerate(
        zip(SEED_ROWS, FRENCH_CHALLENGES, FRENCH_ACTIONS, strict=True), start=1
    ):
        lines.append("\t".join([f"{number}. {challenge}", action, row[2], row[3]]))
    return ("\n".join(lines) + "\n").encode()


def arabic_tsv(header: list[str] | None = None) -> bytes:
    """The seed as an Arabic workshop wrote it: Arabic words, names, digits and commas."""
    header = header or ["التحديات", "الإجراءات", "الموعد النهائي", "جهات الاتصال"]
    focal_points = ["جاد", "فانيت، فريد (advisor)", "جاد", "جاد"]
    lines = [
        "خطة عمل إدارة معلومات الحماية - لبنان",
        "",
        "المجموعة ١: تبادل البيانات",
        "قائد الفريق\tجاد",
        "أعضاء الفريق\tرنا، عمر، ماريا، فريد، جاد",
        "\t".join(header),
    ]
    for number, (row, challenge, action, focal) in enumerate(
        zip(SEED_ROWS, ARABIC_CHALLENGES, ARABIC_ACTIONS, focal_points, strict=True), start=1
    ):
        lines.append("\t".join([f"{ARABIC_DIGITS[number]}. {challenge}", action, row[2], focal]))
    return ("\n".join(lines) + "\n").encode()


def seed_group_in(
    name: str, challenges: list[str], actions: list[str], names: dict[str, str] | None = None
) -> dict:
    """The seed's plan content (transfer.SEED_GROUP) with these texts and people's names:
    the same groups, challenges, action points, deadlines, people and roles."""
    rename = (names or {}).get
    group = copy.deepcopy(SEED_GROUP)
    group["name"] = name
    group["team_leader"] = rename(group["team_leader"], group["team_leader"])
    group["team_members"] = [rename(person, person) for person in group["team_members"]]
    group["challenges"] = [
        (
            number,
            challenges[index],
            [
                (
                    position,
                    actions[index],
                    *fields,
                    [(rename(person, person), *details) for person, *details in focal_points],
                )
                for position, _description, *fields, focal_points in points
            ],
        )
        for index, (number, _description, points) in enumerate(group["challenges"])
    ]
    return group


FRENCH_SEED = seed_group_in("Partage des données", FRENCH_CHALLENGES, FRENCH_ACTIONS)
ARABIC_SEED = seed_group_in("تبادل البيانات", ARABIC_CHALLENGES, ARABIC_ACTIONS, ARABIC_NAMES)


def table_data(table) -> list:
    """What a read table says, without where it says it."""
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


def issues(table) -> list[tuple[str, str]]:
    return [(issue.level, str(issue)) for issue in table.issues]


FRENCH_TABLE = [
    (
        1,
        "Partage des données",
        "Jad",
        ["Rana", "Omar", "Maria", "Fred", "Jad"],
        [
            (number, challenge, [(action, row[2], row[3], "")])
            for number, (row, challenge, action) in enumerate(
                zip(SEED_ROWS, FRENCH_CHALLENGES, FRENCH_ACTIONS, strict=True), start=1
            )
        ],
    )
]


# --- the workshop layout ------------------------------------------------------------------------


def test_french_workshop_table_reads_as_the_seed():
    table = read_table(french_tsv())

    assert table.title == "Plan d'action GIP Liban"
    assert table_data(table) == FRENCH_TABLE
    assert issues(table) == []


def test_arabic_workshop_table_reads_as_the_seed():
    table = read_table(arabic_tsv())

    assert table.title == "خطة عمل إدارة معلومات الحماية - لبنان"
    assert table_data(table) == [
        (
            1,
            "تبادل البيانات",
            "جاد",
            ["رنا", "عمر", "ماريا", "فريد", "جاد"],
            [
                (1, ARABIC_CHALLENGES[0], [(ARABIC_ACTIONS[0], "Q1 of 2019", "جاد", "")]),
                # The Arabic comma between names reads as a comma.
                (
                    2,
                    ARABIC_CHALLENGES[1],
                    [(ARABIC_ACTIONS[1], "2019", "فانيت, فريد (advisor)", "")],
                ),
                (3, ARABIC_CHALLENGES[2], [(ARABIC_ACTIONS[2], "Q1 of 2019", "جاد", "")]),
                (4, ARABIC_CHALLENGES[3], [(ARABIC_ACTIONS[3], "Q1 of 2019", "جاد", "")]),
            ],
        )
    ]
    assert issues(table) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "expected", "people"),
    [
        (french_tsv, FRENCH_SEED, ["Fanette", "Fred", "Jad", "Maria", "Omar", "Rana"]),
        (arabic_tsv, ARABIC_SEED, sorted(ARABIC_NAMES.values())),
    ],
    ids=["french", "arabic"],
)
def test_french_and_arabic_workshop_tables_import_to_the_seeds_plan(data, expected, people):
    result = plan_import(table=read_table(data()), country="Lebanon")

    assert plan_content(result.plan) == [expected]
    assert (result.groups, result.challenges, result.action_points, result.people) == (1, 4, 4, 6)
    assert sorted(Person.objects.values_list("name", flat=True)) == people


@pytest.mark.parametrize(
    "header",
    [
        ["DÉFIS", "ACTIONS", "ÉCHÉANCE", "POINTS FOCAUX"],
        ["Defi(s) :", "Action", "Echeance", "Point focal"],
        ["Défi", "Points d’action", "Date limite", "Responsables"],
        ["  défis ", "activités", "échéancier", "Responsable:"],
        ["Points focaux", "Échéance", "Actions", "Défis"],  # any order: cells move with it
    ],
    ids=["capitals", "no-accents-plural-colon", "curly-apostrophe", "spacing", "order"],
)
def test_french_workshop_header_variants(header):
    data = french_tsv(header)
    if header[0] == "Points focaux":
        lines = data.decode().split("\n")
        lines[6:10] = ["\t".join(reversed(line.split("\t"))) for line in lines[6:10]]
        data = "\n".join(lines).encode()

    table = read_table(data)

    assert table_data(table) == FRENCH_TABLE
    assert issues(table) == []


@pytest.mark.parametrize(
    "header",
    [
        ["التحدي", "الإجراء", "الموعد النهائي", "المسؤول"],
        # Hamza, alef maqsura, taa marbuta and tatweel written or not: the same words.
        ["التحـديات", "الاجراءات", "الموعد النهائى", "نقاط الاتصال"],
        ["تحديات", "الأنشطة", "الإطار الزمني", "جهة الاتصال"],
    ],
    ids=["singular", "letter-variants", "other-words"],
)
def test_arabic_workshop_header_variants(header):
    assert table_data(read_table(arabic_tsv(header))) == table_data(read_table(arabic_tsv()))
    assert issues(read_table(arabic_tsv(header))) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chef d'équipe", ("team_leader", "")),
        ("CHEF D’EQUIPE : Jad", ("team_leader", "Jad")),
        ("Cheffe d'équipe: Rana", ("team_leader", "Rana")),
        ("Membres de l’équipe: Rana, Omar", ("team_members", "Rana, Omar")),
        ("membres de l'equipe", ("team_members", "")),
        ("قائد الفريق", ("team_leader", "")),
        ("قائد الفريق: جاد", ("team_leader", "جاد")),
        ("أعضاء الفريق: رنا، عمر", ("team_members", "رنا، عمر")),
        ("اعضاء الفريق", ("team_members", "")),
        ("Team leaders: Jad", ("team_leader", "Jad")),
        ("Team members Rana, Omar", ("team_members", "Rana, Omar")),
        ("Chef de file", None),
        ("Équipe", None),
        ("الفريق", None),
        ("Défis", None),
    ],
)
def test_team_line_words_in_three_languages(text, expected):
    assert team_line(text) == expected


def test_french_and_arabic_team_lines_with_names_in_the_same_cell():
    data = (
        "Groupe 1 : Données\nChef d'équipe : Jad\nMembres de l'équipe : Rana, Omar\n"
        "Défis\tActions\n1. Manque\tFaire\n"
        "المجموعة 2: الحماية\nقائد الفريق: رنا\nأعضاء الفريق: رنا، عمر\n"
        "التحديات\tالإجراءات\n1. نقص\tعمل\n"
    ).encode()

    table = read_table(data)

    assert [(g.number, g.name, g.team_leader, g.team_members) for g in table.groups] == [
        (1, "Données", "Jad", ["Rana", "Omar"]),
        (2, "الحماية", "رنا", ["رنا", "عمر"]),
    ]
    assert issues(table) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Group 2: Protection", (2, "Protection")),
        ("Groupe 2 : Protection", (2, "Protection")),
        ("Groupe de travail 3 - Données", (3, "Données")),
        ("GROUPE N° 4 : Suivi", (4, "Suivi")),
        ("المجموعة ٥: الحماية", (5, "الحماية")),
        ("مجموعة العمل 6 - الرصد", (6, "الرصد")),
        ("المجموعة رقم 7: البيانات", (7, "البيانات")),
        ("Défi 1 : accès", None),
        ("1. Groupe", None),
        ("Groupe : sans numéro", None),
        ("التحدي 1: الوصول", None),
    ],
)
def test_group_line_words_in_three_languages(text, expected):
    assert group_line(text) == expected


def test_two_team_leaders_in_french_is_still_an_error_in_its_cell():
    data = "Groupe 1 : Données\nChef d'équipe\tJad, Rana\nDéfis\tActions\n1. Manque\tFaire\n"

    table = read_table(data.encode())

    assert issues(table) == [("error", "Row 2, column B: Give exactly one team leader.")]


# --- the flat layout ----------------------------------------------------------------------------

FRENCH_FLAT = [
    [
        "Groupe de travail",
        "Chef d'équipe",
        "Membres de l'équipe",
        "Défi",
        "Action",
        "Échéance",
        "Responsable",
        "Statut",
        "Avancement (%)",
    ],
    *[
        [
            "Groupe 1 : Partage des données",
            "Jad",
            "Rana, Omar, Maria, Fred, Jad",
            f"{number}. {challenge}",
            action,
            row[2],
            row[3],
            status,
            progress,
        ]
        for number, (row, challenge, action, status, progress) in enumerate(
            zip(
                SEED_ROWS,
                FRENCH_CHALLENGES,
                FRENCH_ACTIONS,
                ["Non commencé", "En cours", "Bloqué", "Terminé"],
                ["", "40 %", "10", ""],
                strict=True,
            ),
            start=1,
        )
    ],
]


def test_french_flat_csv_reads_as_the_seed_with_statuses():
    # Semicolons, as a French Excel writes CSV; Windows-1252, as it encodes it.
    table = read_table(csv_bytes(FRENCH_FLAT, delimiter=";", encoding="cp1252"))

    assert issues(table) == []
    assert [
        (point.description, point.status, point.progress)
        for group in table.groups
        for challenge in group.challenges
        for point in challenge.action_points
    ] == [
        (FRENCH_ACTIONS[0], "not_started", None),
        (FRENCH_ACTIONS[1], "in_progress", 40),
        (FRENCH_ACTIONS[2], "blocked", 10),
        (FRENCH_ACTIONS[3], "completed", None),
    ]
    assert [[c[:2] for c in g[4]] for g in table_data(table)] == [
        [c[:2] for c in FRENCH_TABLE[0][4]]
    ]


@pytest.mark.django_db
def test_french_flat_csv_imports_to_the_seeds_plan_with_statuses():
    plan = plan_import(
        table=read_table(csv_bytes(FRENCH_FLAT, delimiter=";")), title="Plan du Liban"
    ).plan

    expected = copy.deepcopy(FRENCH_SEED)
    statuses = [("not_started", 0), ("in_progress", 40), ("blocked", 10), ("completed", 100)]
    expected["challenges"] = [
        (number, text, [(*point[:5], *statuses[index], point[7]) for point in points])
        for index, (number, text, points) in enumerate(expected["challenges"])
    ]
    assert plan_content(plan) == [expected]
    assert ActionPoint.objects.filter(challenge__working_group__plan=plan).count() == 4


def test_arabic_flat_csv_reads_groups_people_and_statuses():
    rows = [
        [
            "مجموعة العمل",
            "قائد الفريق",
            "أعضاء الفريق",
            "التحدي",
            "الإجراء",
            "الحالة",
            "نسبة الإنجاز",
        ],
        ["المجموعة ١: البيانات", "جاد", "رنا، عمر", "١. نقص الأدوات", "أ", "قيد التنفيذ", "٤٠"],
        ["المجموعة ١: البيانات", "جاد", "رنا، عمر", "١. نقص الأدوات", "ب", "مكتمل", "100"],
        ["المجموعة 2: الحماية", "رنا", "رنا", "1. الثقة", "ج", "ملغى", ""],
    ]

    table = read_table(csv_bytes(rows))

    assert issues(table) == []
    assert [(g.number, g.name, g.team_leader, g.team_members) for g in table.groups] == [
        (1, "البيانات", "جاد", ["رنا", "عمر"]),
        (2, "الحماية", "رنا", ["رنا"]),
    ]
    assert [
        (point.description, point.status, point.progress)
        for group in table.groups
        for challenge in group.challenges
        for point in challenge.action_points
    ] == [("أ", "in_progress", 40), ("ب", "completed", 100), ("ج", "cancelled", None)]


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("Non commencé", "not_started"),
        ("NON COMMENCE", "not_started"),
        ("En cours", "in_progress"),
        ("Bloqué", "blocked"),
        ("bloque", "blocked"),
        ("Terminé", "completed"),
        ("Annulé", "cancelled"),
        ("لم يبدأ", "not_started"),
        ("قيد التنفيذ", "in_progress"),
        ("متوقف", "blocked"),
        ("مكتمل", "completed"),
        ("مكتملة", "completed"),
        ("ملغى", "cancelled"),
        ("ملغي", "cancelled"),
        ("In progress", "in_progress"),
        ("on hold", "blocked"),
    ],
)
def test_status_words_in_three_languages(word, status):
    rows = [["Groupe de travail", "Défi", "Action", "Statut"], ["Groupe 1 : D", "1. M", "A", word]]

    table = read_table(csv_bytes(rows))

    assert table.issues == []
    assert table.groups[0].challenges[0].action_points[0].status == status


def test_unknown_french_status_names_its_cell():
    rows = [
        ["Groupe de travail", "Défi", "Action", "Statut"],
        ["Groupe 1 : D", "1. M", "A", "Fini ?"],
    ]

    assert issues(read_table(csv_bytes(rows))) == [
        (
            "error",
            'Row 2, column D: Unknown status "Fini ?". Use one of: Not started, In progress, '
            "Blocked, Completed, Cancelled.",
        )
    ]


# --- what is still unknown ----------------------------------------------------------------------


def test_unknown_french_and_arabic_headers_are_warnings_naming_their_cells():
    rows = [
        ["Groupe de travail", "Défi", "Action", "Preuve", "Échéance", "الميزانية"],
        ["Groupe 1 : D", "1. M", "A", "https://example.org", "2019", "5000"],
    ]

    table = read_table(csv_bytes(rows))

    assert issues(table) == [
        ("warning", 'Row 1, column D: Unknown column "Preuve" was ignored.'),
        ("warning", 'Row 1, column F: Unknown column "الميزانية" was ignored.'),
    ]
    assert table_data(table) == [(1, "D", "", [], [(1, "M", [("A", "2019", "", "")])])]


def test_unknown_column_of_a_french_workshop_header_names_its_cell():
    table = read_table(french_tsv(["Défis", "Actions", "Échéance", "Points focaux", "Note"]))

    assert issues(table) == [("warning", 'Row 6, column E: Unknown column "Note" was ignored.')]
    assert table_data(table) == FRENCH_TABLE


def test_french_flat_header_without_an_action_column_is_an_error():
    rows = [["Groupe de travail", "Défi", "Tâche"], ["Groupe 1 : D", "1. M", "A"]]

    assert issues(read_table(csv_bytes(rows))) == [
        ("error", "Row 1: Expected a header row naming Working group, Challenge and Action point.")
    ]


def test_french_workshop_without_a_header_row_is_an_error_on_its_row():
    data = "Groupe 1 : Données\nChef d'équipe\tJad\n1. Manque d'outils\tFaire\t2019\tJad\n"

    assert issues(read_table(data.encode())) == [
        (
            "error",
            "Row 3: Expected a header row (Challenges, Action point, Deadline, Focal point) "
            "before the challenges of group 1.",
        )
    ]


# --- the alias table ----------------------------------------------------------------------------


def test_every_alias_names_its_own_column_and_no_two_columns_share_one():
    owners: dict[str, set[str]] = {}
    for key, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            owners.setdefault(match_key(alias), set()).add(key)
            assert column_key(alias) == key, alias

    assert {alias: keys for alias, keys in owners.items() if len(keys) > 1} == {}


def test_the_issue_s_french_and_arabic_header_names_are_known():
    expected = {
        "Défis": "challenge",
        "Défi": "challenge",
        "Actions": "action_point",
        "Action": "action_point",
        "Échéance": "deadline",
        "Date limite": "deadline",
        "Responsable": "focal_points",
        "Points focaux": "focal_points",
        "Point focal": "focal_points",
        "Statut": "status",
        "Avancement": "progress",
        "Progrès (%)": "progress",
        "Groupe de travail": "working_group",
        "Chef d'équipe": "team_leader",
        "Membres de l'équipe": "team_members",
        "التحديات": "challenge",
        "التحدي": "challenge",
        "الإجراءات": "action_point",
        "الإجراء": "action_point",
        "الموعد النهائي": "deadline",
        "المسؤول": "focal_points",
        "جهات الاتصال": "focal_points",
        "نقاط الاتصال": "focal_points",
        "الحالة": "status",
        "نسبة الإنجاز": "progress",
        "مجموعة العمل": "working_group",
        "قائد الفريق": "team_leader",
        "أعضاء الفريق": "team_members",
    }

    assert {header: column_key(header) for header in expected} == expected


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Calendrier / Échéance", "deadline"),
        ("Délai/échéance", "deadline"),
        ("الإطار الزمني / الموعد النهائي", "deadline"),
        ("Responsable / Point focal", "focal_points"),
        ("Chef·fe d'équipe", "team_leader"),
        ("Responsable du groupe", "team_leader"),
        ("أعضاء المجموعة", "team_members"),
        # Words of two columns, or one unknown: no column.
        ("Statut / Avancement", None),
        ("Échéance / Budget", None),
        ("/", None),
    ],
)
def test_header_words_in_other_forms(header, key):
    assert column_key(header) == key


def test_status_words_name_one_status_each():
    owners: dict[str, set[str]] = {}
    for status, words in STATUS_WORDS.items():
        for word in words:
            owners.setdefault(match_key(word), set()).add(status)

    assert {word: statuses for word, statuses in owners.items() if len(statuses) > 1} == {}


# --- the importer's messages, in the user's language ---------------------------------------------


@pytest.fixture
def french_messages(settings, tmp_path):
    """A French catalogue (written for this test) of a few of the importer's messages."""
    write_mo(
        tmp_path / "fr" / "LC_MESSAGES" / "django.mo",
        {
            "Row %(row)s, column %(column)s: %(message)s": (
                "Ligne %(row)s, colonne %(column)s : %(message)s"
            ),
            "Sheet “%(sheet)s”, row %(row)s: %(message)s": (
                "Feuille « %(sheet)s », ligne %(row)s : %(message)s"
            ),
            'Unknown column "%(column)s" was ignored.': "Colonne inconnue « %(column)s » ignorée.",
            "Give exactly one team leader.": "Indiquez un seul chef d'équipe.",
            "No working group on this sheet; it was skipped.": (
                "Aucun groupe de travail sur cette feuille ; elle a été ignorée."
            ),
            "The file is empty.": "Le fichier est vide.",
        },
    )
    settings.LOCALE_PATHS = [tmp_path]


def test_importer_messages_are_in_the_active_language(french_messages):
    workbook = xlsx_bytes(
        {
            "Notes": [["Rien ici"]],
            "Données": [
                ["Groupe 1 : Données"],
                ["Chef d'équipe", "Jad, Rana"],
                ["Défis", "Actions", "Budget"],
                ["1. Manque", "Faire", "5000"],
            ],
        }
    )
    with translation.override("fr"):
        table = read_table(workbook)
        messages = [str(issue) for issue in table.issues]
        with pytest.raises(ValidationError) as empty:
            read_table(b"")

    assert messages == [
        "Feuille « Notes », ligne 1 : Aucun groupe de travail sur cette feuille ; elle a été "
        "ignorée.",
        "Sheet “Données”, row 2, column B: Indiquez un seul chef d'équipe.",
        "Sheet “Données”, row 3, column C: Colonne inconnue « Budget » ignorée.",
    ]
    assert empty.value.messages == ["Le fichier est vide."]
    # The same table in English: the messages as they always were.
    assert [str(issue) for issue in read_table(workbook).issues] == [
        "Sheet “Notes”, row 1: No working group on this sheet; it was skipped.",
        "Sheet “Données”, row 2, column B: Give exactly one team leader.",
        'Sheet “Données”, row 3, column C: Unknown column "Budget" was ignored.',
    ]
