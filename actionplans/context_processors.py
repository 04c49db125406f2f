"""What the navigation bar needs on every page."""

from django.http import HttpRequest

from actionplans.permissions import can_create_plan, can_manage_people


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazily evaluated: pages that do not show these links cost no query.
    return {
        "nav_can_create_plan": lambda: can_create_plan(user),
        "nav_can_manage_people": lambda: can_manage_people(user),
    }
