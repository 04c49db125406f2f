"""`/api/v1/deleted/?updated_after=`: what a partner system must remove from its
copy. The plans, working groups, challenges, action points and people deleted at
or after that moment (a plan's deletion lists its groups, challenges and action
points too), each as {"type", "id", "deleted"}, ordered by (deleted, type, id) and
paged by cursor like every list read with updated_after; a person merged into
another also carries "replaced_by". Only what the user could see is listed.

The rows come from actionplans.deletions; the cursor from pim_tracker.api.sync.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from actionplans import deletions
from pim_tracker.api.base import ThrottleFirstMixin
from pim_tracker.api.schema import ERRORS
from pim_tracker.api.sync import (
    CURSOR,
    UPDATED_AFTER,
    Position,
    SyncPagination,
    cursor_dumps,
    cursor_loads,
    parse_updated_after,
    refuse_list_order,
    settled_horizon,
)

# Its own salt: a cursor of another list is refused here, and this one there.
_SALT = "actionplans.api.deleted.cursor"


class DeletionSerializer(serializers.Serializer):
    # Its schema component is DeletionTypeEnum (SPECTACULAR_SETTINGS' ENUM_NAME_OVERRIDES).
    type = serializers.ChoiceField(choices=deletions.KINDS, help_text="What was deleted.")
    id = serializers.IntegerField(help_text="Its id, as the other endpoints gave it.")
    deleted = serializers.DateTimeField(help_text="When it was deleted.")
    replaced_by = serializers.IntegerField(
        required=False,
        help_text="A person merged into another: the id of the person kept (absent otherwise).",
    )

    def to_representation(self, instance: deletions.Deletion) -> dict:
        data = super().to_representation(instance)
        if instance.replaced_by is None:
            del data["replaced_by"]
        return data


class DeletionPageSerializer(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True, help_text="The next page (an opaque cursor in it), null at the end."
    )
    previous = serializers.URLField(allow_null=True, help_text="Always null: follow next.")
    results = DeletionSerializer(many=True)


PARAMETERS = [
    OpenApiParameter(
        UPDATED_AFTER,
        OpenApiTypes.DATETIME,
        OpenApiParameter.QUERY,
        required=True,
        description=(
            "Deletions at or after this moment (ISO 8601, e.g. 2026-11-27T08:00:00Z): the "
            "start of your last sync. Ordered by (deleted, type, id); follow `next` until it "
            "is null."
        ),
    ),
    OpenApiParameter(
        CURSOR,
        str,
        OpenApiParameter.QUERY,
        description="Opaque; taken from a `next` link of this list.",
    ),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": SyncPagination.max_limit},
        OpenApiParameter.QUERY,
        description=f"Page size (default {SyncPagination.default_limit}).",
    ),
]


class DeletedView(ThrottleFirstMixin, APIView):
    """The deletions a partner mirrors (signed in; read-only tokens read it too)."""

    @extend_schema(
        operation_id="deleted_list",
        parameters=PARAMETERS,
        responses={200: DeletionPageSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request):
        raw = request.query_params.get(UPDATED_AFTER)
        if raw is None:
            raise exceptions.ValidationError({UPDATED_AFTER: [_("This field is required.")]})
        since = parse_updated_after(raw)
        refuse_list_order(request)
        limit = SyncPagination().get_limit(request)
        cursor = request.query_params.get(CURSOR)
        after = None if cursor is None else cursor_loads(cursor, since, salt=_SALT)
        horizon = settled_horizon()
        rows = deletions.deleted_since(request.user, since=since, after=after, limit=limit + 1)
        settled = [row for row in rows if horizon is None or row.deleted < horizon]
        next_link = None
        # A deletion still being committed ends the walk before it (settled_horizon).
        rows = settled
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            position = Position(last.deleted, last.id, last.type)
            next_link = replace_query_param(
                request.build_absolute_uri(), CURSOR, cursor_dumps(since, position, salt=_SALT)
            )
        results = DeletionSerializer(rows, many=True).data
        return Response({"next": next_link, "previous": None, "results": results})
