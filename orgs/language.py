"""The language a page, an API answer or an email is written in.

A page or an API answer: the signed-in user's preference (AccountPreference,
copied into the session at sign-in and when it changes, so pages cost no query
for it), else the cookie the language switcher sets, else the browser's
Accept-Language, else settings.LANGUAGE_CODE.

An email: the preference of the account the address belongs to (the account's
own email or its person's), else settings.LANGUAGE_CODE; the languages of a
batch of addresses are read in one query.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models import Q
from django.db.models.functions import Lower
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

from orgs.models import AccountPreference

SESSION_KEY = "language"


def is_offered(language: str | None) -> bool:
    return bool(language) and language in dict(settings.LANGUAGES)


def _session_language(request) -> str | None:
    session = getattr(request, "session", None)
    language = session.get(SESSION_KEY) if session is not None else None
    return language if is_offered(language) else None


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware (cookie, Accept-Language, LANGUAGE_CODE), with the
    signed-in user's preference first."""

    def process_request(self, request):
        language = _session_language(request)
        if language is None:
            return super().process_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        response = super().process_response(request, response)
        language = _session_language(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            # The browser keeps the user's language after they sign out.
            set_language_cookie(response, language)
        return response


def set_language_cookie(response, language: str) -> None:
    """The cookie Django's set_language view sets, with the same settings."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def remember_language(request, language: str | None) -> None:
    """Keep the user's language for this session's pages (None: no preference)."""
    if is_offered(language):
        request.session[SESSION_KEY] = language
        translation.activate(language)
        request.LANGUAGE_CODE = language
    else:
        request.session.pop(SESSION_KEY, None)


@receiver(user_logged_in)
def _on_sign_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    remember_language(request, user_language(user))


def user_language(user) -> str | None:
    """The language an account chose in its preferences, None when it chose none
    (then the request's own language applies)."""
    language = (
        AccountPreference.objects.filter(user=user).values_list("language", flat=True).first()
    )
    return language if is_offered(language) else None


def languages_of(addresses: Iterable[str]) -> dict[str, str]:
    """The language of the emails to each address (lower-cased), in one query: the
    preference of the account whose email it is, else of the account whose person's
    email it is, else settings.LANGUAGE_CODE."""
    wanted = {address.strip().lower() for address in addresses if address and address.strip()}
    if not wanted:
        return {}
    rows = (
        AccountPreference.objects.annotate(
            own=Lower("user__email"), of_person=Lower("user__person__email")
        )
        .filter(Q(own__in=wanted) | Q(of_person__in=wanted))
        .order_by("user_id")
        .values_list("own", "of_person", "language")
    )
    by_own: dict[str, str] = {}
    by_person: dict[str, str] = {}
    for own, of_person, language in rows:
        if not is_offered(language):
            continue
        if own in wanted:
            by_own.setdefault(own, language)
        if of_person in wanted:
            by_person.setdefault(of_person, language)
    return {
        address: by_own.get(address) or by_person.get(address) or settings.LANGUAGE_CODE
        for address in wanted
    }


def language_of(address: str) -> str:
    """The language of the emails to one address (languages_of for a batch)."""
    return languages_of([address]).get(address.strip().lower(), settings.LANGUAGE_CODE)
