"""iCalendar: the deadlines of action points as all-day events, for the calendar
feeds that calendar applications subscribe to. Text holds no control character
(RFC 5545 allows none but tab in text; pim_tracker.characters.printable)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from actionplans.choices import ActionPointStatus
from actionplans.exports.rows import focal_points_text
from actionplans.models import ActionPoint
from pim_tracker.characters import printable_text
from pim_tracker.text import isolate


def calendar(name: str, points: Iterable[ActionPoint], base_url: str) -> bytes:
    """One all-day event per dated action point, on its due date, its description
    in the active language.

    `points` come with their challenge, group and plan (select_related) and their
    focal points (with_focal_points)."""
    cal = Calendar()
    cal.add("prodid", "-//PIM Action Tracker//Deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", printable_text(name))
    stamp = datetime.datetime.now(datetime.UTC)
    for point in points:
        if point.due_date is None:
            continue
        group = point.challenge.working_group
        lines = [
            _("Deadline as written: %(deadline)s") % {"deadline": point.deadline},
            _("Status: %(status)s, %(progress)s %%")
            % {"status": ActionPointStatus(point.status).label, "progress": point.progress},
            _("Focal points: %(names)s")
            % {"names": isolate(focal_points_text(point)) or _("none")},
            _("Plan: %(title)s") % {"title": isolate(group.plan.title)},
            _("Group %(number)s: %(name)s") % {"number": group.number, "name": isolate(group.name)},
            _("Challenge %(number)s: %(description)s")
            % {
                "number": point.challenge.number,
                "description": isolate(point.challenge.description),
            },
        ]
        url = base_url + reverse("actionplans:actionpoint_detail", args=[point.pk])
        event = Event()
        event.add("uid", f"actionpoint-{point.pk}@pim-action-tracker")
        event.add("dtstamp", stamp)
        event.add("dtstart", point.due_date)
        event.add("dtend", point.due_date + datetime.timedelta(days=1))
        event.add("summary", printable_text(point.description[:200]))
        event.add("description", printable_text("\n".join(lines) + f"\n{url}"))
        event.add("url", url)
        cal.add_component(event)
    return cal.to_ical()
