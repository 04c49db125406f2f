"""Bulk edit of a plan's action points (services.bulk, views.bulk, the plan table's
checkboxes and bar): each kind of change with its history per action point, all or
nothing, who may, and the preview that shows what apply then does."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import services
from actionplans.choices import PlanStatus, PlanVisibility
from actionplans.models import (
    ActionPoint,
    DeadlineChange,
    FocalPoint,
    PimTag,
    ProgressUpdate,
    with_focal_points,
    with_pim_tags,
)
from actionplans.services import BulkChanges
from actionplans.services.bulk import shifted_deadline
from tests.actionplans.test_queries import _grow
from tests.factories import ActionPointFactory, FocalPointFactory, PersonFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

NOTE_REQUIRED = "Say what was done: a note is required to complete an action point."


@pytest.fixture
def world():
    return build_world(visibility=PlanVisibility.SIGNED_IN)


@pytest.fixture
def points(world):
    """1.1.1 (Jad lead, no deadline), 1.1.2 (Q1 2027), 1.1.3 (March 2027)."""
    first = world.action_point
    second = ActionPointFactory(
        challenge=world.challenge,
        position=2,
        description="Map the referral pathways",
        deadline="Q1 2027",
        deadline_precision="quarter",
        due_date="2027-03-31",
    )
    third = ActionPointFactory(
        challenge=world.challenge,
        position=3,
        description="Train the monitors",
        deadline="March 2027",
        deadline_precision="month",
        due_date="2027-03-31",
    )
    for point in (first, second, third):
        point.refresh_from_db()
    return [first, second, third]


def _edit(world, ids, **changes):
    return services.action_points_bulk_edit(
        user=world.coordinator,
        plan=world.plan,
        action_point_ids=ids,
        changes=BulkChanges(**changes),
    )


def _fresh(point):
    return (
        ActionPoint.objects.prefetch_related(with_pim_tags(), with_focal_points())
        .select_related("challenge__working_group")
        .get(pk=point.pk)
    )


def _nothing_written(points):
    for point in points:
        now = ActionPoint.objects.get(pk=point.pk)
        assert (now.version, now.status, now.deadline, now.priority) == (
            point.version,
            point.status,
            point.deadline,
            point.priority,
        )
    assert ProgressUpdate.objects.count() == 0
    assert DeadlineChange.objects.count() == 0
    assert PimTag.objects.count() == 0


# --- each kind of change, with its history per action point ---------------------------


def test_bulk_status_completed_records_what_was_done_on_each_point(world, points):
    first, second, _third = points
    edit = _edit(
        world,
        [first.pk, second.pk],
        status="completed",
        note="Agreed in the IMWG",
        evidence_url="https://example.org/minutes",
    )
    assert len(edit.changed_points) == 2
    for point in (first, second):
        now = ActionPoint.objects.get(pk=point.pk)
        assert (now.status, now.progress, now.version) == ("completed", 100, point.version + 1)
        assert now.completed_by == world.coordinator
        update = ProgressUpdate.objects.get(action_point=point)
        assert (update.previous_status, update.status, update.progress) == (
            "not_started",
            "completed",
            100,
        )
        assert (update.note, update.evidence_url, update.author) == (
            "Agreed in the IMWG",
            "https://example.org/minutes",
            world.coordinator,
        )
        assert now.history.latest().history_user == world.coordinator


def test_bulk_completion_without_a_note_is_refused_and_writes_nothing(world, points):
    with pytest.raises(ValidationError) as error:
        _edit(world, [points[0].pk, points[1].pk], status="completed")
    assert error.value.messages == [f"What was done: {NOTE_REQUIRED}"]
    _nothing_written(points)


def test_bulk_status_skips_points_with_that_status_already(world, points):
    first, second, _third = points
    services.progress_update_create(action_point=second, author=None, status="blocked")
    second.refresh_from_db()
    edit = _edit(world, [first.pk, second.pk], status="blocked")
    assert [p.number for p in edit.changed_points] == ["1.1.1"]
    assert ProgressUpdate.objects.filter(action_point=second).count() == 1  # the earlier one
    assert ActionPoint.objects.get(pk=first.pk).status == "blocked"


def test_bulk_add_focal_point_keeps_the_others_and_skips_who_has_that_role(world, points):
    first, second, third = points
    rana = PersonFactory(name="Rana")
    FocalPointFactory(action_point=second, person=rana, role="support")
    FocalPointFactory(action_point=third, person=rana, role="lead")
    before = FocalPoint.history.count()
    edit = _edit(world, [first.pk, second.pk, third.pk], focal_person=rana, focal_role="lead")
    assert [p.number for p in edit.changed_points] == ["1.1.1", "1.1.2"]
    roles = lambda point: [  # noqa: E731
        (fp.person.name, fp.role)
        for fp in FocalPoint.objects.filter(action_point=point).order_by("id")
    ]
    assert roles(first) == [("Jad", "lead"), ("Rana", "lead")]
    assert roles(second) == [("Rana", "lead")]
    assert roles(third) == [("Rana", "lead")]
    # One history row each: Rana named on 1.1.1, Rana's role changed on 1.1.2.
    assert FocalPoint.history.count() == before + 2
    assert {h.history_type for h in FocalPoint.history.all()[:2]} == {"+", "~"}
    assert ActionPoint.objects.get(pk=third.pk).version == third.version


def test_bulk_tags_add_and_remove_with_tag_history_per_point(world, points):
    first, second, _third = points
    services.action_point_classify(
        action_point=second, user=None, pim_categories=["case_management", "population_data"]
    )
    second.refresh_from_db()
    tag_history = PimTag.history.count()
    _edit(
        world,
        [first.pk, second.pk],
        add_categories=("protection_monitoring",),
        remove_categories=("case_management",),
        add_principles=("do_no_harm",),
    )
    assert _fresh(first).pim_categories == ["protection_monitoring"]
    assert _fresh(first).pim_principles == ["do_no_harm"]
    assert _fresh(second).pim_categories == ["population_data", "protection_monitoring"]
    assert _fresh(second).pim_principles == ["do_no_harm"]
    # 1.1.1: two tags added; 1.1.2: one removed, two added.
    assert PimTag.history.count() == tag_history + 5
    assert PimTag.history.filter(history_user=world.coordinator).count() == 5
    assert ActionPoint.objects.get(pk=second.pk).version == second.version + 1


def test_bulk_process_step_and_priority(world, points):
    first, second, _third = points
    _edit(world, [first.pk, second.pk], pim_process_step="design_im_systems", priority="high")
    for point in (first, second):
        now = ActionPoint.objects.get(pk=point.pk)
        assert (now.pim_process_step, now.priority, now.version) == (
            "design_im_systems",
            "high",
            point.version + 1,
        )
        latest = now.history.latest()
        assert (latest.priority, latest.history_user) == ("high", world.coordinator)
    _edit(world, [first.pk], pim_process_step="")
    assert ActionPoint.objects.get(pk=first.pk).pim_process_step == ""


def test_bulk_new_deadline_records_one_change_per_point_with_the_reason(world, points):
    first, second, third = points
    edit = _edit(
        world, [first.pk, second.pk, third.pk], deadline="Q3 2027", reason="Funding delayed"
    )
    assert len(edit.changed_points) == 3
    changes = DeadlineChange.objects.order_by("action_point__position")
    assert [
        (c.action_point_id, c.old_deadline, c.new_deadline, str(c.new_due_date), c.reason)
        for c in changes
    ] == [
        (first.pk, "", "Q3 2027", "2027-09-30", "Funding delayed"),
        (second.pk, "Q1 2027", "Q3 2027", "2027-09-30", "Funding delayed"),
        (third.pk, "March 2027", "Q3 2027", "2027-09-30", "Funding delayed"),
    ]
    assert {c.changed_by for c in changes} == {world.coordinator}
    now = ActionPoint.objects.get(pk=third.pk)
    assert (now.deadline, now.deadline_precision, str(now.due_date)) == (
        "Q3 2027",
        "quarter",
        "2027-09-30",
    )


def test_bulk_deadline_move_needs_a_reason(world, points):
    with pytest.raises(ValidationError) as error:
        _edit(world, [points[1].pk], deadline="Q3 2027", reason="  ")
    assert error.value.messages == ["Reason: Reason is required."]
    _nothing_written(points)


@pytest.mark.parametrize(
    ("deadline", "precision", "due", "months", "expected"),
    [
        ("2027-01-31", "day", "2027-01-31", 1, "2027-02-28"),
        ("15/03/2027", "day", "2027-03-15", 3, "15/06/2027"),
        ("15 March 2027", "day", "2027-03-15", -3, "15 December 2026"),
        ("March 2027", "month", "2027-03-31", 3, "June 2027"),
        ("Mar 2027", "month", "2027-03-31", 10, "Jan 2028"),
        ("03/2027", "month", "2027-03-31", 1, "04/2027"),
        ("Q1 2027", "quarter", "2027-03-31", 3, "Q2 2027"),
        ("Q4 2027", "quarter", "2027-12-31", 3, "Q1 2028"),
        ("Q1-Q2 2027", "quarter", "2027-06-30", 3, "Q3 2027"),
        ("T1 2027", "quarter", "2027-03-31", -3, "T4 2026"),
        ("H1 2027", "half", "2027-06-30", 6, "H2 2027"),
        ("2027", "year", "2027-12-31", 12, "2028"),
        ("end of 2027", "year", "2027-12-31", -24, "2025"),
    ],
)
def test_shift_keeps_each_precision(deadline, precision, due, months, expected):
    point = ActionPoint(deadline=deadline, deadline_precision=precision, due_date=due)
    point.due_date = __import__("datetime").date.fromisoformat(due)
    assert shifted_deadline(point, months) == expected


def test_bulk_shift_moves_each_point_at_its_precision_and_reports_undated(world, points):
    first, second, third = points
    preview = services.bulk_edit_preview(
        user=world.coordinator,
        plan=world.plan,
        action_point_ids=[first.pk, second.pk, third.pk],
        changes=BulkChanges(shift_months=3, reason="Rainy season"),
    )
    assert [(p.number, [(r.old, r.new, r.note) for r in p.rows]) for p in preview.points] == [
        ("1.1.1", [("—", "—", "Not movable: it has no date.")]),
        ("1.1.2", [("Q1 2027", "Q2 2027", "")]),
        ("1.1.3", [("March 2027", "June 2027", "")]),
    ]
    _edit(world, [first.pk, second.pk, third.pk], shift_months=3, reason="Rainy season")
    assert list(
        DeadlineChange.objects.order_by("action_point__position").values_list(
            "new_deadline", "reason"
        )
    ) == [("Q2 2027", "Rainy season"), ("June 2027", "Rainy season")]
    assert ActionPoint.objects.get(pk=first.pk).version == first.version


def test_bulk_shift_that_splits_a_period_is_refused_naming_the_point(world, points):
    with pytest.raises(ValidationError) as error:
        _edit(world, [points[1].pk, points[2].pk], shift_months=1, reason="Late")
    assert error.value.messages == [
        "Action point 1.1.2 “Map the referral pathways”: Deadline: “Q1 2027” is a quarter: "
        "it moves by whole periods of 3 months, not by 1."
    ]
    _nothing_written(points)


# --- all or nothing ---------------------------------------------------------------------


def test_a_point_refused_while_applying_undoes_the_others(world, points):
    first, second, _third = points
    with pytest.raises(ValidationError) as error:
        services.action_points_bulk_edit(
            user=world.coordinator,
            plan=world.plan,
            action_point_ids=[first.pk, second.pk],
            changes=BulkChanges(deadline="Q4 2027", reason="Funding", priority="high"),
            # 1.1.2 changed since the preview was read.
            expected_versions={first.pk: first.version, second.pk: second.version - 1},
        )
    assert error.value.messages[0].startswith(
        "Action point 1.1.2 “Map the referral pathways”: Priority: Someone else changed"
    )
    _nothing_written(points)


def test_points_of_another_plan_are_refused(world, points):
    with pytest.raises(ValidationError) as error:
        _edit(world, [points[0].pk, world.other_action_point.pk], priority="high")
    assert error.value.messages == [
        f"Not action points of this plan: {world.other_action_point.pk}."
    ]
    _nothing_written(points)
    assert ActionPoint.objects.get(pk=world.other_action_point.pk).priority == "normal"


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_only_coordinators_may_bulk_edit(world, points, role):
    with pytest.raises(PermissionDenied):
        services.action_points_bulk_edit(
            user=getattr(world, role),
            plan=world.plan,
            action_point_ids=[points[0].pk],
            changes=BulkChanges(priority="high"),
        )
    _nothing_written(points)


def test_admin_may_bulk_edit(world, points):
    services.action_points_bulk_edit(
        user=world.admin,
        plan=world.plan,
        action_point_ids=[points[0].pk],
        changes=BulkChanges(priority="high"),
    )
    assert ActionPoint.objects.get(pk=points[0].pk).priority == "high"


def test_closed_plan_is_refused(world, points):
    world.plan.status = PlanStatus.CLOSED
    world.plan.save()
    with pytest.raises(ValidationError) as error:
        _edit(world, [points[0].pk], priority="high")
    assert error.value.messages == ["This plan is closed: reopen it before changing it."]
    _nothing_written(points)


def test_bad_input_is_named(world, points):
    with pytest.raises(ValidationError) as error:
        _edit(
            world,
            [points[0].pk],
            add_categories=("gossip",),
            remove_principles=("do_no_harm",),
            add_principles=("do_no_harm",),
            priority="urgent",
        )
    assert error.value.messages == [
        'PIM categories: Unknown value "gossip". Use one of: population_data, '
        "protection_needs_assessment, protection_monitoring, case_management, "
        "protection_response_monitoring_evaluation, security_situational_awareness, "
        "sectoral_systems_other, communicating_with_communities.",
        "PIM principles: Cannot add and remove the same tag: do_no_harm.",
        'Priority: Unknown value "urgent". Use one of: high, normal.',
    ]
    with pytest.raises(ValidationError) as error:
        _edit(world, [], priority="high")
    assert error.value.messages == ["Select at least one action point."]
    with pytest.raises(ValidationError) as error:
        _edit(world, [points[0].pk])
    assert error.value.messages == ["Choose at least one change to make."]
    _nothing_written(points)


def test_preview_writes_nothing_and_equals_what_apply_does(world, points):
    first, second, third = points
    changes = BulkChanges(
        status="in_progress",
        priority="high",
        add_categories=("population_data",),
        deadline="H2 2027",
        reason="Scope grew",
    )
    ids = [first.pk, second.pk, third.pk]
    preview = services.bulk_edit_preview(
        user=world.coordinator, plan=world.plan, action_point_ids=ids, changes=changes
    )
    _nothing_written(points)
    assert preview.ok
    shown = {
        p.action_point.pk: {r.field: r.new for r in p.rows if r.changed} for p in preview.points
    }
    assert shown[second.pk] == {
        "status": "In progress",
        "pim_categories": "Population data",
        "priority": "High",
        "deadline": "H2 2027",
    }
    _edit(world, ids, **changes.__dict__)
    for point in points:
        now = _fresh(point)
        assert shown[point.pk] == {
            "status": now.get_status_display(),
            "pim_categories": "Population data",
            "priority": now.get_priority_display(),
            "deadline": now.deadline,
        }


# --- the pages ---------------------------------------------------------------------------


def _post(client, world, data):
    return client.post(f"/plans/{world.plan.pk}/bulk-edit/", data)


def test_bulk_edit_page_takes_gets_and_posts_only(client, world):
    client.force_login(world.coordinator)
    assert client.put(f"/plans/{world.plan.pk}/bulk-edit/").status_code == 405
    assert client.delete(f"/plans/{world.plan.pk}/bulk-edit/").status_code == 405


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("viewer", 403), ("outsider", 403)])
def test_bulk_edit_page_refuses_who_is_not_a_coordinator(client, world, points, role, status):
    client.force_login(getattr(world, role))
    response = _post(client, world, {"action_points": [points[0].pk], "priority": "high"})
    assert response.status_code == status
    response = client.get(f"/plans/{world.plan.pk}/bulk-edit/", {"action_points": points[0].pk})
    assert response.status_code == status
    _nothing_written(points)


def test_bulk_edit_page_hides_a_plan_one_may_not_see(client, world, points):
    client.force_login(world.coordinator)
    response = client.post(
        f"/plans/{world.other_plan.pk}/bulk-edit/",
        {"action_points": [world.other_action_point.pk], "priority": "high"},
    )
    assert response.status_code == 404


def test_bulk_preview_shows_old_and_new_per_point_and_writes_nothing(client, world, points):
    client.force_login(world.coordinator)
    data = {
        "action_points": [points[1].pk, points[2].pk],
        "new_deadline": "Q3 2027",
        "reason": "Funding delayed",
    }
    response = _post(client, world, data)
    assert response.status_code == 200
    html = response.content.decode()
    assertContains(response, "2 action points will change.")
    assert f'<tbody id="bulk-ap-{points[1].pk}">' in html
    assert (
        '<td><span dir="auto">Q1 2027</span></td><td><span dir="auto">Q3 2027</span></td>' in html
    )
    assert (
        '<td><span dir="auto">March 2027</span></td><td><span dir="auto">Q3 2027</span></td>'
        in (html)
    )
    assert (
        f'<input type="hidden" name="version-{points[1].pk}" value="{points[1].version}">' in html
    )
    assert '<input type="hidden" name="reason" value="Funding delayed">' in html
    assertContains(
        response, '<button type="submit" name="step" value="confirm">Confirm the changes'
    )
    assertContains(
        response, '<button type="submit" name="step" value="choose" class="secondary">Back'
    )
    _nothing_written(points)


def test_bulk_choose_step_lists_the_selection_and_the_change_fields(client, world, points):
    client.force_login(world.coordinator)
    # From the plan table's bar: a GET (nothing changes yet).
    response = client.get(
        f"/plans/{world.plan.pk}/bulk-edit/",
        {"action_points": [points[2].pk, points[1].pk, world.other_action_point.pk]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 action points selected" in html
    assert (
        f'<input type="checkbox" name="action_points" value="{points[1].pk}" checked> 1.1.2 '
        '<span dir="auto">Map the referral pathways</span>'
    ) in html
    assert "Secret action" not in html
    assert html.index("1.1.2 <span") < html.index("1.1.3 <span")
    for name in ("status", "focal_person", "add_categories", "priority", "new_deadline", "reason"):
        assert f'id="bulk-{name}"' in html
    assert '<input type="hidden" name="step" value="preview">' in html
    # Back from the preview: a POST with the changes chosen, shown again.
    response = _post(
        client, world, {"step": "choose", "action_points": [points[1].pk], "priority": "high"}
    )
    assertContains(response, "1 action point selected")
    assertContains(response, '<option value="high" selected>High</option>')
    _nothing_written(points)


def test_bulk_confirm_applies_and_says_how_many(client, world, points):
    client.force_login(world.coordinator)
    data = {
        "action_points": [points[1].pk, points[2].pk],
        "new_deadline": "Q3 2027",
        "reason": "Funding delayed",
        f"version-{points[1].pk}": points[1].version,
        "step": "confirm",
    }
    response = _post(client, world, data)
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{world.plan.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["2 action points changed."]
    assert list(
        ActionPoint.objects.filter(pk__in=[points[1].pk, points[2].pk]).values_list(
            "deadline", flat=True
        )
    ) == ["Q3 2027", "Q3 2027"]
    assert DeadlineChange.objects.filter(reason="Funding delayed").count() == 2


def test_bulk_confirm_after_a_change_by_someone_else_writes_nothing(client, world, points):
    client.force_login(world.coordinator)
    version = points[1].version  # as the preview showed it
    services.progress_update_create(action_point=points[1], author=None, status="blocked")
    response = _post(
        client,
        world,
        {
            "action_points": [points[1].pk, points[2].pk],
            "priority": "high",
            f"version-{points[1].pk}": version,
            "step": "confirm",
        },
    )
    assert response.status_code == 400
    assertContains(
        response, "Action point 1.1.2 “Map the referral pathways”: Priority:", status_code=400
    )
    assert set(ActionPoint.objects.values_list("priority", flat=True)) == {"normal"}


def test_bulk_preview_names_the_point_in_error(client, world, points):
    client.force_login(world.coordinator)
    response = _post(
        client,
        world,
        {"action_points": [points[1].pk], "shift_months": "1", "reason": "Late", "step": "confirm"},
    )
    assert response.status_code == 400
    assertContains(
        response,
        "Action point 1.1.2 “Map the referral pathways”: Deadline: “Q1 2027” is a quarter",
        status_code=400,
    )
    assertNotContains(response, 'value="confirm"', status_code=400)
    _nothing_written(points)


def test_plan_table_has_checkboxes_and_bar_for_coordinators_only(client, world, points):
    client.force_login(world.coordinator)
    html = client.get(f"/plans/{world.plan.pk}/").content.decode()
    assert (
        f'<td><input type="checkbox" name="action_points" '
        f'value="{points[1].pk}" form="bulk" aria-label="Select action point 1.1.2"></td>'
    ) in html
    assert (
        f'<form id="bulk" action="/plans/{world.plan.pk}/bulk-edit/">'
        "<button>Change selected</button></form>"
    ) in html
    for role in ("member", "viewer"):
        client.force_login(getattr(world, role))
        html = client.get(f"/plans/{world.plan.pk}/").content.decode()
        assert 'form="bulk"' not in html
        assert 'id="bulk"' not in html


def test_closed_plan_shows_no_bulk_bar(client, world, points):
    world.plan.status = PlanStatus.CLOSED
    world.plan.save()
    client.force_login(world.coordinator)
    html = client.get(f"/plans/{world.plan.pk}/").content.decode()
    assert 'form="bulk"' not in html


def test_swapped_row_keeps_its_checkbox(client, world, points):
    client.force_login(world.coordinator)
    response = client.post(
        f"/action-points/{points[1].pk}/update/?row=grouped",
        {"status": "in_progress", "progress": "10", "note": "", "version": points[1].version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assertContains(response, 'aria-label="Select action point 1.1.2"')


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["coordinator", "member"])
def test_plan_table_queries_do_not_grow_with_the_bulk_column(client, world, role):
    client.force_login(getattr(world, role))
    url = f"/plans/{world.plan.pk}/"
    _grow(world, 1)
    small = _count(client, url)
    _grow(world, 3)
    assert _count(client, url) == small


def test_bulk_preview_queries_do_not_grow(client, world):
    client.force_login(world.coordinator)
    _grow(world, 1)
    ids = list(ActionPoint.objects.of_plan(world.plan).values_list("pk", flat=True))
    data = {"action_points": ids, "priority": "high", "add_categories": ["population_data"]}
    with CaptureQueriesContext(connection) as small:
        assert _post(client, world, data).status_code == 200
    _grow(world, 3)
    ids = list(ActionPoint.objects.of_plan(world.plan).values_list("pk", flat=True))
    data["action_points"] = ids
    with CaptureQueriesContext(connection) as large:
        assert _post(client, world, data).status_code == 200
    assert len(large) == len(small)
