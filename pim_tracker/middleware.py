"""Login required everywhere, except the REST API, which answers for itself.

The API authenticates by token as well as by session and says 401/403 in JSON;
a redirect to the sign-in page would mean nothing to a partner system.
"""

import logging
import sqlite3

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequired
from django.db.utils import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class LoginRequiredMiddleware(BaseLoginRequired):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(API_PREFIX):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response the app computes.

    Pages, exports, calendar feeds and API answers are people's plans behind a
    sign-in, a token or a key: on the shared computers of field offices a page
    kept by the browser outlives the sign-out, and a proxy could hand it to the
    next person. No page of the app is public, so none is cached; a view that
    chooses its own Cache-Control (the one-click pages, `never_cache`) keeps it.
    Static files never reach this middleware: WhiteNoise, before it, answers
    them with their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        return response


logger = logging.getLogger(__name__)

# SQLite's primary result codes (the low byte of an extended code such as
# SQLITE_BUSY_SNAPSHOT): another connection holds the lock (BUSY), or a table of
# a shared-cache database is locked (LOCKED).
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
# Seconds a client is asked to wait before trying again.
BUSY_RETRY_AFTER = 5


def is_database_busy(exception: BaseException) -> bool:
    """A SQLite "database is locked" error: the write lock stayed taken longer than
    the busy timeout (settings: DATABASES' timeout). PostgreSQL's errors never are."""
    cause = exception.__cause__
    return (
        isinstance(exception, OperationalError)
        and isinstance(cause, sqlite3.Error)
        and (getattr(cause, "sqlite_errorcode", 0) & 0xFF) in (SQLITE_BUSY, SQLITE_LOCKED)
    )


def _plain_page(request: HttpRequest, template: str, message: str, *, status: int) -> HttpResponse:
    """An error page rendered without the request's context processors (they read the
    session, the user and the notifications), with what base.html needs without them
    (the language switcher)."""
    context = {
        "message": message,
        "request": request,
        "csrf_token": get_token(request),
        "LANGUAGES": settings.LANGUAGES,
    }
    return HttpResponse(render_to_string(template, context), status=status)


class DatabaseBusyMiddleware:
    """A request that found SQLite locked for too long is a 503 with Retry-After,
    not a 500: nothing is wrong with it, and the same request succeeds a moment
    later. JSON under /api/ (`{"detail": ...}`, like every API error), the "server
    busy" page elsewhere. Every other exception goes on to Django's 500.

    The transaction it interrupted was rolled back: nothing of it was written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("Database busy, answered 503: %s %s", request.method, request.path)
        message = _("The database is busy with other changes: try again in a few seconds.")
        if request.path_info.startswith(API_PREFIX):
            response = JsonResponse({"detail": message}, status=503)
        else:
            # The navigation and the unread notifications would ask the busy database again.
            response = _plain_page(request, "503.html", message, status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response


MIB = 1024 * 1024


class RequestSizeMiddleware:
    """A request whose Content-Length is more than DATA_UPLOAD_MAX_MEMORY_SIZE is a 413,
    answered before anything reads its body: Django reads no further than that length,
    so the body is never received into memory nor spooled to disk. Django's own check
    leaves files out (a 100 MB upload was received whole before the import form refused
    it), and DRF's parsers read the body without it. JSON under /api/ (`{"detail": ...}`),
    a page elsewhere that names the import's file limit (IMPORT_MAX_BYTES), the one
    upload there is. The proxy in front should refuse such a request even earlier
    (README: client_max_body_size).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        most = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # Django reads no body then
        if most is None or size <= most:
            return self.get_response(request)
        sent = f"{size / MIB:.1f}"
        if request.path_info.startswith(API_PREFIX):
            message = _("The request is %(size)s MB; the most accepted is %(most)s MB.") % {
                "size": sent,
                "most": f"{most / MIB:.0f}",
            }
            return JsonResponse({"detail": message}, status=413)
        message = _(
            "The file is too large: %(size)s MB were sent; the most accepted is %(most)s MB."
        ) % {
            "size": sent,
            "most": f"{settings.IMPORT_MAX_BYTES / MIB:.0f}",
        }
        # The session and the user are not looked at for a request refused before its body.
        return _plain_page(request, "413.html", message, status=413)
