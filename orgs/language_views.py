"""The language switcher's form posts here (works signed out too)."""

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from orgs.language import is_offered, remember_language
from orgs.services import account_language_set


@login_not_required
@require_POST
def set_language(request):
    """Django's set_language (the cookie, then back to a safe `next`); a signed-in
    user's choice is also kept as their preference, for their pages and emails."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and is_offered(language):
        account_language_set(user=request.user, language=language)
        remember_language(request, language)
    return response
