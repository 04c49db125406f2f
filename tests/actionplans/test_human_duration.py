"""Durations in words ("Overdue by 2 years 3 months"), not raw days: the filter,
the badges that use it, the Jinja2 environment and the notifications."""

import datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from actionplans.jinja_env import environment
from actionplans.templatetags.plan_tags import deadline_badge, human_duration


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (0, "0 days"),
        (1, "1 day"),
        (30, "30 days"),
        (31, "1 month"),
        (45, "1 month"),
        (61, "2 months"),
        (364, "11 months"),
        (365, "1 year"),
        (400, "1 year 1 month"),
        (730, "2 years"),
        (800, "2 years 2 months"),
        (2798, "7 years 7 months"),
        (-45, "1 month"),
    ],
)
def test_human_duration_in_english(days, words):
    with translation.override("en"):
        assert human_duration(days) == words


def test_human_duration_of_nothing_is_empty():
    assert human_duration(None) == ""


def test_human_duration_marks_its_words_for_translation(monkeypatch):
    """Every word goes through the catalogue: a fake one that shouts shows it."""
    from actionplans.templatetags import plan_tags

    seen = []

    def fake_ngettext(singular, plural, number):
        seen.append((singular, plural))
        return "[" + (singular if number == 1 else plural) + "]"

    def fake_gettext(message):
        seen.append(message)
        return "<" + message + ">"

    monkeypatch.setattr(plan_tags, "ngettext", fake_ngettext)
    monkeypatch.setattr(plan_tags, "_", fake_gettext)
    assert human_duration(800) == "<[2 years] [2 months]>"
    assert seen == [
        ("%(num)d month", "%(num)d months"),
        ("%(num)d year", "%(num)d years"),
        "%(years)s %(months)s",
    ]
    seen.clear()
    assert human_duration(5) == "[5 days]"
    assert seen == [("%(num)d day", "%(num)d days")]


def _point(due, overdue, soon):
    return SimpleNamespace(due_date=due, is_overdue=overdue, is_due_soon=soon)


def test_deadline_badge_says_how_long_in_words():
    today = datetime.date(2026, 11, 27)
    late = _point(today - datetime.timedelta(days=2798), True, False)
    assert (
        deadline_badge(late, today)
        == '<span class="badge overdue">Overdue by 7 years 7 months</span>'
    )
    one = _point(today - datetime.timedelta(days=1), True, False)
    assert deadline_badge(one, today) == '<span class="badge overdue">Overdue by 1 day</span>'
    soon = _point(today + datetime.timedelta(days=5), False, True)
    assert deadline_badge(soon, today) == '<span class="badge soon">Due in 5 days</span>'
    now = _point(today, False, True)
    assert deadline_badge(now, today) == '<span class="badge soon">Due today</span>'
    calm = _point(today + datetime.timedelta(days=90), False, False)
    assert deadline_badge(calm, today) == ""


def test_human_duration_is_a_django_filter_and_a_jinja2_filter_and_global():
    assert (
        Template("{% load plan_tags %}{{ n|human_duration }}").render(Context({"n": 45}))
        == "1 month"
    )
    env = environment()
    assert env.from_string("{{ n|human_duration }}").render(n=400) == "1 year 1 month"
    assert env.from_string("{{ human_duration(n) }}").render(n=1) == "1 day"


@pytest.mark.parametrize(
    "template", ["notifications/email/message.txt", "notifications/email/message.html"]
)
def test_the_overdue_email_says_how_long_in_words(template):
    from django.template.loader import render_to_string

    notification = SimpleNamespace(kind="overdue", detail={"days_late": 400})
    item = SimpleNamespace(notification=notification, point=None, url="", one_click={}, digest=[])
    section = SimpleNamespace(kind="overdue", title="Overdue", items=[item], unsubscribe_url="")
    with translation.override("en"):
        text = render_to_string(template, {"sections": [section]})
    assert "Overdue by 1 year 1 month." in text
