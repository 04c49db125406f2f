"""No English left on French and Arabic pages (issue 16).

The catalogues are complete (every msgid of the project translated in fr and ar),
and the main pages, walked as an administrator, a coordinator, a member and a
signed-out visitor in each language, show no interface text in English
(tests/i18n_check.py says what counts). The plan's data is written in the page's
language, as a French or Arabic team would write it, so every English text the
checker finds is the interface's."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from actionplans import services
from actionplans.choices import ActionPointStatus
from actionplans.services import FocalPointAssignment
from notifications.models import Notification
from notifications.services import send_reminders
from orgs.services import organization_create, person_create
from tests.factories import UserFactory
from tests.i18n_check import Catalogue, assert_translated, missing_translations, untranslated
from webhooks import services as webhooks

pytestmark = pytest.mark.django_db

LANGUAGES = ["fr", "ar"]

DATA = {
    "fr": {
        "title": "Plan d'action PIM Liban",
        "org": ("Haut-Commissariat aux réfugiés", "HCR"),
        "people": ["Fanette Dubois", "Frédéric Martin", "Rania Haddad", "Rania Hadad"],
        "group": "Échange de données",
        "challenge": "Absence d'outils normalisés",
        "points": [
            ("Recommander des outils normalisés", "fin juin 2020"),
            ("Cartographier les sources", "T3 2020"),
        ],
        "note": "Outils comparés avec le groupe sectoriel",
        "reason": "Attente des résultats de l'évaluation",
        "new_deadline": "fin 2020",
    },
    "ar": {
        "title": "خطة عمل إدارة معلومات الحماية في لبنان",
        "org": ("المفوضية السامية للأمم المتحدة لشؤون اللاجئين", "المفوضية"),
        "people": ["فانيت دوبوا", "فريد مارتن", "رانيا حداد", "رانية حداد"],
        "group": "تبادل البيانات",
        "challenge": "غياب أدوات موحدة",
        "points": [
            ("التوصية بأدوات موحدة", "نهاية حزيران 2020"),
            ("رسم خريطة المصادر", "الربع الثالث 2020"),
        ],
        "note": "تمت مقارنة الأدوات مع المجموعة القطاعية",
        "reason": "انتظار نتائج التقييم",
        "new_deadline": "نهاية 2020",
    },
}


@pytest.fixture(scope="module")
def catalogues():
    return {language: Catalogue.for_language(language) for language in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_translates_every_message(catalogues, language):
    assert missing_translations(catalogues[language]) == []


def _plan_in(language: str):
    """A plan as a team writing in `language` enters it: one group, one challenge, two
    action points (one late, rescheduled, with an update and a request for more time),
    people of whom two look like duplicates, notifications waiting."""
    data = DATA[language]
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True, email="a@example.org")
    coordinator = UserFactory(username="coordinator", email="c@example.org")
    member = UserFactory(username="member", email="m@example.org")
    organization = organization_create(name=data["org"][0], acronym=data["org"][1])
    lead, adviser, namesake, other_namesake = (
        person_create(name=name, organization=organization) for name in data["people"]
    )
    lead.user = member
    lead.email = "m@example.org"
    lead.save()
    plan = services.plan_create(title=data["title"], coordinators=[coordinator], created_by=admin)
    group = services.working_group_create(
        plan=plan, name=data["group"], team_leader=lead, team_members=[lead, adviser, namesake]
    )
    challenge = services.challenge_create(working_group=group, description=data["challenge"])
    points = [
        services.action_point_create(
            challenge=challenge,
            description=description,
            deadline=deadline,
            focal_points=[
                FocalPointAssignment(lead, "lead"),
                FocalPointAssignment(adviser, "advisor"),
                FocalPointAssignment(other_namesake, "support"),
            ],
            created_by=coordinator,
        )
        for description, deadline in data["points"]
    ]
    services.progress_update_create(
        action_point=points[0],
        author=member,
        status=ActionPointStatus.IN_PROGRESS,
        progress=40,
        note=data["note"],
    )
    services.action_point_reschedule(
        action_point=points[1],
        new_deadline=data["new_deadline"],
        reason=data["reason"],
        changed_by=coordinator,
    )
    services.extension_request_create(
        action_point=points[0],
        user=member,
        new_deadline=data["new_deadline"],
        reason=data["reason"],
    )
    send_reminders(datetime.date(2020, 7, 15))
    assert Notification.objects.exists()
    webhook, _secret = webhooks.subscription_create(
        owner=admin,
        plan=plan,
        target_url="http://127.0.0.1:9/hook",
        events=["action_point.created", "plan.updated"],
        description=data["note"],
    )
    webhooks.send_test_event(subscription=webhook, user=admin)
    return {
        "admin": admin,
        "coordinator": coordinator,
        "member": member,
        "plan": plan,
        "group": group,
        "challenge": challenge,
        "point": points[0],
        "person": lead,
        "namesake": namesake,
        "other_namesake": other_namesake,
        "organization": organization,
        "webhook": webhook,
    }


def _pages(w) -> dict[str, list[str]]:
    plan, point, person = w["plan"], w["point"], w["person"]
    return {
        "admin": [
            "/plans/",
            "/plans/add/",
            f"/plans/{plan.pk}/",
            f"/plans/{plan.pk}/?view=cards",
            f"/plans/{plan.pk}/edit/",
            f"/plans/{plan.pk}/delete/",
            f"/plans/{plan.pk}/activity/",
            f"/plans/{plan.pk}/dashboard/",
            f"/plans/{plan.pk}/dashboard/?as_of=2020-06-01",
            f"/plans/{plan.pk}/people/",
            "/dashboard/",
            "/plans/import/",
            f"/plans/{plan.pk}/import/",
            f"/plans/{plan.pk}/groups/add/",
            f"/groups/{w['group'].pk}/edit/",
            f"/groups/{w['group'].pk}/delete/",
            f"/groups/{w['group'].pk}/challenges/add/",
            f"/challenges/{w['challenge'].pk}/edit/",
            f"/challenges/{w['challenge'].pk}/action-points/add/",
            f"/action-points/{point.pk}/",
            f"/action-points/{point.pk}/edit/",
            f"/action-points/{point.pk}/delete/",
            "/people/",
            "/people/add/",
            f"/people/{person.pk}/",
            f"/people/{person.pk}/edit/",
            "/people/duplicates/",
            f"/people/{w['namesake'].pk}/merge/{w['other_namesake'].pk}/",
            "/organizations/",
            "/organizations/add/",
            f"/organizations/{w['organization'].pk}/",
            "/account/tokens/",
            "/account/calendar/",
            "/account/notifications/",
            "/notifications/",
            "/my/action-points/",
            "/webhooks/",
            "/webhooks/add/",
            f"/webhooks/{w['webhook'].pk}/",
            f"/webhooks/{w['webhook'].pk}/edit/",
            f"/webhooks/{w['webhook'].pk}/delete/",
        ],
        "member": [
            "/my/action-points/",
            f"/action-points/{point.pk}/",
            f"/plans/{plan.pk}/",
            "/notifications/",
            "/account/notifications/",
        ],
        None: [
            "/accounts/login/",
            "/accounts/password_reset/",
            "/accounts/password_reset/done/",
        ],
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_show_no_english(client, catalogues, language):
    with time_machine.travel(timezone.make_aware(datetime.datetime(2020, 7, 15, 9)), tick=False):
        world = _plan_in(language)
        walked = 0
        for who, urls in _pages(world).items():
            client.logout()
            if who:
                client.force_login(world[who])
            for url in urls:
                response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
                assert response.status_code == 200, (who, url, response.status_code)
                assert response["Content-Language"] == language, url
                assert_translated(
                    response.content.decode(), language, catalogue=catalogues[language], page=url
                )
                walked += 1
        assert walked == 49
        # The same walk's pages in English are caught: the check is not blind to them.
        client.force_login(world["admin"])
        english = client.get(f"/plans/{world['plan'].pk}/", HTTP_ACCEPT_LANGUAGE="en")
        found = untranslated(english.content.decode(), language, catalogues[language])
        assert {"Sign out", "Dashboard"} <= {f.text for f in found}
        assert len(found) > 30
