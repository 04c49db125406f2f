"""Deadline extension requests on the pages that do not own them: the action
point page's panel and the plan page's count of requests waiting."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template

from actionplans.forms import ExtensionDecisionForm, ExtensionRequestForm
from actionplans.models import ActionPlan, ActionPoint, ExtensionRequest
from actionplans.querysets import PLAN_PATH
from actionplans.services.extensions import CLOSED_STATUSES

register = template.Library()

# Decided requests shown on an action point's page, newest first.
DECIDED_SHOWN = 10


@dataclass
class ExtensionPanel:
    """What the action point page shows of its extension requests to this user."""

    pending: ExtensionRequest | None = None
    decided: list[ExtensionRequest] = field(default_factory=list)
    can_ask: bool = False
    can_decide: bool = False
    ask_form: ExtensionRequestForm | None = None
    decide_form: ExtensionDecisionForm | None = None

    @property
    def shown(self) -> bool:
        return bool(self.pending or self.decided or self.can_ask)


def requests_of(point: ActionPoint):
    return point.extension_requests.select_related(
        "requested_by__person", "decided_by__person", "deadline_change"
    ).order_by("-requested_at", "-id")


def extension_panel(
    user,
    point: ActionPoint,
    *,
    can_update: bool,
    can_edit: bool,
    ask_form: ExtensionRequestForm | None = None,
    decide_form: ExtensionDecisionForm | None = None,
) -> ExtensionPanel:
    """`can_update` and `can_edit` are the page's own answers (the user's role, the
    plan open). Coordinators see every request and decide the waiting one; members
    who may update the point see the waiting one and their own, and may ask when
    none waits (coordinators move the deadline themselves). One query."""
    panel = ExtensionPanel(can_decide=can_edit)
    if not (can_update or can_edit):
        return panel
    rows = list(requests_of(point)[: DECIDED_SHOWN + 1])
    panel.pending = next((r for r in rows if r.status == ExtensionRequest.Status.PENDING), None)
    panel.decided = [
        r
        for r in rows
        if r.status != ExtensionRequest.Status.PENDING
        and (can_edit or r.requested_by_id == user.pk)
    ][:DECIDED_SHOWN]
    panel.can_ask = (
        can_update
        and not can_edit
        and panel.pending is None
        and point.status not in CLOSED_STATUSES
    )
    if panel.can_ask:
        panel.ask_form = ask_form or ExtensionRequestForm(prefix_id=f"ext{point.pk}")
    if panel.can_decide and panel.pending is not None:
        panel.decide_form = decide_form or ExtensionDecisionForm(prefix_id=f"dec{panel.pending.pk}")
    return panel


@register.simple_tag(takes_context=True)
def extension_requests_panel(context) -> ExtensionPanel:
    """The panel for the page's `point`, from the page's can_update and can_edit."""
    if "extension_panel" in context:  # a page that built it already (with a bound form)
        return context["extension_panel"]
    return extension_panel(
        context["request"].user,
        context["point"],
        can_update=bool(context.get("can_update")),
        can_edit=bool(context.get("can_edit")),
    )


@register.simple_tag
def pending_extension_count(plan: ActionPlan) -> int:
    """Requests waiting for a decision in the plan (one query)."""
    return ExtensionRequest.objects.filter(
        status=ExtensionRequest.Status.PENDING, **{f"action_point__{PLAN_PATH}": plan}
    ).count()
