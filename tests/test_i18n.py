"""Choosing a language (issue 16): the user's preference, else the switcher's cookie,
else Accept-Language, else LANGUAGE_CODE; the switcher signed out and signed in;
<html lang dir>; API errors by Accept-Language; emails in the recipient's language."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from actionplans.services import FocalPointAssignment, action_point_create
from actionplans.services.invitations import invitation_resend
from notifications.delivery import send
from notifications.models import Delivery
from notifications.services import send_reminders
from orgs.language import SESSION_KEY, languages_of
from orgs.models import AccountPreference
from orgs.services import account_language_set
from tests.api.helpers import token_client
from tests.factories import (
    ActionPlanFactory,
    ChallengeFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.users import build_world

pytestmark = pytest.mark.django_db

PASSWORD = "pass-for-tests-1"
COOKIE = settings.LANGUAGE_COOKIE_NAME
LOGIN = "/accounts/login/"
HTML_TAG = re.compile(r"<html [^>]*>")


def html_tag(response) -> str:
    return HTML_TAG.search(response.content.decode()).group(0)


def sign_in(client: Client, user) -> None:
    # Through the sign-in form, as people do: the preference applies from there on.
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


# --- settings ---------------------------------------------------------------------------


def test_the_three_languages_each_named_in_itself():
    assert settings.LANGUAGES == [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
    assert settings.LANGUAGE_CODE == "en"
    assert settings.LOCALE_PATHS == [settings.BASE_DIR / "locale"]
    middleware = settings.MIDDLEWARE
    locale = middleware.index("orgs.language.LocaleMiddleware")
    assert middleware.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < middleware.index("django.middleware.common.CommonMiddleware")


def test_english_keeps_british_formats():
    with translation.override("en"):
        from django.utils.formats import date_format, get_format

        assert date_format(datetime.date(2019, 3, 31)) == "31 Mar 2019"
        assert get_format("FIRST_DAY_OF_WEEK") == 1
        assert get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"


# --- Accept-Language, else LANGUAGE_CODE ----------------------------------------------------


def test_without_accept_language_pages_are_in_english(client):
    response = client.get(LOGIN)
    assert html_tag(response) == '<html lang="en" dir="ltr">'
    assert response["Content-Language"] == "en"
    assert '<label for="id_password">Password:</label>' in response.content.decode()


def test_a_french_browser_gets_the_french_page(client):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    assert response.status_code == 200
    assert html_tag(response) == '<html lang="fr" dir="ltr">'
    assert response["Content-Language"] == "fr"
    assert "Accept-Language" in response["Vary"]
    # A string Django translates: the sign-in form's label.
    assert '<label for="id_password">Mot de passe\xa0:</label>' in response.content.decode()


def test_an_arabic_browser_gets_the_page_right_to_left(client):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="ar-LB,ar;q=0.9")
    assert html_tag(response) == '<html lang="ar" dir="rtl">'
    assert '<label for="id_password">كلمة المرور:</label>' in response.content.decode()


def test_a_language_the_site_does_not_offer_is_english(client):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert html_tag(response) == '<html lang="en" dir="ltr">'


# --- the switcher ---------------------------------------------------------------------------


def test_the_switcher_is_in_the_header_signed_out_with_the_current_language_marked(client):
    content = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    header = content.split("<header", 1)[1].split("</header>", 1)[0]
    form = re.search(r'<form class="languages"[^>]*>.*?</form>', header, re.S).group(0)
    assert 'method="post" action="/i18n/setlang/"' in form
    assert 'aria-label="' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="next" value="/accounts/login/">' in form
    buttons = re.findall(r"<button [^>]*>[^<]*</button>", form)
    assert buttons == [
        '<button type="submit" class="link" name="language" value="en" lang="en">English</button>',
        '<button type="submit" class="link" name="language" value="fr" lang="fr"'
        ' aria-current="true">Français</button>',
        '<button type="submit" class="link" name="language" value="ar" lang="ar">العربية</button>',
    ]


def test_the_switcher_signed_out_sets_the_cookie_and_goes_back(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/?x=1"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?x=1"
    assert response.cookies[COOKIE].value == "fr"
    assert AccountPreference.objects.count() == 0

    # The cookie beats the browser's Accept-Language.
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="ar")
    assert html_tag(page) == '<html lang="fr" dir="ltr">'
    assert "Mot de passe" in page.content.decode()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/plans/", "javascript:alert(1)"]
)
def test_the_switcher_never_sends_people_to_another_site(client, next_url):
    response = client.post("/i18n/setlang/", {"language": "ar", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[COOKIE].value == "ar"


def test_the_switcher_takes_only_posts_with_a_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert strict.get("/i18n/setlang/?language=fr&next=/").status_code == 405
    response = strict.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 403
    assert COOKIE not in response.cookies


def test_the_switcher_signed_in_also_saves_the_preference(client):
    world = build_world()
    sign_in(client, world.member)

    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/my/action-points/"})
    assert response.status_code == 302
    assert response["Location"] == "/my/action-points/"
    assert response.cookies[COOKIE].value == "ar"
    assert AccountPreference.objects.get(user=world.member).language == "ar"
    assert client.session[SESSION_KEY] == "ar"

    page = client.get("/my/action-points/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert html_tag(page) == '<html lang="ar" dir="rtl">'

    # Changing it again updates the one preference.
    client.post("/i18n/setlang/", {"language": "en", "next": "/plans/"})
    assert list(AccountPreference.objects.values_list("user__username", "language")) == [
        ("member", "en")
    ]


def test_the_switcher_ignores_a_language_the_site_does_not_offer(client):
    world = build_world()
    sign_in(client, world.member)
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/plans/"})
    assert response.status_code == 302
    assert AccountPreference.objects.count() == 0
    assert SESSION_KEY not in client.session
    assert html_tag(client.get("/plans/")) == '<html lang="en" dir="ltr">'


# --- the user's preference --------------------------------------------------------------------


def test_the_preference_beats_accept_language_from_sign_in_on(client):
    world = build_world()
    account_language_set(user=world.member, language="ar")

    sign_in(client, world.member)
    assert client.session[SESSION_KEY] == "ar"
    page = client.get("/plans/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert page["Content-Language"] == "ar"
    assert '<button type="submit" class="link" name="language" value="ar" lang="ar"' in (
        page.content.decode()
    )


def test_the_preference_outlives_sign_out_on_that_browser(client):
    world = build_world()
    account_language_set(user=world.member, language="fr")
    response = client.post(LOGIN, {"username": "member", "password": PASSWORD})
    # The browser keeps the language in the switcher's cookie...
    assert response.cookies[COOKIE].value == "fr"
    client.post("/accounts/logout/")
    assert SESSION_KEY not in client.session
    # ...so the sign-in page after signing out is still French.
    assert html_tag(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="ar")) == '<html lang="fr" dir="ltr">'


def test_without_a_preference_a_signed_in_user_gets_their_browser_language(client):
    world = build_world()
    sign_in(client, world.viewer)
    assert SESSION_KEY not in client.session
    page = client.get("/plans/", HTTP_ACCEPT_LANGUAGE="fr")
    assert html_tag(page) == '<html lang="fr" dir="ltr">'


def test_another_user_signing_in_on_the_same_browser_does_not_inherit_the_language(client):
    world = build_world()
    account_language_set(user=world.member, language="ar")
    sign_in(client, world.member)
    client.post("/accounts/logout/")
    client.cookies.pop(COOKIE, None)
    sign_in(client, world.viewer)
    assert SESSION_KEY not in client.session
    assert html_tag(client.get("/plans/")) == '<html lang="en" dir="ltr">'


def test_the_preference_costs_pages_no_query(client):
    world = build_world()
    account_language_set(user=world.member, language="ar")
    sign_in(client, world.member)
    with CaptureQueriesContext(connection) as with_preference:
        page = client.get("/plans/")
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert not any("accountpreference" in q["sql"] for q in with_preference.captured_queries)

    AccountPreference.objects.all().delete()
    other = Client()
    sign_in(other, world.member)
    with CaptureQueriesContext(connection) as without:
        assert html_tag(other.get("/plans/")) == '<html lang="en" dir="ltr">'
    assert len(with_preference.captured_queries) == len(without.captured_queries)


def test_the_service_refuses_a_language_the_site_does_not_offer():
    user = UserFactory()
    with pytest.raises(ValidationError) as caught:
        account_language_set(user=user, language="de")
    assert caught.value.message_dict == {"language": ["Choose one of the languages offered."]}
    assert AccountPreference.objects.count() == 0
    account_language_set(user=user, language="fr")
    account_language_set(user=user, language="ar")
    assert list(AccountPreference.objects.values_list("user_id", "language")) == [(user.pk, "ar")]


# --- the API --------------------------------------------------------------------------------


def test_api_errors_follow_accept_language():
    anonymous = APIClient()
    response = anonymous.get("/api/v1/plans/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 401
    assert response.json() == {"detail": "Informations d'authentification non fournies."}
    assert response["Content-Language"] == "fr"

    response = anonymous.get("/api/v1/plans/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.json() == {"detail": "لم يتم تزويد بيانات الدخول."}

    response = anonymous.get("/api/v1/plans/")
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_api_validation_errors_in_french():
    world = build_world()
    client = token_client(world.coordinator)
    response = client.post("/api/v1/plans/", {}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response.json() == {"title": ["Ce champ est obligatoire."]}


# --- emails -----------------------------------------------------------------------------------


DUE = datetime.date(2019, 3, 31)


def at(day: datetime.date):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(6)))
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def email_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REMINDER_LEAD_DAYS = [14, 3]
    settings.SITE_URL = "https://tracker.example.org"


def _remind(people) -> list[int]:
    plan = ActionPlanFactory(title="PIM Lebanon Action Plan")
    challenge = ChallengeFactory(working_group=WorkingGroupFactory(plan=plan))
    for number, person in enumerate(people):
        action_point_create(
            challenge=challenge,
            description=f"Recommend tools {number}",
            deadline="2019-03-31",
            focal_points=[FocalPointAssignment(person=person)],
        )
    day = DUE - datetime.timedelta(days=14)
    with at(day):
        send_reminders(day)
    return list(Delivery.objects.order_by("id").values_list("id", flat=True))


def _languages_of_outbox() -> dict[str, str]:
    found = {}
    for message in mail.outbox:
        html = message.alternatives[0][0]
        found[message.to[0]] = HTML_TAG.search(html).group(0)
    return found


def test_each_email_of_a_batch_is_in_its_recipients_language(email_settings):
    french = UserFactory(username="fr-user", email="Amina@Example.org")
    account_language_set(user=french, language="fr")
    arabic_account = UserFactory(username="ar-user", email="")
    account_language_set(user=arabic_account, language="ar")
    english = UserFactory(username="en-user", email="omar@example.org")
    people = [
        PersonFactory(name="Amina", user=french),  # reached at the account's address
        PersonFactory(name="Rana", email="rana@example.org", user=arabic_account),
        PersonFactory(name="Omar", user=english),  # an account without a preference
        PersonFactory(name="Fred", email="fred@example.org"),  # no account at all
    ]
    deliveries = _remind(people)
    assert len(deliveries) == 4

    with CaptureQueriesContext(connection) as queries:
        outcome = send(deliveries)
    assert outcome["sent"] == 4
    reads = [q["sql"] for q in queries.captured_queries if "orgs_accountpreference" in q["sql"]]
    assert len(reads) == 1  # the batch's languages in one query

    assert _languages_of_outbox() == {
        "amina@example.org": '<html lang="fr" dir="ltr">',
        "rana@example.org": '<html lang="ar" dir="rtl">',
        "omar@example.org": '<html lang="en" dir="ltr">',
        "fred@example.org": '<html lang="en" dir="ltr">',
    }
    # Composing changed nothing for whatever runs next.
    assert translation.get_language() == "en"


def test_languages_of_addresses_in_one_query(django_assert_num_queries):
    first = UserFactory(username="first", email="same@example.org")
    account_language_set(user=first, language="fr")
    second = UserFactory(username="second", email="second@example.org")
    account_language_set(user=second, language="ar")
    PersonFactory(name="Second", email="alias@example.org", user=second)
    with django_assert_num_queries(1):
        found = languages_of(
            ["SAME@example.org ", "alias@example.org", "second@example.org", "nobody@example.org"]
        )
    assert found == {
        "same@example.org": "fr",
        "alias@example.org": "ar",
        "second@example.org": "ar",
        "nobody@example.org": "en",
    }
    with django_assert_num_queries(0):
        assert languages_of(["", "  "]) == {}


def test_the_invitation_is_in_the_invited_accounts_language(email_settings):
    world = build_world()
    account_language_set(user=world.member, language="ar")

    invitation = invitation_resend(
        plan=world.plan, person=world.member_person, sent_by=world.coordinator
    )
    assert invitation.sent
    (message,) = mail.outbox
    assert message.to == [world.member.email]
    assert HTML_TAG.search(message.alternatives[0][0]).group(0) == '<html lang="ar" dir="rtl">'

    AccountPreference.objects.all().delete()
    invitation_resend(plan=world.plan, person=world.member_person, sent_by=world.coordinator)
    assert HTML_TAG.search(mail.outbox[1].alternatives[0][0]).group(0) == (
        '<html lang="en" dir="ltr">'
    )
