"""One-click updates from a reminder email: the link's person reports on the
link's action point without signing in.

A link (notifications/links.py) is signed, names one person and one action
point, expires after ONE_CLICK_DAYS and is spent by its first update. Opening it
changes nothing (mail scanners fetch links before people do); the update is a
normal progress update (actionplans.services.updates) by that person, recorded
together with the link's use, so a second submit of the same link records
nothing.

Two kinds of refusal, told apart because a person can act on one of them:
- LinkInvalid (the page answers 404): forged, altered or malformed; the person
  or the action point no longer exists; the person no longer carries the point;
  the plan is closed.
- LinkGone (410): a genuine link that has expired or has been used. The page
  says so and offers to sign in.
Neither page says anything about the plan or the action point.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction

from actionplans.models import ActionPlan, ActionPoint, ProgressUpdate
from actionplans.selectors import people_carrying
from actionplans.services.updates import progress_update_create
from notifications.links import LinkExpired, OneClick, read_one_click
from notifications.models import OneClickUse
from orgs.models import Person


class LinkInvalid(Exception):
    """Not a link this site can act on (404)."""


class LinkGone(Exception):
    """A genuine link that expired or was already used (410)."""


@dataclass(frozen=True)
class OneClickTarget:
    """What a valid link acts on: who reports, on which action point of which plan."""

    link: OneClick
    person: Person
    action_point: ActionPoint

    @property
    def plan(self) -> ActionPlan:
        return self.action_point.challenge.working_group.plan

    @property
    def author(self):
        """The person's account, when they have an active one: the update is theirs."""
        user = self.person.user
        return user if user is not None and user.is_active else None


def resolve(token: str) -> OneClickTarget:
    """The person and action point of a link that may still be used; LinkInvalid or
    LinkGone otherwise. Reads only: opening a link changes nothing."""
    try:
        link = read_one_click(token)
    except LinkExpired:
        raise LinkGone from None
    except signing.BadSignature:
        raise LinkInvalid from None

    point = (
        ActionPoint.objects.select_related("challenge__working_group__plan")
        .filter(pk=link.action_point_id)
        .first()
    )
    person = Person.objects.select_related("user").filter(pk=link.person_id).first()
    if point is None or person is None:
        raise LinkInvalid
    carriers = people_carrying(ActionPoint.objects.filter(pk=point.pk)).get(point.pk, set())
    if person.pk not in carriers:
        raise LinkInvalid
    # A closed plan answers 404, not 410: closing is not final (a coordinator may
    # reopen the plan, and the link works again while it is valid), and "gone"
    # would tell a stranger holding the link that it was once genuine.
    if not point.challenge.working_group.plan.accepts_changes:
        raise LinkInvalid
    if OneClickUse.objects.filter(nonce=link.nonce).exists():
        raise LinkGone
    return OneClickTarget(link=link, person=person, action_point=point)


def one_click_update(
    target: OneClickTarget,
    status: str | None = None,
    progress: int | None = None,
    note: str = "",
    evidence_url: str = "",
    expected_version: int | None = None,
) -> ProgressUpdate:
    """Record the person's update and spend the link, both or neither.

    The update goes through progress_update_create (its checks, its errors as
    ValidationError, completing sets 100 %). The link's use is inserted first:
    its unique nonce makes a second submit of the same link, even a concurrent
    one, fail with LinkGone before anything else is written.
    """
    try:
        with transaction.atomic():
            use = OneClickUse.objects.create(
                nonce=target.link.nonce,
                person=target.person,
                action_point=target.action_point,
            )
            update = progress_update_create(
                action_point=target.action_point,
                author=target.author,
                reported_by=target.person,
                status=status,
                progress=progress,
                note=note,
                evidence_url=evidence_url,
                expected_version=expected_version,
            )
            use.update = update
            use.save(update_fields=["update"])
    except IntegrityError:
        if OneClickUse.objects.filter(nonce=target.link.nonce).exists():
            raise LinkGone from None
        raise
    return update
