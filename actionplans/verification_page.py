"""What the action point's page shows of its completion (who completed it, when,
what was done, the evidence; verified by whom, or awaiting verification) and the
Verify and Send back forms for whoever may use them: templates/actionplans/
_completion.html reads it."""

from __future__ import annotations

from actionplans import permissions as perms
from actionplans.choices import ActionPointStatus
from actionplans.completion import completing_update
from actionplans.forms import SendBackForm
from actionplans.models import ActionPoint


def completion_context(user, point: ActionPoint) -> dict:
    if point.status != ActionPointStatus.COMPLETED:
        return {"completion": None, "can_verify": False, "can_send_back": False}
    completion = completing_update(point)
    may_act = point.challenge.working_group.plan.accepts_changes and perms.can_verify(user, point)
    context = {
        "completion": completion,
        "can_verify": may_act and point.verified_at is None,
        "can_send_back": may_act,
    }
    if may_act:
        context["send_back_form"] = SendBackForm(
            initial={"version": point.version}, auto_id="id_send_back_%s"
        )
    return context
