"""The notification preferences page and its service: what is saved, exactly, and
what is refused, next to the field at fault."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from notifications.choices import Kind
from notifications.forms import KIND_GROUPS
from notifications.models import Preference
from notifications.preferences import preference_save, preference_unmute
from tests.factories import PersonFactory, UserFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

URL = "/account/notifications/"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.TIME_ZONE = "UTC"
    settings.REMINDER_LEAD_DAYS = [14, 3]


def _form(**overrides) -> dict:
    data = {
        "kinds": [Kind.DUE_SOON, Kind.ASSIGNED, Kind.DIGEST],
        "lead_days": "14, 7, 1",
        "digest_weekday": "4",
        "time_zone": "Asia/Beirut",
    }
    data.update(overrides)
    return data


def _errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- the page ---------------------------------------------------------------------


def test_page_needs_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_page_shows_the_address_and_the_defaults(client):
    user = UserFactory(username="jad", email="Jad@Example.org")
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "Emails go to jad@example.org" in _text(response)
    form = response.context["form"]
    assert form["kinds"].value() == Kind.values
    assert form["lead_days"].value() == ""
    assert form["digest_weekday"].value() == 0
    assert form["time_zone"].value() == "UTC"
    html = response.content.decode()
    assert 'placeholder="14, 3"' in html
    # Every kind once, in its group.
    for kind in Kind.values:
        assert html.count(f'value="{kind}"') == 1
    for legend, _kinds in KIND_GROUPS:
        assert f"<legend>{legend}</legend>" in html


def test_kind_groups_cover_every_kind_once():
    grouped = [kind for _legend, kinds in KIND_GROUPS for kind in kinds]
    assert sorted(grouped) == sorted(Kind.values)
    assert [str(legend) for legend, _kinds in KIND_GROUPS] == [
        "Reminders",
        "About your action points",
        "Comments and watched action points",
        "For coordinators",
        "Your deadline extension requests",
    ]


def test_page_shows_a_saved_preference(client):
    user = UserFactory(email="jad@example.org")
    Preference.objects.create(
        email="jad@example.org",
        muted_kinds=[Kind.STALE, Kind.DIGEST],
        lead_days=[10, 2],
        digest_weekday=3,
        time_zone="Africa/Nairobi",
    )
    client.force_login(user)
    form = client.get(URL).context["form"]
    assert form["kinds"].value() == [k for k in Kind.values if k not in ("stale", "digest")]
    assert form["lead_days"].value() == "10, 2"
    assert form["digest_weekday"].value() == 3
    assert form["time_zone"].value() == "Africa/Nairobi"


def test_saving_stores_exactly_what_was_chosen(client):
    user = UserFactory(email="Jad@Example.org")
    client.force_login(user)
    response = client.post(URL, _form())
    assert response.status_code == 302
    assert response["Location"] == URL
    preference = Preference.objects.get()
    assert preference.email == "jad@example.org"
    assert preference.muted_kinds == sorted(
        [
            "due_today",
            "overdue",
            "stale",
            "rescheduled",
            "commented",
            "extension_requested",
            "extension_decided",
            "mentioned",
            "watched",
            "to_verify",
            "sent_back",
        ]
    )
    assert preference.lead_days == [14, 7, 1]
    assert preference.digest_weekday == 4
    assert preference.time_zone == "Asia/Beirut"
    assert "Your notification preferences are saved." in _text(client.get(URL))


def test_saving_again_updates_the_same_row(client):
    user = UserFactory(email="jad@example.org")
    client.force_login(user)
    client.post(URL, _form())
    client.post(URL, _form(kinds=Kind.values, lead_days="", time_zone="", digest_weekday="0"))
    preference = Preference.objects.get()
    assert preference.muted_kinds == []
    assert preference.lead_days == []  # the site's default
    assert preference.time_zone == "UTC"  # the site's TIME_ZONE
    assert preference.digest_weekday == 0


def test_no_box_ticked_mutes_every_kind(client):
    client.force_login(UserFactory(email="jad@example.org"))
    response = client.post(URL, _form(kinds=[]))
    assert response.status_code == 302
    assert Preference.objects.get().muted_kinds == sorted(Kind.values)


def test_lead_days_are_sorted_and_counted_once(client):
    client.force_login(UserFactory(email="jad@example.org"))
    client.post(URL, _form(lead_days="3 14;3,  30"))
    assert Preference.objects.get().lead_days == [30, 14, 3]


@pytest.mark.parametrize(
    ("lead_days", "message"),
    [
        ("0", "Each reminder must be between 1 and 90 days ahead."),
        ("14, 91", "Each reminder must be between 1 and 90 days ahead."),
        ("1, 2, 3, 4, 5, 6", "At most 5 reminders before a deadline."),
        ("two weeks", "Give whole days separated by commas, e.g. 14, 3."),
        ("2.5", "Give whole days separated by commas, e.g. 14, 3."),
        ("-3", "Give whole days separated by commas, e.g. 14, 3."),
    ],
)
def test_bad_lead_days_are_refused_on_their_field(client, lead_days, message):
    client.force_login(UserFactory(email="jad@example.org"))
    response = client.post(URL, _form(lead_days=lead_days))
    assert response.status_code == 200
    assert _errors(response, "lead_days") == [message]
    assert response.context["form"].non_field_errors() == []
    assert 'id="id_lead_days_error"' in response.content.decode()
    assert not Preference.objects.exists()


def test_unknown_time_zone_is_refused_on_its_field(client):
    client.force_login(UserFactory(email="jad@example.org"))
    response = client.post(URL, _form(time_zone="Mars/Olympus_Mons"))
    assert response.status_code == 200
    assert _errors(response, "time_zone") == [
        "Mars/Olympus_Mons is not a time zone this server knows: give one such as "
        "Asia/Beirut or UTC."
    ]
    assert not Preference.objects.exists()


def test_unknown_weekday_and_kind_are_refused(client):
    client.force_login(UserFactory(email="jad@example.org"))
    response = client.post(URL, _form(digest_weekday="7", kinds=["due_soon", "gossip"]))
    assert response.status_code == 200
    assert _errors(response, "digest_weekday") == [
        "Select a valid choice. 7 is not one of the available choices."
    ]
    assert _errors(response, "kinds") == [
        "Select a valid choice. gossip is not one of the available choices."
    ]
    assert not Preference.objects.exists()


def test_the_address_of_the_person_serves_an_account_without_one(client):
    user = UserFactory(email="")
    PersonFactory(user=user, email="Field.Officer@NGO.example")
    client.force_login(user)
    client.post(URL, _form())
    assert list(Preference.objects.values_list("email", flat=True)) == ["field.officer@ngo.example"]


def test_without_an_address_the_page_says_where_to_set_one(client):
    world = build_world()
    world.member.email = ""
    world.member.save()
    client.force_login(world.member)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["form"] is None
    text = _text(response)
    assert "No email address is set for your account" in text
    assert "ask a coordinator of your plan or an administrator to add one" in text
    assert f'href="/people/{world.member_person.pk}/"' in response.content.decode()
    # Nothing to save without an address.
    response = client.post(URL, _form())
    assert response.status_code == 200
    assert not Preference.objects.exists()


def test_without_an_address_an_administrator_is_sent_to_the_person_form(client):
    admin = UserFactory(email="", is_superuser=True, is_staff=True)
    person = PersonFactory(user=admin)
    client.force_login(admin)
    response = client.get(URL)
    assert f'href="/people/{person.pk}/edit/"' in response.content.decode()


def test_navigation_links_to_the_page(client):
    client.force_login(UserFactory(email="jad@example.org"))
    html = client.get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">Email preferences</a>' in html


# --- the service ------------------------------------------------------------------


def _save(**overrides) -> Preference:
    values = {
        "address": " Jad@Example.org ",
        "muted_kinds": ["stale"],
        "lead_days": [3, 14, 3],
        "digest_weekday": 2,
        "time_zone": "Asia/Beirut",
    }
    values.update(overrides)
    return preference_save(**values)


def test_service_saves_and_normalises():
    preference = _save()
    preference.refresh_from_db()
    assert (
        preference.email,
        preference.muted_kinds,
        preference.lead_days,
        preference.digest_weekday,
        preference.time_zone,
    ) == ("jad@example.org", ["stale"], [14, 3], 2, "Asia/Beirut")


def test_service_names_every_field_at_fault_and_saves_nothing():
    with pytest.raises(ValidationError) as raised:
        _save(muted_kinds=["gossip"], lead_days=[0], digest_weekday=9, time_zone="Nowhere")
    assert raised.value.message_dict == {
        "muted_kinds": ["Unknown kinds: gossip."],
        "lead_days": ["Each reminder must be between 1 and 90 days ahead."],
        "digest_weekday": ["Choose a day of the week."],
        "time_zone": [
            "Nowhere is not a time zone this server knows: give one such as Asia/Beirut or UTC."
        ],
    }
    assert not Preference.objects.exists()


def test_service_refuses_days_that_are_not_whole():
    with pytest.raises(ValidationError) as raised:
        _save(lead_days=[2.5])
    assert raised.value.message_dict == {"lead_days": ["Give whole days, e.g. 14, 3."]}


def test_service_needs_an_address():
    with pytest.raises(ValidationError) as raised:
        _save(address="  ")
    assert raised.value.messages == ["Preferences need an email address."]


def test_unmute_takes_back_only_the_kinds_named():
    _save(muted_kinds=["stale", "digest", "overdue"])
    preference = preference_unmute(address="JAD@example.org", kinds=["digest", "overdue"])
    assert preference.muted_kinds == ["stale"]
    assert Preference.objects.get().muted_kinds == ["stale"]
