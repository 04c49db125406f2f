"""One email for one address on one day: every notification waiting for it,
grouped by kind, in an HTML and a plain-text part, with one-click update links
and RFC 8058 one-click unsubscribe headers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from actionplans.models import ActionPoint
from notifications.choices import Kind
from notifications.links import (
    one_click_token,
    one_click_url,
    unsubscribe_url,
)
from notifications.models import Delivery, Notification
from orgs.language import language_of
from pim_tracker.http import site_url

# The order of sections in a message: what needs doing first.
KIND_ORDER = [
    Kind.OVERDUE,
    Kind.DUE_TODAY,
    Kind.DUE_SOON,
    Kind.STALE,
    Kind.EXTENSION_REQUESTED,
    Kind.EXTENSION_DECIDED,
    Kind.TO_VERIFY,
    Kind.SENT_BACK,
    Kind.ASSIGNED,
    Kind.RESCHEDULED,
    Kind.COMMENTED,
    Kind.MENTIONED,
    Kind.WATCHED,
    Kind.DIGEST,
]
# Kinds whose items carry one-click update links (the person carries the point).
ONE_CLICK_KINDS = {Kind.OVERDUE, Kind.DUE_TODAY, Kind.DUE_SOON, Kind.STALE, Kind.ASSIGNED}
DIGEST_TITLES = {
    "completed": gettext_lazy("Completed this week"),
    "newly_overdue": gettext_lazy("Newly overdue"),
    "due_soon": gettext_lazy("Due in the next 30 days"),
    "stale": gettext_lazy("No update for a while"),
    "rescheduled": gettext_lazy("Deadline moved this week"),
}


@dataclass
class Item:
    notification: Notification
    point: ActionPoint | None
    url: str
    one_click: dict[str, str] = field(default_factory=dict)
    digest: list[dict] = field(default_factory=list)


@dataclass
class Section:
    kind: str
    title: str
    items: list[Item]
    unsubscribe_url: str


def point_url(point_id: int) -> str:
    return site_url(reverse("actionplans:actionpoint_detail", args=[point_id]))


def _one_click_links(notification: Notification, tokens: dict) -> dict[str, str]:
    if notification.kind not in ONE_CLICK_KINDS or not notification.person_id:
        return {}
    key = (notification.person_id, notification.action_point_id)
    # One token per person and action point in a message: using it spends all three.
    if key not in tokens:
        tokens[key] = one_click_token(*key)
    token = tokens[key]
    return {
        "in_progress": one_click_url(token, "in_progress"),
        "completed": one_click_url(token, "completed"),
        "update": one_click_url(token),
    }


def _digest(notification: Notification, points: dict[int, ActionPoint]) -> list[dict]:
    sections = []
    for name, title in DIGEST_TITLES.items():
        section = notification.detail.get(name)
        if not section:
            continue
        items = [
            {"point": points[point_id], "url": point_url(point_id)}
            for point_id in section["ids"]
            if point_id in points
        ]
        sections.append({"title": title, "count": section["count"], "items": items})
    return sections


def sections_of(
    address: str, notifications: list[Notification], points: dict[int, ActionPoint]
) -> list[Section]:
    tokens: dict = {}
    by_kind: dict[str, list[Item]] = {}
    for notification in notifications:
        point = points.get(notification.action_point_id) if notification.action_point_id else None
        if notification.kind == Kind.DIGEST:
            url = site_url(reverse("actionplans:plan_dashboard", args=[notification.plan_id]))
        else:
            url = point_url(notification.action_point_id)
        by_kind.setdefault(notification.kind, []).append(
            Item(
                notification=notification,
                point=point,
                url=url,
                one_click=_one_click_links(notification, tokens),
                digest=_digest(notification, points) if notification.kind == Kind.DIGEST else [],
            )
        )
    return [
        Section(
            kind=kind,
            title=Kind(kind).label,
            items=by_kind[kind],
            unsubscribe_url=unsubscribe_url(address, [kind]),
        )
        for kind in KIND_ORDER
        if kind in by_kind
    ]


def subject_of(sections: list[Section]) -> str:
    items = [item for section in sections for item in section.items]
    if len(items) == 1:
        item = items[0]
        what = str(item.point) if item.point else item.notification.plan.title
        # A header is one line: descriptions (and titles) may hold line breaks.
        what = " ".join(what.split())
        # Translators: an email's subject: the kind of news, then its action point or plan.
        return _("%(kind)s: %(what)s") % {"kind": sections[0].title, "what": what}
    counts = pgettext("list separator", ", ").join(
        # Translators: in an email's subject, how many items of one kind, e.g. "3 overdue (weekly)".
        _("%(count)d %(kind)s") % {"count": len(section.items), "kind": section.title.lower()}
        for section in sections
    )
    return ngettext(
        "PIM Action Tracker: %(count)d item (%(counts)s)",
        "PIM Action Tracker: %(count)d items (%(counts)s)",
        len(items),
    ) % {"count": len(items), "counts": counts}


def compose(
    delivery: Delivery,
    notifications: list[Notification],
    points: dict[int, ActionPoint],
    language: str | None = None,
) -> EmailMultiAlternatives:
    """The message in the recipient's language: `language` when the caller read the
    languages of a batch (orgs.language.languages_of), else the address's own."""
    with translation.override(language or language_of(delivery.recipient)):
        return _compose(delivery, notifications, points)


def _compose(
    delivery: Delivery, notifications: list[Notification], points: dict[int, ActionPoint]
) -> EmailMultiAlternatives:
    sections = sections_of(delivery.recipient, notifications, points)
    all_kinds = [section.kind for section in sections]
    unsubscribe_all = unsubscribe_url(delivery.recipient, all_kinds)
    context = {
        "sections": sections,
        "recipient": delivery.recipient,
        "day": delivery.day,
        "site_url": settings.SITE_URL,
        "preferences_url": site_url(reverse("notifications:preferences")),
        "notifications_url": site_url(reverse("notifications:list")),
        "unsubscribe_all_url": unsubscribe_all,
    }
    message = EmailMultiAlternatives(
        subject=subject_of(sections),
        body=render_to_string("notifications/email/message.txt", context),
        to=[delivery.recipient],
        headers={
            # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that
            # POSTs to this address, no page to open and no sign-in.
            "List-Unsubscribe": f"<{unsubscribe_all}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("notifications/email/message.html", context), "text/html"
    )
    return message
