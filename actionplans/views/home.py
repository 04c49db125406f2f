"""Where "/" and signing in lead: each role to the page it opens the tracker for."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from actionplans import permissions as perms


def landing_url_name(user) -> str:
    """Members (people named in plans who coordinate none) land on their own action
    points; administrators, coordinators and everyone else on the list of plans."""
    if (
        user.is_authenticated
        and not perms.can_create_plan(user)
        and perms.is_linked_to_person(user)
    ):
        return "actionplans:my_action_points"
    return "actionplans:plan_list"


@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    # Signed out, the sign-in page comes first (LoginRequiredMiddleware), then here.
    return redirect(landing_url_name(request.user))
