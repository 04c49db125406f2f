"""The issue's "done when" on the demo: load_demo gives the people addresses,
send_reminders on 2019-03-17 and the task worker send Jad one reminder about his
three action points due in Q1 2019, a second run sends nothing new, and the
message's one-click link updates the action point."""

import datetime
import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from actionplans.models import ActionPoint, ProgressUpdate
from notifications.models import Delivery, Notification

# Transactional: the worker closes its database connection between tasks (PostgreSQL).
pytestmark = pytest.mark.django_db(transaction=True)

DAY = "2019-03-17"
JAD = "jad@example.org"


def _send_reminders() -> str:
    out = StringIO()
    call_command("send_reminders", "--today", DAY, stdout=out)
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())
    return {
        point.description: point
        for point in ActionPoint.objects.filter(
            challenge__working_group__plan__title="PIM Lebanon Action Plan"
        ).order_by("challenge__number", "position")
    }


def _jads_points(demo) -> list[ActionPoint]:
    return [
        point
        for point in demo.values()
        if [fp.person.name for fp in point.focal_points.all()] == ["Jad"]
    ]


def test_jad_gets_one_email_about_his_three_q1_points(demo, mailoutbox):
    jads = _jads_points(demo)
    assert [(p.deadline, str(p.due_date)) for p in jads] == [("Q1 of 2019", "2019-03-31")] * 3

    output = _send_reminders()

    assert output == f"{DAY}: 15 new notification(s) recorded, 5 email(s) queued in 1 task(s).\n"
    # Jad leads the group; Rana, Omar, Maria and Fred are its members: each carries
    # the three points due on 31 March. Fanette's point is due at the end of 2019.
    assert sorted(address for m in mailoutbox for address in m.to) == [
        "fred@example.org",
        JAD,
        "maria@example.org",
        "omar@example.org",
        "rana@example.org",
    ]
    [message] = [m for m in mailoutbox if m.to == [JAD]]
    assert message.subject == "PIM Action Tracker: 3 items (3 deadline coming up)"
    html = message.alternatives[0][0]
    for point in jads:
        assert f"http://127.0.0.1:8000/action-points/{point.pk}/" in message.body
        assert point.description.replace('"', "&quot;") in html
    assert message.body.count("Due in 14 days.") == 3
    assert message.body.count("Mark done: http://127.0.0.1:8000/u/") == 3
    fanettes = demo[
        "Build comprehensive consent form drafts and guidelines on which to choose "
        "depending on survey/activities Disseminate"
    ]
    assert f"/action-points/{fanettes.pk}/" not in message.body
    assert sorted(Notification.objects.filter(recipient=JAD).values_list("kind", "key")) == [
        ("due_soon", f"due_soon:{p.pk}:2019-03-31:14") for p in jads
    ]
    assert list(Delivery.objects.filter(recipient=JAD).values_list("day", "status")) == [
        (datetime.date(2019, 3, 17), "sent")
    ]


def test_a_second_run_the_same_day_sends_nothing(demo, mailoutbox):
    _send_reminders()
    sent = [(m.to, m.subject) for m in mailoutbox]

    output = _send_reminders()

    assert output == f"{DAY}: 0 new notification(s) recorded, 0 email(s) queued in 0 task(s).\n"
    assert [(m.to, m.subject) for m in mailoutbox] == sent
    assert len([m for m in mailoutbox if m.to == [JAD]]) == 1
    assert Delivery.objects.filter(recipient=JAD).count() == 1


def test_the_messages_done_link_completes_the_action_point(demo, mailoutbox, client):
    first = _jads_points(demo)[0]
    _send_reminders()
    [message] = [m for m in mailoutbox if m.to == [JAD]]
    # The item's lines: its "Open:" link, then its one-click links.
    done = re.search(rf"/action-points/{first.pk}/\n.*?Mark done: (\S+)", message.body, re.S)
    url = urlsplit(done.group(1))
    assert url.query == "do=completed"

    # No password: the signed link is the credential. Opening it changes nothing.
    assert client.get(f"{url.path}?{url.query}").status_code == 200
    first.refresh_from_db()
    assert first.status == "not_started"

    response = client.post(url.path, {"do": "completed", "note": "Done."})

    assert response.status_code == 200
    first.refresh_from_db()
    assert (first.status, first.progress) == ("completed", 100)
    update = ProgressUpdate.objects.get(action_point=first)
    # Recorded as Jad's, through the account linked to him.
    assert (update.status, update.reported_by.name, update.author.username) == (
        "completed",
        "Jad",
        "demo-member",
    )
    # Used once: the same link again is gone.
    assert client.post(url.path, {"do": "completed", "note": "Done."}).status_code == 410
