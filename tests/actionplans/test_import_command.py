"""manage.py import_plan: a summary line, --dry-run, --keep-undated, and errors that
stop with a non-zero exit, row-level messages and nothing written."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from actionplans import services
from actionplans.models import ActionPlan, ActionPoint
from tests.actionplans.transfer import (
    DEADLINE_EXAMPLES,
    MALFORMED,
    SEED,
    SEED_CONTENT,
    TWO_GROUPS_CONTENT,
    plan_content,
    snapshot,
    two_groups_xlsx,
)

pytestmark = pytest.mark.django_db

SUMMARY = (
    "{verb} into {target} “{title}”: {groups} working group(s), {challenges} challenge(s), "
    "{points} action point(s), {people} person(s) created; {unchanged} action point(s) "
    "already there.\n"
)


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_plan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_import_plan_creates_a_new_plan_and_prints_a_summary():
    out, err = _run(str(SEED), "--country", "Lebanon")

    plan = ActionPlan.objects.get()
    assert out == SUMMARY.format(
        verb="Imported",
        target="a new plan",
        title="PIM Lebanon Action Plan",
        groups=1,
        challenges=4,
        points=4,
        people=6,
        unchanged=0,
    )
    assert err == ""
    assert (plan.title, plan.country) == ("PIM Lebanon Action Plan", "Lebanon")
    assert plan_content(plan) == SEED_CONTENT


def test_import_plan_with_title_and_a_workbook(tmp_path):
    path = _write(tmp_path, "plan.xlsx", two_groups_xlsx())

    out, _err = _run(str(path), "--title", "Two groups")

    assert out == SUMMARY.format(
        verb="Imported",
        target="a new plan",
        title="Two groups",
        groups=2,
        challenges=6,
        points=7,
        people=7,
        unchanged=0,
    )
    assert plan_content(ActionPlan.objects.get(title="Two groups")) == TWO_GROUPS_CONTENT


def test_import_plan_into_existing_plan_twice_creates_no_duplicates():
    plan = services.plan_create(title="Lebanon")
    first, _err = _run(str(SEED), "--plan", str(plan.pk))
    before = snapshot()

    second, _err = _run(str(SEED), "--plan", str(plan.pk))

    common = {"verb": "Imported", "target": f"plan {plan.pk}", "title": "Lebanon"}
    assert first == SUMMARY.format(
        **common, groups=1, challenges=4, points=4, people=6, unchanged=0
    )
    assert second == SUMMARY.format(
        **common, groups=0, challenges=0, points=0, people=0, unchanged=4
    )
    assert snapshot() == before


def test_import_plan_dry_run_counts_and_writes_nothing():
    before = snapshot()

    out, _err = _run(str(SEED), "--dry-run")

    assert out == SUMMARY.format(
        verb="Would import",
        target="a new plan",
        title="PIM Lebanon Action Plan",
        groups=1,
        challenges=4,
        points=4,
        people=6,
        unchanged=0,
    )
    assert snapshot() == before


def test_import_plan_dry_run_into_existing_plan_writes_nothing():
    plan = services.plan_create(title="Lebanon")
    before = snapshot()

    out, _err = _run(str(SEED), "--plan", str(plan.pk), "--dry-run")

    assert out.startswith(f"Would import into plan {plan.pk} “Lebanon”: 1 working group(s), ")
    assert snapshot() == before


BAD_DEADLINES = (
    b"Deadlines\nGroup 1: Data\nChallenges\tAction Point\tDeadline\tFocal point\n"
    b"1. Lack\tDo it\tsoonish\tJad\n\tAnd that\tby Easter\tRana\n\tThen this\tQ2 2019\tOmar\n"
)


def test_import_plan_unreadable_deadlines_stop_with_row_messages(tmp_path):
    path = _write(tmp_path, "deadlines.tsv", BAD_DEADLINES)
    before = snapshot()

    with pytest.raises(CommandError) as excinfo:
        _run(str(path))

    assert str(excinfo.value) == (
        f"{path}: nothing imported.\n"
        f'Row 4, column C: Cannot read the deadline "soonish". {DEADLINE_EXAMPLES}\n'
        f'Row 5, column C: Cannot read the deadline "by Easter". {DEADLINE_EXAMPLES}'
    )
    assert snapshot() == before


def test_import_plan_keep_undated_keeps_unreadable_deadlines_as_text(tmp_path):
    path = _write(tmp_path, "deadlines.tsv", BAD_DEADLINES)

    out, _err = _run(str(path), "--keep-undated")

    assert out.startswith("Imported into a new plan “Deadlines”: 1 working group(s), ")
    assert [
        (p.deadline, p.deadline_precision, str(p.due_date))
        for p in ActionPoint.objects.order_by("position")
    ] == [
        ("soonish", "none", "None"),
        ("by Easter", "none", "None"),
        ("Q2 2019", "quarter", "2019-06-30"),
    ]


def test_import_plan_keep_undated_with_dry_run_writes_nothing(tmp_path):
    path = _write(tmp_path, "deadlines.tsv", BAD_DEADLINES)
    before = snapshot()

    out, _err = _run(str(path), "--keep-undated", "--dry-run")

    assert out.startswith("Would import into a new plan “Deadlines”: 1 working group(s), ")
    assert snapshot() == before


@pytest.mark.parametrize("case", MALFORMED, ids=lambda case: case.id)
def test_import_plan_malformed_file_stops_and_writes_nothing(tmp_path, settings, case):
    for name, value in case.settings.items():
        setattr(settings, name, value)
    path = _write(tmp_path, "plan.dat", case.content())
    before = snapshot()

    with pytest.raises(CommandError) as excinfo:
        _run(str(path), "--title", "Malformed")

    if case.raised:
        assert str(excinfo.value) == f"{path}: " + " ".join(case.messages)
    else:
        assert str(excinfo.value) == f"{path}: nothing imported.\n" + "\n".join(case.messages)
    assert snapshot() == before


def test_import_plan_title_clash_is_refused():
    _run(str(SEED))
    before = snapshot()

    with pytest.raises(CommandError) as excinfo:
        _run(str(SEED))

    assert str(excinfo.value) == (
        f"{SEED}: nothing imported.\ntitle: A plan titled “PIM Lebanon Action Plan” exists "
        "already: import into it instead, so that nothing is duplicated."
    )
    assert snapshot() == before


def test_import_plan_flat_file_without_title_asks_for_one(tmp_path):
    path = _write(
        tmp_path, "plan.csv", b"Working group,Challenge,Action point\nGroup 1: A,1. B,C\n"
    )

    with pytest.raises(CommandError) as excinfo:
        _run(str(path))

    assert str(excinfo.value) == f"{path}: nothing imported.\ntitle: Give the new plan a title."
    assert ActionPlan.objects.count() == 0


def test_import_plan_warnings_go_to_stderr(tmp_path):
    path = _write(
        tmp_path,
        "plan.csv",
        b"Working group,Challenge,Action point,Budget\nGroup 1: Data,1. Lack,Do it,500\n",
    )

    out, err = _run(str(path), "--title", "Budget")

    assert err == 'Warning: Row 1, column D: Unknown column "Budget" was ignored.\n'
    assert out.startswith("Imported into a new plan “Budget”: 1 working group(s), ")


def test_import_plan_missing_file(tmp_path):
    with pytest.raises(CommandError) as excinfo:
        _run(str(tmp_path / "nope.tsv"))

    assert str(excinfo.value) == f"No such file: {tmp_path / 'nope.tsv'}"


def test_import_plan_unknown_plan():
    with pytest.raises(CommandError) as excinfo:
        _run(str(SEED), "--plan", "999999")

    assert str(excinfo.value) == "No plan with id 999999."
    assert ActionPlan.objects.count() == 0


def test_import_plan_plan_and_title_are_exclusive():
    with pytest.raises(CommandError) as excinfo:
        _run(str(SEED), "--plan", "1", "--title", "Both")

    assert str(excinfo.value) == ("Error: argument --title: not allowed with argument --plan")


@pytest.fixture
def keep_connection(monkeypatch):
    """run_from_argv closes every connection when it ends; the test's transaction
    must survive it (on PostgreSQL a closed connection ends the test)."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_import_plan_error_exits_non_zero_from_the_command_line(tmp_path, capsys, keep_connection):
    path = _write(tmp_path, "deadlines.tsv", BAD_DEADLINES)

    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(["manage.py", "import_plan", str(path)])

    assert excinfo.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"CommandError: {path}: nothing imported.\nRow 4, column C: ")
    assert ActionPlan.objects.count() == 0


def test_import_plan_success_exits_zero_from_the_command_line(capsys, keep_connection):
    execute_from_command_line(["manage.py", "import_plan", str(SEED)])

    assert capsys.readouterr().out.startswith("Imported into a new plan “PIM Lebanon Action Plan”")
    assert ActionPlan.objects.count() == 1
