"""iCalendar: the deadlines of action points as all-day events, for the calendar
feeds that calendar applications subscribe to."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import reverse
from icalendar import Calendar, Event

from actionplans.choices import ActionPointStatus
from actionplans.exports.rows import focal_points_text
from actionplans.models import ActionPoint


def calendar(name: str, points: Iterable[ActionPoint], base_url: str) -> bytes:
    """One all-day event per dated action point, on its due date.

    `points` come with their challenge, group and plan (select_related) and their
    focal points (with_focal_points)."""
    cal = Calendar()
    cal.add("prodid", "-//PIM Action Tracker//Deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = datetime.datetime.now(datetime.UTC)
    for point in points:
        if point.due_date is None:
            continue
        group = point.challenge.working_group
        lines = [
            f"Deadline as written: {point.deadline}",
            f"Status: {ActionPointStatus(point.status).label}, {point.progress} %",
            f"Focal points: {focal_points_text(point) or 'none'}",
            f"Plan: {group.plan.title}",
            f"Group {group.number}: {group.name}",
            f"Challenge {point.challenge.number}: {point.challenge.description}",
        ]
        url = base_url + reverse("actionplans:actionpoint_detail", args=[point.pk])
        event = Event()
        event.add("uid", f"actionpoint-{point.pk}@pim-action-tracker")
        event.add("dtstamp", stamp)
        event.add("dtstart", point.due_date)
        event.add("dtend", point.due_date + datetime.timedelta(days=1))
        event.add("summary", point.description[:200])
        event.add("description", "\n".join(lines) + f"\n{url}")
        event.add("url", url)
        cal.add_component(event)
    return cal.to_ical()
