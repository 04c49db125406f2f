"""Notifications of verified completion: a completed point is to verify by the
plan's coordinators other than the completer; one sent back tells the completer
why. Exact recipients, muting, the email and the inbox text."""

import pytest
from django.utils import timezone

from actionplans import services
from notifications.choices import Kind
from notifications.emails import compose
from notifications.models import Delivery, Notification, Preference
from tests.factories import FocalPointFactory, PersonFactory, UserFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    world.second = UserFactory(username="second", email="second@example.org")
    world.plan.coordinators.add(world.second)
    return world


def _complete(world, user, note="Tools agreed.", **extra):
    return services.progress_update_create(
        action_point=world.action_point, author=user, status="completed", note=note, **extra
    )


def _notified(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient", "user_id", "person_id"),
        key=str,
    )


def test_a_members_completion_is_to_verify_by_every_coordinator(world):
    update = _complete(world, world.member)
    assert _notified(Kind.TO_VERIFY) == [
        ("coordinator@example.org", world.coordinator.pk, None),
        ("second@example.org", world.second.pk, None),
    ]
    notification = Notification.objects.get(kind=Kind.TO_VERIFY, user=world.coordinator)
    assert notification.key == f"to_verify:{update.pk}"
    assert notification.detail == {"by": "Jad", "note": "Tools agreed.", "evidence_url": ""}
    assert (notification.plan_id, notification.action_point_id) == (
        world.plan.pk,
        world.action_point.pk,
    )


def test_a_coordinators_completion_is_to_verify_by_the_others_only(world):
    _complete(world, world.coordinator)
    assert _notified(Kind.TO_VERIFY) == [("second@example.org", world.second.pk, None)]


def test_a_one_click_completion_leaves_out_the_persons_own_coordinator_account(world):
    person = PersonFactory(name="Cora", user=world.second)
    FocalPointFactory(action_point=world.action_point, person=person)
    _complete(world, None, reported_by=person)
    assert _notified(Kind.TO_VERIFY) == [("coordinator@example.org", world.coordinator.pk, None)]


def test_a_note_on_a_completed_point_is_not_a_new_completion(world):
    _complete(world, world.member)
    services.progress_update_create(
        action_point=world.action_point, author=world.member, note="Minutes attached."
    )
    assert Notification.objects.filter(kind=Kind.TO_VERIFY).count() == 2


def test_to_verify_can_be_muted(world):
    Preference.objects.create(email="second@example.org", muted_kinds=[Kind.TO_VERIFY])
    _complete(world, world.member)
    assert _notified(Kind.TO_VERIFY) == [("coordinator@example.org", world.coordinator.pk, None)]


def test_sent_back_tells_the_completers_account_why(world):
    _complete(world, world.member)
    update = services.action_point_send_back(
        action_point=world.action_point, user=world.coordinator, reason="The minutes are missing."
    )
    assert _notified(Kind.SENT_BACK) == [
        ("member@example.org", world.member.pk, world.member_person.pk)
    ]
    notification = Notification.objects.get(kind=Kind.SENT_BACK)
    assert notification.key == f"sent_back:{update.pk}"
    assert notification.detail == {"reason": "The minutes are missing.", "by": "coordinator"}


def test_sent_back_reaches_a_person_without_account_by_email(world):
    rana = PersonFactory(name="Rana", email="rana@example.org")
    FocalPointFactory(action_point=world.action_point, person=rana)
    _complete(world, None, reported_by=rana)
    services.action_point_send_back(
        action_point=world.action_point, user=world.second, reason="Not yet."
    )
    assert _notified(Kind.SENT_BACK) == [("rana@example.org", None, rana.pk)]


def test_sent_back_of_a_point_nobody_completed_tells_nobody(world):
    point = services.action_point_create(
        challenge=world.challenge, description="Imported done", status="completed"
    )
    services.action_point_send_back(action_point=point, user=world.coordinator, reason="No.")
    assert _notified(Kind.SENT_BACK) == []


def test_the_emails_say_who_and_what(world):
    _complete(world, world.member)
    services.action_point_send_back(
        action_point=world.action_point, user=world.coordinator, reason="The minutes are missing."
    )
    point = world.action_point
    today = timezone.localdate()
    for address, kind, title, text in (
        (
            "coordinator@example.org",
            Kind.TO_VERIFY,
            "Completed, to verify",
            "Jad completed it: verify it or send it back.",
        ),
        (
            "member@example.org",
            Kind.SENT_BACK,
            "Completion sent back",
            "coordinator sent your completion back to in progress.",
        ),
    ):
        notifications = list(Notification.objects.filter(recipient=address, kind=kind))
        delivery = Delivery.objects.create(recipient=address, day=today)
        message = compose(delivery, notifications, {point.pk: point}, language="en")
        assert message.subject == f"{title}: {point.description}"
        assert text in message.body
        assert text in message.alternatives[0][0]


def test_the_inbox_reads_them(client, world):
    _complete(world, world.member)
    client.force_login(world.second)
    content = client.get("/notifications/").content.decode()
    assert "Completed, to verify" in content
    assert "Jad completed it: verify it or send it back." in content
    assert '<q dir="auto">Tools agreed.</q>' in content
