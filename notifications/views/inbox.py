"""The notifications list of a signed-in user.

A notification stays in the list after its plan has become invisible to the
user (removed from a members-only plan): it is then shown by its kind and date
only, without the plan, the action point or the words of the message.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from actionplans.models import ActionPlan
from notifications import services
from notifications.choices import Kind
from notifications.emails import DIGEST_TITLES
from notifications.models import Notification
from notifications.selectors import notifications_of, unread_count
from pim_tracker.http import safe_next

PAGE_SIZE = 50


def _notifications(user) -> QuerySet[Notification]:
    """The user's notifications, each flagged `visible` when its plan still is
    (one subquery in the same query, whatever the number of rows)."""
    visible = ActionPlan.objects.visible_to(user).filter(pk=OuterRef("plan_id"))
    return notifications_of(user).annotate(visible=Exists(visible))


def _digest_sections(notification: Notification) -> list[dict]:
    """A digest's sections by their counts, in the email's order."""
    if notification.kind != Kind.DIGEST:
        return []
    sections = []
    for name, title in DIGEST_TITLES.items():
        section = notification.detail.get(name)
        if isinstance(section, dict) and section.get("count"):
            sections.append({"title": title, "count": section["count"]})
    return sections


def _prepare(notifications) -> list[Notification]:
    rows = list(notifications)
    for notification in rows:
        notification.digest_sections = _digest_sections(notification)
    return rows


@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(_notifications(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _prepare(page.object_list)
    return render(
        request,
        "notifications/notification_list.html",
        {"page_obj": page, "nav": "notifications"},
    )


@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read (`id`), or all of them (no `id`). From htmx, with
    one id: the notification again, read, and the navigation's count."""
    ids = [
        int(value) for value in request.POST.getlist("id") if value.isascii() and value.isdigit()
    ]
    services.mark_read(user=request.user, ids=ids or None)
    if request.htmx and len(ids) == 1:
        notification = get_object_or_404(_notifications(request.user), pk=ids[0])
        return render(
            request,
            "notifications/_notification.html",
            {
                "notification": _prepare([notification])[0],
                "unread_oob": unread_count(request.user),
            },
        )
    return redirect(safe_next(request, "notifications:list"))
