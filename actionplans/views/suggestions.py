"""People suggested while typing a focal point, team leader or team members.

The plan forms' name fields ask, through htmx, as the user types; the answer is
the list's options (templates/includes/people_suggestions.html), which
static/js/people-typing.js lets the user pick with the keyboard or the mouse.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from actionplans import directory
from actionplans import permissions as perms

MAX_SUGGESTIONS = 10
PLANS_SHOWN = 3
_ELEMENT_ID = re.compile(r"[A-Za-z][\w-]{0,99}")


@require_GET
def people_suggest(request: HttpRequest) -> HttpResponse:
    """GET ?q=<typed text>&plan=<plan id>&for=<input id>: at most ten people the user
    may see whose name contains the text (orgs.matching.match_key), those of the
    plan's operation first, with their organization and plans. Two queries (the
    people, their plans) besides the plan's, whatever the number found."""
    plan = None
    plan_id = request.GET.get("plan", "")
    if plan_id:
        plan = perms.get_plan_or_404(request.user, int(plan_id) if plan_id.isdigit() else 0)
    people = directory.suggestions(
        request.user, request.GET.get("q", "")[:200], plan=plan, limit=MAX_SUGGESTIONS
    )
    plans = directory.plans_named_in(request.user, [person.pk for person in people])
    element = request.GET.get("for", "")
    return render(
        request,
        "includes/people_suggestions.html",
        {
            "for": element if _ELEMENT_ID.fullmatch(element) else "people",
            "plan": plan,
            "suggestions": [
                {
                    "person": person,
                    "plans": plans.get(person.pk, [])[:PLANS_SHOWN],
                    "more_plans": max(0, len(plans.get(person.pk, [])) - PLANS_SHOWN),
                }
                for person in people
            ],
        },
    )
