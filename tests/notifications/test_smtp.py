"""Reminders end to end through Django's SMTP backend and a real SMTP server on
loopback (aiosmtpd, started by the test): send_reminders, the task worker, the
message as the server received it, its links; a refused connection and a refused
address retried later without stopping anyone else.

Transactional tests: the worker (db_worker) checks its database connection the
way a long-running process does, and a retry is enqueued when the failed attempt
commits.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import logging
import re
import socket
from dataclasses import dataclass, field
from io import StringIO
from urllib.parse import urlsplit

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from actionplans.models import ActionPoint, ProgressUpdate
from notifications.models import Delivery, OneClickUse
from tests.factories import FocalPointFactory, PersonFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = "2019-03-17"  # a Sunday: no coordinator's digest (Mondays by default)
DUE = datetime.date(2019, 3, 31)  # 14 days later: the first "deadline coming up"
DESCRIPTION = "IMWG to recommend standardized tools"
SITE_URL = "https://tracker.example.org"
SENDER = "noreply@localhost"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.content, policy=email.policy.default)


@dataclass
class Recorder:
    """An aiosmtpd handler: keeps what it receives, refuses some recipients with 550."""

    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 Recipient address rejected: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A loopback port nothing listens on (the OS picked it, then it was let go)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # closed until a server starts on it
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = f"PIM Action Tracker <{SENDER}>"
    settings.SITE_URL = SITE_URL
    settings.REMINDER_LEAD_DAYS = [14, 3]
    return settings


@pytest.fixture
def start_smtp(smtp_settings):
    """Start a server on the settings' port: start_smtp() -> its Recorder."""
    controllers = []

    def start() -> Recorder:
        recorder = Recorder()
        controller = Controller(recorder, hostname="127.0.0.1", port=smtp_settings.EMAIL_PORT)
        controller.start()
        controllers.append(controller)
        return recorder

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def world():
    world = build_world()
    world.member_person.email = "jad@example.org"
    world.member_person.save(update_fields=["email"])
    ActionPoint.objects.filter(pk=world.action_point.pk).update(
        deadline="2019-03-31", due_date=DUE, deadline_precision="day"
    )
    world.action_point.refresh_from_db()
    return world


def send_reminders_and_work() -> str:
    out = StringIO()
    call_command("send_reminders", "--today", TODAY, stdout=out)
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    return out.getvalue()


def tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.order_by("enqueued_at"))


