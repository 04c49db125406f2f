"""A closed plan is read-only until it is reopened, whichever door a change comes
through: the services, the pages, the API (PATCH of its status included)."""

import pytest
from django.core.exceptions import ValidationError
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import services
from actionplans.imports.read import read_table
from actionplans.imports.write import plan_import
from actionplans.models import ActionPlan, ActionPoint, Challenge, ProgressUpdate, WorkingGroup
from tests.api.helpers import token_client
from tests.users import build_world

pytestmark = pytest.mark.django_db

CLOSED = "This plan is closed: reopen it before changing it."


@pytest.fixture
def world():
    world = build_world()
    services.plan_close(plan=world.plan, user=world.coordinator)
    return world


def _refused(change) -> None:
    with pytest.raises(ValidationError) as raised:
        change()
    assert raised.value.messages == [CLOSED]


def test_closed_plan_refuses_every_change_inside_it(world):
    point, group, challenge = world.action_point, world.group, world.challenge
    before = (ActionPoint.objects.count(), Challenge.objects.count(), WorkingGroup.objects.count())

    _refused(lambda: services.progress_update_create(action_point=point, author=None, note="x"))
    _refused(
        lambda: services.action_point_reschedule(
            action_point=point, new_deadline="2030", reason="Later", changed_by=None
        )
    )
    _refused(lambda: services.action_point_update(action_point=point, user=None, description="x"))
    _refused(lambda: services.focal_points_assign(action_point=point, assignments=[]))
    _refused(lambda: services.action_point_create(challenge=challenge, description="New"))
    _refused(lambda: services.action_point_delete(action_point=point, user=None))
    _refused(lambda: services.challenge_create(working_group=group, description="New"))
    _refused(lambda: services.challenge_delete(challenge=challenge, user=None))
    _refused(lambda: services.working_group_create(plan=world.plan, name="New"))
    _refused(lambda: services.working_group_delete(group=group, user=None))
    _refused(lambda: services.sibling_move(obj=point, direction="down"))
    _refused(lambda: services.plan_update(plan=world.plan, user=None, title="Renamed"))
    table = read_table(b"Group 9: New\nChallenges\tAction point\n1. C\tA\n")
    _refused(lambda: plan_import(table=table, plan=world.plan))

    assert ProgressUpdate.objects.count() == 0
    after = (ActionPoint.objects.count(), Challenge.objects.count(), WorkingGroup.objects.count())
    assert after == before
    world.plan.refresh_from_db()
    assert (world.plan.title, world.plan.status) == ("PIM Lebanon Action Plan", "closed")


