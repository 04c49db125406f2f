"""The plan page's body (groups, challenges, the action points' cards and the
print tables) and a card alone (re-rendered for htmx after an update), both
rendered by the Jinja2 templates of templates/jinja2/actionplans/."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from actionplans import permissions as perms
from actionplans import selectors
from actionplans.forms import ProgressUpdateForm
from actionplans.jinja_env import PageUrls
from actionplans.models import ActionPlan, ActionPoint, with_focal_points

# A workshop's plan has a few dozen action points: each card carries its form.
# Past that, forms are fetched when opened (htmx), or used on the point's page.
INLINE_FORMS_MAX = 40


@dataclass
class PlanBody:
    html: SafeString
    shown_count: int


def plan_body(
    request: HttpRequest,
    plan: ActionPlan,
    points: QuerySet[ActionPoint],
    *,
    today: datetime.date,
    can_edit: bool,
    filtering: bool,
) -> PlanBody:
    """The plan's groups with these of its action points (already filtered)."""
    layout = selectors.plan_layout(plan=plan, action_points=points, today=today)
    updatable = (
        perms.updatable_action_point_ids(request.user, plan) if plan.accepts_changes else set()
    )
    cards = [point for group in layout for c in group.challenges for point in c.action_points]
    inline_forms = len(cards) <= INLINE_FORMS_MAX
    for point in cards:
        point.can_update = updatable is None or point.pk in updatable
        point.update_form = (
            ProgressUpdateForm.for_point(point) if point.can_update and inline_forms else None
        )
    html = render_to_string(
        "actionplans/plan_groups.html",
        {
            "plan": plan,
            "layout": layout,
            "today": today,
            "can_edit": can_edit,
            "filtering": filtering,
            **_per_page(request),
        },
        using="jinja2",
    )
    return PlanBody(mark_safe(html), len(cards))  # escaped by the Jinja2 template


def _per_page(request: HttpRequest) -> dict:
    """What every card repeats, made once per page: the CSRF field (each
    csrf_input would mask the token anew) and the links (reversed once per view)."""
    return {"request": request, "csrf_input": csrf_input(request), "url": PageUrls()}


def card_response(
    request: HttpRequest,
    pk: int,
    *,
    form: ProgressUpdateForm | None = None,
    conflict: dict | None = None,
    saved: bool = False,
) -> HttpResponse:
    """An action point's card, as the plan page shows it, for htmx to swap in."""
    today = timezone.localdate()
    point = (
        ActionPoint.objects.with_flags(today)
        .select_related("challenge__working_group__plan")
        .prefetch_related(with_focal_points())
        .get(pk=pk)
    )
    plan = point.challenge.working_group.plan
    point.can_update = plan.accepts_changes
    point.update_form = form or ProgressUpdateForm.for_point(point)
    conflict_html = (
        render_to_string("actionplans/_conflict.html", {"conflict": conflict}) if conflict else ""
    )
    # The card says "Update recorded." itself: the next page must not say it again.
    list(messages.get_messages(request))
    html = render_to_string(
        "actionplans/action_point_card.html",
        {
            "point": point,
            "today": today,
            "can_edit": perms.can_edit_plan(request.user, plan) and plan.accepts_changes,
            "saved": saved,
            "conflict_html": mark_safe(conflict_html),  # escaped by its template
            "open_form": form is not None,
            **_per_page(request),
        },
        using="jinja2",
    )
    return HttpResponse(html)


def update_form_response(request: HttpRequest, point: ActionPoint) -> HttpResponse:
    """One card's update form alone, fetched when opened on a large plan."""
    point.update_form = ProgressUpdateForm.for_point(point)
    html = render_to_string(
        "actionplans/quick_update_form.html", {"point": point, **_per_page(request)}, using="jinja2"
    )
    return HttpResponse(html)
