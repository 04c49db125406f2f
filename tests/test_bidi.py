"""Text people wrote inside sentences built in Python: isolated (U+2068 … U+2069) when
the bidirectional algorithm could reorder it with the sentence around it."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.utils import translation

from actionplans.models import ActionPlan
from pim_tracker.text import isolate
from tests.users import build_world

FSI, PDI = "\u2068", "\u2069"


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", "PIM Lebanon 2019", "PIM Lebanon 2019"),
        ("fr", "Plan Liban 2019", "Plan Liban 2019"),
        ("en", "خطة لبنان 2019", f"{FSI}خطة لبنان 2019{PDI}"),
        ("fr", "IMWG – فريق البيانات", f"{FSI}IMWG – فريق البيانات{PDI}"),
        ("ar", "PIM Lebanon 2019", f"{FSI}PIM Lebanon 2019{PDI}"),
        ("ar", "خطة لبنان", f"{FSI}خطة لبنان{PDI}"),
        ("ar", "", ""),
        ("en", 42, "42"),
    ],
    ids=["en-latin", "fr-latin", "en-arabic", "fr-mixed", "ar-latin", "ar-arabic", "empty", "int"],
)
def test_isolate(language, value, expected):
    with translation.override(language):
        assert isolate(value) == expected


@pytest.mark.django_db
def test_an_arabic_title_in_an_english_flash_message_is_isolated(client):
    world = build_world()
    client.force_login(world.coordinator)

    response = client.post(
        "/plans/add/",
        {"title": "خطة لبنان 2019", "status": "active", "visibility": "members"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    plan = ActionPlan.objects.get(title="خطة لبنان 2019")
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Plan “{FSI}خطة لبنان 2019{PDI}” created."
    ]


@pytest.mark.django_db
def test_a_latin_title_in_an_english_flash_message_is_left_as_it_is(client):
    world = build_world()
    client.force_login(world.coordinator)

    response = client.post(
        "/plans/add/", {"title": "Jordan 2020", "status": "active", "visibility": "members"}
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Plan “Jordan 2020” created."]