def test_a_reminder_through_a_real_smtp_server_and_its_one_click_link(client, world, start_smtp):
    smtp = start_smtp()

    output = send_reminders_and_work()

    assert output == f"{TODAY}: 1 new notification(s) recorded, 1 email(s) queued in 1 task(s).\n"
    assert len(smtp.received) == 1
    received = smtp.received[0]
    assert received.mail_from == SENDER
    assert received.rcpt_tos == ["jad@example.org"]
    message = received.message()
    assert message["To"] == "jad@example.org"
    assert message["From"] == f"PIM Action Tracker <{SENDER}>"
    assert message["Subject"] == f"Deadline coming up: {DESCRIPTION}"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    text, html = text.get_content(), html.get_content()
    for part in (text, html):
        assert DESCRIPTION in part
        assert "PIM Lebanon Action Plan" in part
        assert "Due in 14 days." in part
    assert f"Open: {SITE_URL}/action-points/{world.action_point.pk}/" in text
    assert f'href="{SITE_URL}/action-points/{world.action_point.pk}/"' in html

    # RFC 8058 one-click unsubscribe. The long header is folded onto a second
    # line; the leading white space that leaves is folding, not part of the value.
    unsubscribe = re.fullmatch(r"<(https?://[^>\s]+)>", message["List-Unsubscribe"].strip())
    assert unsubscribe, message["List-Unsubscribe"]
    assert unsubscribe.group(1).startswith(f"{SITE_URL}/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The three one-click links of the text part: one token, three actions.
    links = dict(re.findall(r"(Mark in progress|Mark done|Add an update): (\S+)", text))
    assert set(links) == {"Mark in progress", "Mark done", "Add an update"}
    done = urlsplit(links["Mark done"])
    assert f"{done.scheme}://{done.netloc}" == SITE_URL
    assert done.query == "do=completed"
    assert links["Mark in progress"] == links["Add an update"] + "?do=in_progress"
    assert links["Mark done"] == links["Add an update"] + "?do=completed"
    # The HTML part carries the same links.
    for url in links.values():
        assert f'href="{url}"' in html

    delivery = Delivery.objects.get()
    assert (delivery.recipient, str(delivery.day), delivery.status) == (
        "jad@example.org",
        TODAY,
        "sent",
    )
    assert (delivery.attempts, delivery.last_error) == (1, "")
    assert delivery.sent_at is not None

    # The link works: opening it changes nothing, confirming marks the point done.
    path = f"{done.path}?{done.query}"
    opened = client.get(path)
    assert opened.status_code == 200
    assert "Confirm: mark done" in opened.content.decode()
    assert ProgressUpdate.objects.count() == 0
    confirmed = client.post(path, {"do": "completed", "note": "Done."})
    assert confirmed.status_code == 200
    assert "Recorded: Completed, 100&nbsp;% — thank you" in confirmed.content.decode()
    update = ProgressUpdate.objects.get()
    assert (update.status, update.progress) == ("completed", 100)
    assert (update.author, update.reported_by) == (world.member, world.member_person)
    assert OneClickUse.objects.get().update == update
    assert client.post(path, {"do": "completed", "note": "Done."}).status_code == 410

    # Running again the same day records no new reminder: the completion's "to verify"
    # (recorded as it happened) goes to the coordinator, and nothing to Jad again.
    again = send_reminders_and_work()
    assert again == f"{TODAY}: 0 new notification(s) recorded, 1 email(s) queued in 1 task(s).\n"
    assert [r.rcpt_tos for r in smtp.received] == [["jad@example.org"], ["coordinator@example.org"]]
    to_verify = smtp.received[1].message()
    assert to_verify["Subject"] == f"Completed, to verify: {DESCRIPTION}"


def test_a_refused_connection_is_retried_later_and_then_sent(
    world, start_smtp, smtp_settings, caplog
):
    caplog.set_level(logging.WARNING, logger="notifications.delivery")
    before = timezone.now()

    send_reminders_and_work()  # nothing listens on EMAIL_PORT

    delivery = Delivery.objects.get()
    assert delivery.status == "retrying"
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("ConnectionRefusedError: ")
    assert delivery.sent_at is None
    assert delivery.next_attempt_at > before + datetime.timedelta(minutes=1)
    assert len(caplog.records) == 1
    assert (
        caplog.records[0]
        .getMessage()
        .startswith("Email to jad@example.org for 2019-03-17 failed (attempt 1), retrying at ")
    )
    first, retry = tasks()
    assert (first.task_path, first.status) == ("notifications.tasks.deliver", "SUCCESSFUL")
    assert first.return_value == {"sent": 0, "failed": 0, "retrying": 1, "nothing": 0}
    assert (retry.task_path, retry.status) == ("notifications.tasks.deliver", "READY")
    assert retry.args_kwargs == {"args": [[delivery.pk]], "kwargs": {}}
    assert retry.run_after == delivery.next_attempt_at
    assert retry.run_after > timezone.now()

    # The worker leaves it until then; then the server is back and it goes.
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    assert DBTaskResult.objects.get(pk=retry.pk).status == "READY"
    smtp = start_smtp()
    with time_machine.travel(retry.run_after + datetime.timedelta(seconds=1)):
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    assert DBTaskResult.objects.get(pk=retry.pk).return_value == {
        "sent": 1,
        "failed": 0,
        "retrying": 0,
        "nothing": 0,
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert [received.rcpt_tos for received in smtp.received] == [["jad@example.org"]]


def test_an_address_the_server_refuses_does_not_stop_the_others(world, start_smtp, caplog):
    caplog.set_level(logging.WARNING, logger="notifications.delivery")
    fanette = PersonFactory(name="Fanette", email="fanette@example.org")
    FocalPointFactory(action_point=world.action_point, person=fanette, role="support")
    smtp = start_smtp()
    out = StringIO()
    call_command("send_reminders", "--today", TODAY, stdout=out)
    assert out.getvalue() == (
        f"{TODAY}: 2 new notification(s) recorded, 2 email(s) queued in 1 task(s).\n"
    )
    # The server refuses the address the worker sends to first (deliveries go in
    # id order, over one connection): the one after it must still go.
    refused, sent = Delivery.objects.order_by("id")
    other = ({"jad@example.org", "fanette@example.org"} - {refused.recipient}).pop()
    assert sent.recipient == other
    smtp.refused.add(refused.recipient)

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())

    assert [(r.rcpt_tos, r.message()["To"]) for r in smtp.received] == [([other], other)]
    refused.refresh_from_db()
    assert (refused.status, refused.attempts) == ("retrying", 1)
    assert refused.last_error.startswith("SMTPRecipientsRefused: ")
    assert "550" in refused.last_error and "Recipient address rejected" in refused.last_error
    assert refused.next_attempt_at > timezone.now()
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, "")
    assert len(caplog.records) == 1
    assert (
        caplog.records[0]
        .getMessage()
        .startswith(f"Email to {refused.recipient} for 2019-03-17 failed (attempt 1), retrying at ")
    )
    first, retry = tasks()
    assert first.status == "SUCCESSFUL"
    assert first.return_value == {"sent": 1, "failed": 0, "retrying": 1, "nothing": 0}
    assert retry.status == "READY"
    assert retry.args_kwargs == {"args": [[refused.pk]], "kwargs": {}}
    assert retry.run_after == refused.next_attempt_at
