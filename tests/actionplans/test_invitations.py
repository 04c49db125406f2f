"""Invitations and account linking from a plan's people page.

A coordinator invites a person of their plan by email: the person's address is
set, an account created and linked, and an email with an expiring, single-use
set-password link goes out once the transaction commits. An existing account
can be linked instead. Only the plan's coordinators and administrators do this.
"""

import datetime
import re
import smtplib
from unittest import mock
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import services
from actionplans.choices import PlanStatus, PlanVisibility
from orgs.models import Person
from tests.factories import (
    ActionPointFactory,
    ChallengeFactory,
    FocalPointFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.users import build_world

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Wide-Open-Fields-2019"
LINK = re.compile(r"https?://[^\s\"<>]+/accounts/reset/[^\s\"<>]+/")


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def fanette(world):
    """A person of the plan without an account: focal point of the world's action point."""
    person = PersonFactory(name="Fanette", organization=OrganizationFactory(acronym="UNHCR"))
    FocalPointFactory(action_point=world.action_point, person=person, role="support")
    return person


def _invite(world, person, email="fanette@example.org", by=None):
    return services.person_invite(
        plan=world.plan, person=person, email=email, invited_by=by or world.coordinator
    )


def _link_in(message) -> str:
    links = set(LINK.findall(message.body))
    assert len(links) == 1, message.body
    return links.pop()


# --- the invitation service --------------------------------------------------------


def test_invite_creates_a_linked_account_and_sends_the_link_after_commit(
    world, fanette, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://tracker.example.org"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = _invite(world, fanette, email="  Fanette@Example.org ")
        assert mail.outbox == []  # nothing leaves before the commit
        assert invitation.email_status == "pending"
    assert len(callbacks) == 1

    fanette.refresh_from_db()
    account = fanette.user
    assert account == invitation.user
    assert account.username == "fanette@example.org"
    assert account.email == "Fanette@example.org"  # the domain in lower case
    assert fanette.email == "Fanette@example.org"
    assert account.is_active
    assert not account.has_usable_password()
    assert account.last_login is None
    assert not account.is_staff and not account.is_superuser
    assert invitation.sent and invitation.email_error == ""

    [message] = mail.outbox
    assert message.to == ["Fanette@example.org"]
    assert message.subject == "coordinator invites you to the PIM Action Tracker"
    link = _link_in(message)
    assert link.startswith("https://tracker.example.org/accounts/reset/")
    assert "Hello Fanette," in message.body
    assert 'the plan "PIM Lebanon Action Plan"' in message.body
    assert "Your username: fanette@example.org" in message.body
    assert "This link works once, for 3 days." in message.body
    assert "https://tracker.example.org/accounts/login/?next=/my/action-points/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "<strong>fanette@example.org</strong>" in html


def test_the_inviter_is_named_by_their_person(world, fanette, django_capture_on_commit_callbacks):
    PersonFactory(name="Maria Coordinator", user=world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(world, fanette)
    assert mail.outbox[0].subject == "Maria Coordinator invites you to the PIM Action Tracker"


def test_an_administrator_may_invite(world, fanette, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(world, fanette, by=world.admin)
    assert invitation.sent
    assert Person.objects.get(pk=fanette.pk).user == invitation.user


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_only_coordinators_invite(world, fanette, role):
    with pytest.raises(PermissionDenied):
        _invite(world, fanette, by=getattr(world, role))
    assert User.objects.filter(email__iexact="fanette@example.org").count() == 0
    assert Person.objects.get(pk=fanette.pk).email == ""


def test_a_coordinator_of_another_plan_may_not_invite(world, fanette):
    world.other_plan.coordinators.add(world.member)
    with pytest.raises(PermissionDenied):
        _invite(world, fanette, by=world.member)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter the email address to send the invitation to."),
        ("   ", "Enter the email address to send the invitation to."),
        ("fanette at unhcr", "“fanette at unhcr” is not an email address."),
        ("JAD@example.org", "Jad already has this email address."),
        (
            "Viewer@Example.org",
            "The account “viewer” already uses this email address: link that account instead.",
        ),
    ],
)
def test_invalid_or_taken_addresses_are_refused_on_the_field(world, fanette, email, message):
    world.member_person.email = "jad@example.org"
    world.member_person.save()
    users_before = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        _invite(world, fanette, email=email)
    assert caught.value.message_dict == {"email": [message]}
    assert User.objects.count() == users_before
    fanette.refresh_from_db()
    assert (fanette.email, fanette.user) == ("", None)
    assert mail.outbox == []


def test_the_person_may_keep_their_own_address(world, fanette, django_capture_on_commit_callbacks):
    fanette.email = "fanette@example.org"
    fanette.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(world, fanette, email="FANETTE@example.org")
    assert invitation.user.email == "FANETTE@example.org"
    assert Person.objects.get(pk=fanette.pk).email == "FANETTE@example.org"


def test_a_person_with_an_account_is_not_invited(world):
    with pytest.raises(ValidationError) as caught:
        _invite(world, world.member_person, email="jad.new@example.org")
    assert caught.value.messages == ["Jad already has an account."]


def test_a_person_outside_the_plan_is_not_invited(world):
    stranger = PersonFactory(name="Stranger")
    with pytest.raises(ValidationError) as caught:
        _invite(world, stranger)
    assert caught.value.messages == ["Stranger is not named in this plan."]
    assert Person.objects.get(pk=stranger.pk).user is None


def test_the_username_is_made_unique(world, fanette, django_capture_on_commit_callbacks):
    UserFactory(username="fanette@example.org", email="someone.else@example.org")
    UserFactory(username="fanette@example.org-2", email="a.third@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(world, fanette)
    assert invitation.user.username == "fanette@example.org-3"
    assert "Your username: fanette@example.org-3" in mail.outbox[0].body


def test_odd_characters_of_an_address_become_underscores_in_the_username(
    world, fanette, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(world, fanette, email="o'neil!x@example.org")
    assert invitation.user.username == "o_neil_x@example.org"


def test_a_refused_smtp_connection_keeps_the_account_and_says_why(
    world, fanette, django_capture_on_commit_callbacks, caplog
):
    refused = smtplib.SMTPConnectError(421, "Service not available")
    with (
        mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=refused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        invitation = _invite(world, fanette)
    assert invitation.email_status == "failed"
    assert not invitation.sent
    assert "Service not available" in invitation.email_error
    assert Person.objects.get(pk=fanette.pk).user == invitation.user
    assert "could not be sent" in caplog.text
    assert "fanette@example.org" in caplog.text


def test_a_failed_invite_rolls_back_everything(world, fanette):
    with (
        mock.patch(
            "actionplans.services.invitations.person_update", side_effect=ValidationError("boom")
        ),
        pytest.raises(ValidationError),
    ):
        _invite(world, fanette)
    assert not User.objects.filter(username="fanette@example.org").exists()


# --- the set-password link ------------------------------------------------------------


def _invited(world, fanette, capture):
    with capture(execute=True):
        _invite(world, fanette)
    return _link_in(mail.outbox[-1])


def _path(link: str) -> str:
    return urlsplit(link).path


def test_the_link_sets_a_password_then_the_person_signs_in_to_their_action_points(
    client, world, fanette, django_capture_on_commit_callbacks
):
    link = _invited(world, fanette, django_capture_on_commit_callbacks)
    response = client.get(_path(link), follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is True
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reset/done/"
    response = client.get("/accounts/reset/done/")
    assertContains(response, 'href="/accounts/login/?next=/my/action-points/"')

    response = client.post(
        "/accounts/login/?next=/my/action-points/",
        {"username": "fanette@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/my/action-points/"
    response = client.get("/my/action-points/")
    assertContains(response, "IMWG to recommend standardized tools")
    assert Person.objects.get(pk=fanette.pk).user.last_login is not None


def test_a_used_link_is_refused(client, world, fanette, django_capture_on_commit_callbacks):
    link = _invited(world, fanette, django_capture_on_commit_callbacks)
    response = client.get(_path(link), follow=True)
    client.post(
        response.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    client.logout()
    response = client.get(_path(link), follow=True)
    assert response.context["validlink"] is False
    assertContains(response, "This link is no longer valid")
    assertNotContains(response, "new_password1")


def test_an_expired_link_is_refused(client, world, fanette, django_capture_on_commit_callbacks):
    link = _invited(world, fanette, django_capture_on_commit_callbacks)
    later = timezone.now() + datetime.timedelta(days=3, minutes=1)
    with time_machine.travel(later, tick=False):
        response = client.get(_path(link), follow=True)
    assert response.context["validlink"] is False
    assertContains(response, "ask the coordinator who invited you to resend the invitation")


def test_a_link_is_still_valid_just_before_it_expires(
    client, world, fanette, django_capture_on_commit_callbacks
):
    link = _invited(world, fanette, django_capture_on_commit_callbacks)
    later = timezone.now() + datetime.timedelta(days=3, minutes=-1)
    with time_machine.travel(later, tick=False):
        response = client.get(_path(link), follow=True)
    assert response.context["validlink"] is True


def test_a_tampered_link_is_refused(client, world, fanette, django_capture_on_commit_callbacks):
    link = _invited(world, fanette, django_capture_on_commit_callbacks)
    response = client.get(_path(link)[:-3] + "xx/", follow=True)
    assert response.context["validlink"] is False


# --- resending ------------------------------------------------------------------------


def test_resend_sends_a_new_working_link(world, fanette, django_capture_on_commit_callbacks):
    _invited(world, fanette, django_capture_on_commit_callbacks)
    fanette.refresh_from_db()
    invitation = services.invitation_resend(
        plan=world.plan, person=fanette, sent_by=world.coordinator
    )
    assert invitation.sent
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["fanette@example.org"]
    assert _link_in(mail.outbox[1]).startswith("http://127.0.0.1:8000/accounts/reset/")


def test_resend_is_refused_once_the_person_signed_in(world):
    world.member.last_login = timezone.now()
    world.member.save()
    with pytest.raises(ValidationError) as caught:
        services.invitation_resend(
            plan=world.plan, person=world.member_person, sent_by=world.coordinator
        )
    assert caught.value.messages == ["Jad has signed in already: there is no invitation to resend."]
    assert mail.outbox == []


def test_resend_is_refused_without_an_account(world, fanette):
    with pytest.raises(ValidationError) as caught:
        services.invitation_resend(plan=world.plan, person=fanette, sent_by=world.coordinator)
    assert caught.value.messages == ["Fanette has no account yet: invite them."]


def test_resend_is_for_coordinators(world):
    with pytest.raises(PermissionDenied):
        services.invitation_resend(
            plan=world.plan, person=world.member_person, sent_by=world.member
        )


# --- linking an existing account ------------------------------------------------------


@pytest.mark.parametrize("identifier", ["viewer", "viewer@example.org", " VIEWER@example.org "])
def test_link_an_existing_account_by_username_or_email(world, fanette, identifier):
    person = services.person_link_account(
        plan=world.plan, person=fanette, account=identifier, linked_by=world.coordinator
    )
    assert person.user == world.viewer
    assert Person.objects.get(pk=fanette.pk).user == world.viewer
    assert mail.outbox == []


def test_a_username_matches_exactly(world, fanette):
    with pytest.raises(ValidationError) as caught:
        services.person_link_account(
            plan=world.plan, person=fanette, account="Viewer", linked_by=world.coordinator
        )
    assert caught.value.message_dict == {
        "account": ["No account has the username or email “Viewer”."]
    }


def test_an_account_linked_to_another_person_is_refused(world, fanette):
    with pytest.raises(ValidationError) as caught:
        services.person_link_account(
            plan=world.plan, person=fanette, account="member", linked_by=world.coordinator
        )
    assert caught.value.message_dict == {
        "account": ["The account “member” is already linked to Jad."]
    }
    assert Person.objects.get(pk=fanette.pk).user is None


def test_a_disabled_account_is_refused(world, fanette):
    world.viewer.is_active = False
    world.viewer.save()
    with pytest.raises(ValidationError) as caught:
        services.person_link_account(
            plan=world.plan, person=fanette, account="viewer", linked_by=world.coordinator
        )
    assert caught.value.message_dict == {"account": ["The account “viewer” is disabled."]}


def test_an_email_shared_by_two_accounts_asks_for_the_username(world, fanette):
    UserFactory(username="viewer2", email="viewer@example.org")
    with pytest.raises(ValidationError) as caught:
        services.person_link_account(
            plan=world.plan,
            person=fanette,
            account="viewer@example.org",
            linked_by=world.coordinator,
        )
    assert caught.value.message_dict == {
        "account": [
            "Several accounts use the email “viewer@example.org”: give the username instead."
        ]
    }


def test_a_person_with_an_account_keeps_it(world):
    with pytest.raises(ValidationError) as caught:
        services.person_link_account(
            plan=world.plan,
            person=world.member_person,
            account="viewer",
            linked_by=world.coordinator,
        )
    assert caught.value.messages == ["Jad already has an account."]


@pytest.mark.parametrize("role", ["member", "viewer", "outsider"])
def test_only_coordinators_link_accounts(world, fanette, role):
    with pytest.raises(PermissionDenied):
        services.person_link_account(
            plan=world.plan, person=fanette, account="viewer", linked_by=getattr(world, role)
        )
    assert Person.objects.get(pk=fanette.pk).user is None


def test_a_linked_account_sees_the_plan_and_updates_the_persons_points(client, world, fanette):
    services.person_link_account(
        plan=world.plan, person=fanette, account="viewer", linked_by=world.coordinator
    )
    client.force_login(world.viewer)
    assert client.get(f"/plans/{world.plan.pk}/").status_code == 200
    assertContains(client.get("/my/action-points/"), "IMWG to recommend standardized tools")


# --- the people page ------------------------------------------------------------------


def _people_url(world) -> str:
    return f"/plans/{world.plan.pk}/people/"


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("coordinator", 200), ("member", 403), ("viewer", 404), ("outsider", 404)],
)
def test_people_page_is_for_coordinators(client, world, role, status):
    client.force_login(getattr(world, role))
    assert client.get(_people_url(world)).status_code == status


def test_a_viewer_who_sees_the_plan_gets_403(client):
    world = build_world(visibility=PlanVisibility.SIGNED_IN)
    client.force_login(world.viewer)
    assert client.get(_people_url(world)).status_code == 403


def test_people_page_lists_roles_organizations_emails_and_accounts(client, world, fanette):
    world.member.last_login = timezone.now()
    world.member.save()
    world.member_person.email = "jad@example.org"
    world.member_person.save()
    invited = PersonFactory(name="Rana", user=UserFactory(username="rana"))
    world.group.team_members.add(invited)
    PersonFactory(name="Nobody of this plan")
    client.force_login(world.coordinator)
    response = client.get(_people_url(world))
    rows = {row.person.name: row for row in response.context["rows"]}
    assert list(rows) == ["Fanette", "Jad", "Rana"]
    jad, rana, fan = rows["Jad"], rows["Rana"], rows["Fanette"]
    assert ([g.number for g in jad.led], [g.number for g in jad.member_of]) == ([1], [1])
    assert (jad.focal_points, jad.open_focal_points) == (1, 1)
    assert (jad.account, rana.account, fan.account) == ("active", "invited", "none")
    assert ([g.number for g in rana.member_of], rana.focal_points) == ([1], 0)
    assert response.context["counts"] == {"none": 1, "invited": 1, "active": 1, "disabled": 0}
    html = response.content.decode()
    assert "Leads group 1" in html
    assert "Member of group 1" in html
    assert "Focal point of 1 action point (1 open)" in html
    assert "jad@example.org" in html
    assert "Invited, not signed in yet" in html
    assert "Has an account" in html
    assert html.count("Resend invitation") == 1
    assert html.count(f'name="p{fan.person.pk}-invite-email"') == 1
    assert "Nobody of this plan" not in html


def test_plan_page_links_people_for_coordinators_only(client, world):
    client.force_login(world.coordinator)
    assertContains(client.get(f"/plans/{world.plan.pk}/"), f'href="{_people_url(world)}"')
    client.force_login(world.member)
    assertNotContains(client.get(f"/plans/{world.plan.pk}/"), f'href="{_people_url(world)}"')


def _grow(plan, start: int, stop: int) -> None:
    """More people in every role: leaders, members, focal points, some with accounts."""
    for n in range(start, stop):
        org = OrganizationFactory()
        leader = PersonFactory(organization=org, user=UserFactory() if n % 2 else None)
        group = WorkingGroupFactory(plan=plan, team_leader=leader)
        group.team_members.add(leader, PersonFactory(organization=org))
        challenge = ChallengeFactory(working_group=group)
        point = ActionPointFactory(challenge=challenge)
        FocalPointFactory(action_point=point, person=PersonFactory(email=f"fp{n}-{plan.pk}@x.org"))


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_people_page_query_count_does_not_grow(client, world):
    client.force_login(world.coordinator)
    _grow(world.plan, 0, 2)
    small = _count(client, _people_url(world))
    _grow(world.plan, 2, 12)
    large = _count(client, _people_url(world))
    assert len(client.get(_people_url(world)).context["rows"]) == 1 + 12 * 3
    assert large == small
    assert small <= 10


# --- the people page's forms ----------------------------------------------------------


def _invite_url(world, person, action="invite") -> str:
    return f"/plans/{world.plan.pk}/people/{person.pk}/{action}/"


@pytest.mark.django_db(transaction=True)  # the email leaves on a real commit
def test_invite_from_the_page(client, world, fanette):
    client.force_login(world.coordinator)
    response = client.post(
        _invite_url(world, fanette), {f"p{fanette.pk}-invite-email": "fanette@example.org"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_people_url(world)}#person-{fanette.pk}"
    assert Person.objects.get(pk=fanette.pk).user.username == "fanette@example.org"
    assert len(mail.outbox) == 1
    response = client.get(response["Location"])
    assertContains(response, "Invitation sent to Fanette at fanette@example.org.")
    assertContains(response, "Resend invitation")


def test_invite_errors_stay_on_the_field_with_the_input(client, world, fanette):
    world.member_person.email = "jad@example.org"
    world.member_person.save()
    client.force_login(world.coordinator)
    response = client.post(
        _invite_url(world, fanette), {f"p{fanette.pk}-invite-email": "JAD@example.org"}
    )
    assert response.status_code == 200
    [row] = [row for row in response.context["rows"] if row.person.pk == fanette.pk]
    assert row.invite_form.errors == {"email": ["Jad already has this email address."]}
    assertContains(response, 'value="JAD@example.org"')
    assert Person.objects.get(pk=fanette.pk).user is None


@pytest.mark.django_db(transaction=True)
def test_invite_reports_a_mail_server_failure(client, world, fanette):
    client.force_login(world.coordinator)
    refused = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=refused):
        response = client.post(
            _invite_url(world, fanette),
            {f"p{fanette.pk}-invite-email": "fanette@example.org"},
            follow=True,
        )
    assertContains(
        response,
        "The account of Fanette was created but the email could not be sent: "
        "Connection unexpectedly closed. Use “Resend invitation” once the mail server answers.",
    )
    assertContains(response, "Resend invitation")


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("viewer", 404), ("outsider", 404)])
@pytest.mark.parametrize("action", ["invite", "resend", "link"])
def test_page_actions_are_for_coordinators(client, world, fanette, role, status, action):
    client.force_login(getattr(world, role))
    response = client.post(
        _invite_url(world, fanette, action),
        {f"p{fanette.pk}-invite-email": "f@example.org", f"p{fanette.pk}-link-account": "viewer"},
    )
    assert response.status_code == status
    assert Person.objects.get(pk=fanette.pk).user is None
    assert mail.outbox == []


def test_a_person_of_another_plan_is_404(client, world):
    stranger = PersonFactory()
    other_group = world.other_plan.working_groups.get()
    other_group.team_members.add(stranger)
    client.force_login(world.coordinator)
    response = client.post(
        _invite_url(world, stranger), {f"p{stranger.pk}-invite-email": "s@x.org"}
    )
    assert response.status_code == 404


def test_resend_from_the_page(client, world, fanette, django_capture_on_commit_callbacks):
    _invited(world, fanette, django_capture_on_commit_callbacks)
    client.force_login(world.coordinator)
    response = client.post(_invite_url(world, fanette, "resend"), follow=True)
    assertContains(response, "Invitation sent again to Fanette at fanette@example.org.")
    assert len(mail.outbox) == 2


def test_resend_refusal_is_a_message(client, world):
    world.member.last_login = timezone.now()
    world.member.save()
    client.force_login(world.coordinator)
    response = client.post(_invite_url(world, world.member_person, "resend"), follow=True)
    assertContains(response, "Jad has signed in already: there is no invitation to resend.")


def test_link_from_the_page(client, world, fanette):
    client.force_login(world.coordinator)
    response = client.post(
        _invite_url(world, fanette, "link"), {f"p{fanette.pk}-link-account": "viewer"}, follow=True
    )
    assertContains(response, "Fanette is now linked to the account “viewer”.")
    assert Person.objects.get(pk=fanette.pk).user == world.viewer


def test_link_errors_stay_on_the_field(client, world, fanette):
    client.force_login(world.coordinator)
    response = client.post(
        _invite_url(world, fanette, "link"), {f"p{fanette.pk}-link-account": "member"}
    )
    assert response.status_code == 200
    [row] = [row for row in response.context["rows"] if row.person.pk == fanette.pk]
    assert row.link_form.errors == {"account": ["The account “member” is already linked to Jad."]}
    assertContains(response, 'value="member"')


def test_invitations_work_in_a_closed_plan(world, fanette, django_capture_on_commit_callbacks):
    """Accounts are people's, not the plan's: a closed plan's people can still sign in
    (to read it, and to carry action points in other plans)."""
    world.plan.status = PlanStatus.CLOSED
    world.plan.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(world, fanette)
    assert invitation.sent