def test_reopened_plan_accepts_changes_again(world):
    services.plan_reopen(plan=world.plan, user=world.coordinator)

    update = services.progress_update_create(
        action_point=world.action_point, author=world.member, status="in_progress"
    )

    assert (world.plan.status, update.status) == ("active", "in_progress")
    statuses = list(world.plan.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[-2:] == ["closed", "active"]


def test_plan_close_and_reopen_say_what_is_wrong(world):
    with pytest.raises(ValidationError, match="This plan is already closed."):
        services.plan_close(plan=world.plan, user=None)
    services.plan_reopen(plan=world.plan, user=None, status="draft")
    assert world.plan.status == "draft"
    with pytest.raises(ValidationError, match="This plan is not closed."):
        services.plan_reopen(plan=world.plan, user=None)


def test_plan_update_reopens_and_changes_in_one_call(world):
    services.plan_update(plan=world.plan, user=None, status="active", title="Renamed")

    world.plan.refresh_from_db()
    assert (world.plan.status, world.plan.title) == ("active", "Renamed")


def test_plan_update_to_closed_goes_through_plan_close(world):
    with pytest.raises(ValidationError, match="This plan is already closed."):
        services.plan_update(plan=world.plan, user=None, status="closed")
    services.plan_reopen(plan=world.plan, user=None)

    services.plan_update(plan=world.plan, user=None, status="closed", country="Jordan")

    world.plan.refresh_from_db()
    assert (world.plan.status, world.plan.country) == ("closed", "Jordan")


# --- pages ---------------------------------------------------------------------------


def test_closed_plan_page_offers_reopening_and_no_change(client, world):
    client.force_login(world.coordinator)

    page = client.get(f"/plans/{world.plan.pk}/")

    assertContains(page, "This plan is closed")
    assertContains(page, f'action="/plans/{world.plan.pk}/reopen/"')
    for control in ("Close plan", "Edit plan", "Add working group", "Update status", "Edit group"):
        assertNotContains(page, control)


def test_closed_plan_page_offers_no_update_to_its_member(client, world):
    client.force_login(world.member)

    page = client.get(f"/plans/{world.plan.pk}/")

    assertNotContains(page, "Update status")
    assertNotContains(page, "/reopen/")


def test_member_update_of_closed_plan_is_refused_with_a_message(client, world):
    client.force_login(world.member)

    response = client.post(
        f"/action-points/{world.action_point.pk}/update/",
        {"status": "in_progress", "progress": 10, "version": world.action_point.version},
    )

    assert response.status_code == 200
    assert response.context["update_form"].non_field_errors() == [CLOSED]
    assert ProgressUpdate.objects.count() == 0


def test_reopen_page_action(client, world):
    client.force_login(world.coordinator)

    response = client.post(f"/plans/{world.plan.pk}/reopen/", follow=True)

    assertContains(response, "Plan “PIM Lebanon Action Plan” reopened.")
    world.plan.refresh_from_db()
    assert world.plan.status == "active"


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_reopen_page_action_is_for_coordinators(client, world, role):
    client.force_login(getattr(world, role))

    response = client.post(f"/plans/{world.plan.pk}/reopen/")

    assert response.status_code == (403 if role == "member" else 404)
    world.plan.refresh_from_db()
    assert world.plan.status == "closed"


# --- API -----------------------------------------------------------------------------


def test_api_patch_status_closed_of_closed_plan_is_refused_like_close(world):
    client = token_client(world.coordinator)

    response = client.patch(f"/api/v1/plans/{world.plan.pk}/", {"status": "closed"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This plan is already closed."]}


def test_api_patch_of_closed_plan_is_refused(world):
    client = token_client(world.coordinator)

    response = client.patch(f"/api/v1/plans/{world.plan.pk}/", {"title": "x"}, format="json")

    assert (response.status_code, response.json()) == (400, {"non_field_errors": [CLOSED]})


def test_api_progress_update_of_closed_plan_is_refused(world):
    client = token_client(world.member)

    response = client.post(
        f"/api/v1/action-points/{world.action_point.pk}/updates/",
        {"status": "in_progress"},
        format="json",
    )

    assert (response.status_code, response.json()) == (400, {"non_field_errors": [CLOSED]})


def test_api_close_and_reopen_actions(world):
    client = token_client(world.coordinator)
    url = f"/api/v1/plans/{world.plan.pk}"

    reopened = client.post(f"{url}/reopen/")
    closed = client.post(f"{url}/close/")
    again = client.post(f"{url}/close/")

    assert (reopened.status_code, reopened.json()["status"]) == (200, "active")
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert closed["ETag"] == f'"actionplan-{world.plan.pk}-{_updated(world.plan)}"'
    assert (again.status_code, again.json()) == (
        400,
        {"non_field_errors": ["This plan is already closed."]},
    )


def _updated(plan: ActionPlan) -> str:
    plan.refresh_from_db()
    return plan.updated.isoformat()


@pytest.mark.parametrize("role, status", [("member", 403), ("outsider", 404)])
def test_api_close_and_reopen_are_for_coordinators(world, role, status):
    response = token_client(getattr(world, role)).post(f"/api/v1/plans/{world.plan.pk}/reopen/")

    assert response.status_code == status
