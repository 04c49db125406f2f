"""Calendar feeds: your secret addresses, and the deadlines calendar applications
read at them (a plan's, or a person's)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actionplans import permissions as perms
from actionplans import services
from actionplans.exports.ical import calendar
from actionplans.exports.responses import calendar_response
from actionplans.exports.rows import export_points
from actionplans.models import ActionPlan, ActionPoint, CalendarFeed, with_focal_points
from orgs.language import is_offered
from orgs.models import Person
from orgs.services import record_last_use
from pim_tracker.http import base_url
from pim_tracker.text import isolate


@require_http_methods(["GET", "HEAD", "POST"])
def calendar_feeds(request: HttpRequest) -> HttpResponse:
    """Your secret calendar addresses: one key, a feed per plan and per person."""
    feeds = CalendarFeed.objects.filter(user=request.user)
    if request.method == "POST":
        had_one = feeds.filter(revoked__isnull=True).exists()
        services.calendar_feed_create(user=request.user)
        if not had_one:
            messages.success(request, _("New calendar address created."))
        return redirect("actionplans:calendar_feeds")
    active = feeds.filter(revoked__isnull=True).first()
    plans = ActionPlan.objects.visible_to(request.user).order_by("title")
    person = Person.objects.filter(user=request.user).first()
    base = base_url(request)
    return render(
        request,
        "actionplans/calendar_feeds.html",
        {
            "nav": "calendar",
            "feeds": feeds,
            "active": active,
            "plan_urls": [
                (p, base + reverse("actionplans:calendar_plan", args=[active.key, p.pk]))
                for p in plans
            ]
            if active
            else [],
            "person_url": base
            + reverse("actionplans:calendar_person", args=[active.key, person.pk])
            if active and person
            else "",
        },
    )


@require_POST
def calendar_feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed, pk=pk, user=request.user, revoked__isnull=True)
    services.calendar_feed_revoke(feed=feed, user=request.user)
    messages.success(request, _("Calendar address revoked: subscriptions to it stop working."))
    return redirect("actionplans:calendar_feeds")


def _feed_user(key: str):
    feed = (
        CalendarFeed.objects.select_related("user__account_preference")
        .filter(key=key, revoked__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404(_("No such calendar."))
    record_last_use(feed)
    # A calendar application sends no session: the feed is written in its owner's
    # language when they chose one, else in the request's (Accept-Language).
    preference = getattr(feed.user, "account_preference", None)  # read with the feed
    if preference is not None and is_offered(preference.language):
        translation.activate(preference.language)
    return feed.user


@login_not_required  # calendar applications have no session: the key is the credential
@require_safe
def calendar_plan(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    user = _feed_user(key)
    plan = perms.get_plan_or_404(user, pk)
    name = _("Deadlines: %(name)s") % {"name": isolate(plan.title)}
    body = calendar(name, export_points(plan), base_url(request))
    return calendar_response(body, plan.title, "plan")


@login_not_required
@require_safe
def calendar_person(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    user = _feed_user(key)
    person = get_object_or_404(perms.visible_people(user), pk=pk)
    points = (
        ActionPoint.objects.visible_to(user)
        .filter(focal_points__person=person)
        .select_related("challenge__working_group__plan")
        .prefetch_related(with_focal_points())
        .order_by("due_date", "id")
        .distinct()
    )
    name = _("Deadlines: %(name)s") % {"name": isolate(person.name)}
    body = calendar(name, iter(points), base_url(request))
    return calendar_response(body, person.name, "person")
