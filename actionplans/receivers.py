"""actionplans' answers to other apps' signals."""

from __future__ import annotations

from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from actionplans.models import ActionPoint
from orgs import signals as orgs_signals

# What an action point shows of its focal points (the API's focal_points: name,
# organization's short name).
SHOWN_OF_PEOPLE = {"name", "organization"}
SHOWN_OF_ORGANIZATIONS = {"name", "acronym"}


def _touch(points) -> None:
    """A new version and `updated` for action points that now read differently, so a
    partner's sync (?updated_after=) reads them again; as a person merge does."""
    ActionPoint.objects.filter(pk__in=points.values("pk")).update(
        version=F("version") + 1, updated=timezone.now()
    )


@receiver(orgs_signals.person_changed)
def person_shown_on_action_points(sender, person, changed, **kwargs) -> None:
    if SHOWN_OF_PEOPLE & set(changed):
        _touch(ActionPoint.objects.filter(focal_points__person=person))


@receiver(orgs_signals.organization_changed)
def organization_shown_on_action_points(sender, organization, changed, **kwargs) -> None:
    if SHOWN_OF_ORGANIZATIONS & set(changed):
        _touch(ActionPoint.objects.filter(focal_points__person__organization=organization))
