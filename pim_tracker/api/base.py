"""What every endpoint of the REST API shares: strict pagination and filters,
ETags, throttling before permissions (failed authentication throttled too), and
errors as JSON.

(Token authentication is in orgs/api/authentication.py, beside the tokens it
reads: this package sits below both apps and imports neither.)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import BooleanFilter, ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework import exceptions, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from pim_tracker.errors import as_api_detail

# The code of the services' "someone saved this since you read it" error.
STALE_VERSION = "stale_version"


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """?limit=&offset=, where a bad value is a 400 rather than silently ignored."""

    default_limit = 100
    max_limit = 500

    def _read(self, request, name: str, default: int | None, low: int, high: int | None):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise exceptions.ValidationError(
                {name: [_("%(name)s must be a whole number.") % {"name": name}]}
            ) from None
        if value < low or (high is not None and value > high):
            values = {"name": name, "low": low, "high": high, "value": value}
            if high is None:
                message = _("%(name)s must be %(low)d or more, not %(value)d.") % values
            else:
                message = _("%(name)s must be from %(low)d to %(high)d, not %(value)d.") % values
            raise exceptions.ValidationError({name: [message]})
        return value

    def get_limit(self, request) -> int:
        return self._read(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request) -> int:
        return self._read(request, self.offset_query_param, 0, 0, 10**9)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter reads an unknown boolean ("?overdue=maybe") as no filter at all;
    the API answers 400 instead, as for any other unknown filter value."""

    BOOLEAN_VALUES = frozenset({"", "true", "false", "True", "False"})

    def filter_queryset(self, request, queryset, view):
        # Filters are for lists: a detail, update or action request names its
        # object and pays nothing for building filter forms.
        action = getattr(view, "action", "list")
        if action not in ("list", None, *getattr(view, "filtered_actions", ())):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        # The API never renders the filter form: a choice filter the request does
        # not use is dropped before the form is built, so that its choices (the
        # plans, groups, challenges, people the user may see) are not put together
        # for nothing.
        for name, field in list(filterset.filters.items()):
            if isinstance(field, ModelChoiceFilter | ModelMultipleChoiceFilter) and (
                name not in request.query_params
            ):
                del filterset.filters[name]
        errors = {
            name: [
                _('%(name)s must be "true" or "false", not "%(value)s".')
                % {"name": name, "value": raw}
            ]
            for name, field in filterset.filters.items()
            if isinstance(field, BooleanFilter)
            for raw in request.query_params.getlist(name)
            if raw not in self.BOOLEAN_VALUES
        }
        if errors:
            # Reported together with the other filters' errors, as one 400.
            if not filterset.is_valid():
                errors = {**translate_validation(filterset.errors).detail, **errors}
            raise exceptions.ValidationError(errors)
        return filterset


def exception_handler(exc, context):
    """Service errors (Django's ValidationError) become 400s with field messages;
    a version conflict found under the row lock is a 412, like a stale If-Match;
    failed authentication is throttled like anonymous traffic."""
    if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
        exc = _throttle_failed_authentication(exc, context)
    if getattr(exc, "code", None) == STALE_VERSION:
        return ETagMixin._precondition_failed()
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_api_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def _throttle_failed_authentication(exc, context):
    """The view's throttles for a request whose authentication failed, which DRF
    would otherwise answer 401 without counting it: it authenticates before it
    throttles, so an invalid token was never throttled at all. DRF has made the
    request anonymous by then, so it counts as anonymous traffic (by client
    address); over the rate, the answer is the 429 instead. Throttles that ran
    already for this request (ThrottleFirstMixin) do not count it twice."""
    view, request = context.get("view"), context.get("request")
    if view is None or request is None or getattr(request, "_pim_throttled", False):
        return exc
    try:
        view.check_throttles(request)
    except exceptions.Throttled as throttled:
        return throttled
    finally:
        request._pim_throttled = True
    return exc


class ThrottleFirstMixin:
    """Count requests before deciding permissions, so that anonymous clients (who
    may do nothing) are throttled too, instead of learning 401 as fast as they ask.
    DRF's own order is authentication, permissions, throttles: its permission
    check is made to throttle first, and its throttle check then counts nothing
    twice."""

    def check_permissions(self, request):
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if getattr(request, "_pim_throttled", False):
            return
        request._pim_throttled = True
        super().check_throttles(request)


class ETagMixin:
    """ETag on single-object responses; a stale If-Match on PUT/PATCH is 412.

    The tag is the object's version where it has one, else its last change.
    """

    @staticmethod
    def etag_for(obj) -> str:
        stamp = getattr(obj, "version", None) or obj.updated.isoformat()
        return f'"{type(obj).__name__.lower()}-{obj.pk}-{stamp}"'

    def _if_match_failed(self, request, obj) -> bool:
        wanted = request.headers.get("If-Match")
        if not wanted:
            return False
        # A gzipped response carries the tag as weak (W/"..."): the compression
        # made it so, not the object, whose version it still names exactly.
        tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
        return "*" not in tags and self.etag_for(obj) not in tags

    @staticmethod
    def _precondition_failed() -> Response:
        return Response(
            {
                "detail": _(
                    "The object changed since you read it (If-Match does not match). "
                    "Fetch it again, then retry."
                )
            },
            status=status.HTTP_412_PRECONDITION_FAILED,
        )

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        response = Response(self.get_serializer(obj).data)
        response["ETag"] = self.etag_for(obj)
        return response

    def update(self, request, *args, **kwargs):
        obj = self.get_object()
        if self._if_match_failed(request, obj):
            return self._precondition_failed()
        response = super().update(request, *args, **kwargs)
        if response.status_code == 200:
            obj.refresh_from_db()
            response["ETag"] = self.etag_for(obj)
        return response
