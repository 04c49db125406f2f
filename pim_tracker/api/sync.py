"""Incremental reads for partner systems: `?updated_after=` on every list, paged
by an opaque cursor over (updated, id).

A list request without `updated_after` pages by limit/offset, as it always has.
With it, the list holds only rows changed at or after that moment, in the order
of their changes, and its pages follow a keyset: the cursor names the last
(updated, id) a page returned and the next page starts after it. A row written
while a client walks the pages gets a later `updated`, so it comes again further
on; no row is skipped and a page deep into the list costs what the first does.
The cursor is signed with the site's key: one that was altered is a 400.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.core import signing
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from pim_tracker.api.base import StrictLimitOffsetPagination
from pim_tracker.routers import read_from_primary

UPDATED_AFTER = "updated_after"
CURSOR = "cursor"
_SALT = "pim_tracker.api.sync.cursor"


def parse_updated_after(raw: str) -> datetime.datetime:
    """An ISO 8601 date and time; without an offset it is read in the site's time
    zone. Anything else is a 400 on the parameter."""
    try:
        value = parse_datetime(raw.strip())
    except ValueError:  # a well-formed date that does not exist (February 30th)
        value = None
    if value is not None:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # In UTC: PostgreSQL refuses offsets past ±15:59 ("+22:24" is valid ISO 8601).
        try:
            value = value.astimezone(datetime.UTC)
        except OverflowError:  # before year 1 or after 9999 in UTC: the calendar's edge
            edge = datetime.datetime.min if value.year == 1 else datetime.datetime.max
            value = edge.replace(tzinfo=datetime.UTC)
    if value is None:
        raise exceptions.ValidationError(
            {
                UPDATED_AFTER: [
                    _(
                        'Enter an ISO 8601 date and time, such as "2026-11-27T08:00:00Z", '
                        'not "%(value)s".'
                    )
                    % {"value": raw[:100]}
                ]
            }
        )
    return value


class Position(NamedTuple):
    """Where a page of a sync ended: the moment and id of its last row, and, in a
    list of several kinds of rows (the deletions), that row's kind."""

    stamp: datetime.datetime
    id: int
    kind: str = ""


def cursor_dumps(since: datetime.datetime, position: Position, *, salt: str = _SALT) -> str:
    """The opaque cursor of the next page: the position, signed with the site's key
    together with the updated_after it belongs to. Each list family has its salt,
    so that one's cursor is refused by another."""
    data = {"u": position.stamp.isoformat(), "i": position.id, "a": since.isoformat()}
    if position.kind:
        data["t"] = position.kind
    return signing.dumps(data, salt=salt)


def cursor_loads(raw: str, since: datetime.datetime, *, salt: str = _SALT) -> Position:
    """The position a cursor names; a 400 on `cursor` for one that was altered, or
    that belongs to another updated_after."""
    try:
        data = signing.loads(raw, salt=salt)
        position = Position(
            datetime.datetime.fromisoformat(data["u"]), int(data["i"]), str(data.get("t", ""))
        )
        given = datetime.datetime.fromisoformat(data["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        raise exceptions.ValidationError(
            {CURSOR: [_("This cursor is not one the API gave: follow the next link as is.")]}
        ) from None
    if given != since:
        raise exceptions.ValidationError(
            {CURSOR: [_("This cursor belongs to another updated_after: keep the one you began.")]}
        )
    return position


def refuse_list_order(request) -> None:
    """A sync reads rows in its own order and pages by cursor: `ordering` and
    `offset` beside updated_after are 400s rather than silently ignored."""
    if "ordering" in request.query_params:
        raise exceptions.ValidationError(
            {
                "ordering": [
                    _(
                        "Not with updated_after: a sync reads rows in the order they "
                        "changed (updated, then id)."
                    )
                ]
            }
        )
    if "offset" in request.query_params:
        raise exceptions.ValidationError(
            {"offset": [_("Not with updated_after: follow the next link (its cursor).")]}
        )


def sync_field(view) -> str:
    """The field a view's list is synced on: `updated`, unless the view names
    another for the action (e.g. `created` for records that never change)."""
    fields = getattr(view, "sync_fields", {})
    return fields.get(getattr(view, "action", None), getattr(view, "sync_field", "updated"))


def sync_order(queryset, field: str = "updated"):
    """The one order of a sync: by the moment of the change, then by id."""
    return queryset.order_by(field, "id")


# App servers stamp `updated` with their own clock; the horizon below is read from
# the database's. This much disagreement between the two is tolerated.
CLOCK_MARGIN = datetime.timedelta(seconds=1)


def settled_horizon() -> datetime.datetime | None:
    """The moment before which every change is committed, or None when nothing is
    being written.

    `updated` is stamped when a row is saved, not when its transaction commits: a
    long write (an import, a bulk edit) may commit rows stamped before rows a sync
    has already passed. A sync therefore stops short of the start of the oldest
    transaction still writing (on PostgreSQL, from pg_stat_activity on the
    primary, where the sync also reads); the rows beyond come in the next sync,
    which starts from the last `updated` read. SQLite has one writer at a time
    and no such view: nothing is held back there.
    """
    # The sync reads where the horizon is taken: a replica replays commits in
    # their order, which is not the order of the stamps.
    read_from_primary()
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity "
            "WHERE datname = current_database() AND backend_xid IS NOT NULL "
            "AND pid <> pg_backend_pid()"
        )
        (start,) = cursor.fetchone()
    return None if start is None else start - CLOCK_MARGIN


class SyncPagination(StrictLimitOffsetPagination):
    """limit/offset pages, or (with ?updated_after=) cursor pages over (updated, id)."""

    cursor_query_param = CURSOR

    def paginate_queryset(self, queryset, request, view=None):
        self.syncing = UPDATED_AFTER in request.query_params
        if not self.syncing:
            if CURSOR in request.query_params:
                raise exceptions.ValidationError(
                    {CURSOR: [_("A cursor pages a list read with updated_after; add it.")]}
                )
            return super().paginate_queryset(queryset, request, view)
        refuse_list_order(request)
        self.request = request
        self.limit = self.get_limit(request)
        field = sync_field(view)
        since = parse_updated_after(request.query_params[UPDATED_AFTER])
        queryset = sync_order(queryset.filter(**{f"{field}__gte": since}), field)
        horizon = settled_horizon()
        if horizon is not None:
            queryset = queryset.filter(**{f"{field}__lt": horizon})
        position = self._position(request, since)
        if position is not None:
            stamp, last_id = position.stamp, position.id
            # The first condition uses the (updated, id) index; the second drops the
            # rows of the same instant already returned.
            queryset = queryset.filter(**{f"{field}__gte": stamp}).filter(
                Q(**{f"{field}__gt": stamp}) | Q(id__gt=last_id)
            )
        rows = list(queryset[: self.limit + 1])
        self.has_more = len(rows) > self.limit
        rows = rows[: self.limit]
        self.last = Position(getattr(rows[-1], field), rows[-1].pk) if rows else position
        self.since = since
        return rows

    def _position(self, request, since: datetime.datetime) -> Position | None:
        raw = request.query_params.get(CURSOR)
        return None if raw is None else cursor_loads(raw, since)

    def _cursor(self) -> str:
        return cursor_dumps(self.since, self.last)

    def get_next_link(self):
        if not self.syncing:
            return super().get_next_link()
        if not self.has_more:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "offset")
        return replace_query_param(url, self.cursor_query_param, self._cursor())

    def get_paginated_response(self, data):
        if not self.syncing:
            return super().get_paginated_response(data)
        # No count: counting the rest of a large list would cost each page what the
        # whole walk saves.
        return Response({"next": self.get_next_link(), "previous": None, "results": data})

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["required"] = ["results"]
        described["properties"]["count"]["description"] = (
            "How many rows match (absent from the pages of a read with updated_after)."
        )
        described["properties"]["next"]["description"] = (
            "The next page; with updated_after, a link carrying an opaque cursor, null at the end."
        )
        return described

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": UPDATED_AFTER,
                "required": False,
                "in": "query",
                "description": (
                    "Only rows changed at or after this moment (ISO 8601, e.g. "
                    "2026-11-27T08:00:00Z), ordered by (updated, id) and paged by cursor: "
                    "follow `next` until it is null."
                ),
                "schema": {"type": "string", "format": "date-time"},
            },
            {
                "name": CURSOR,
                "required": False,
                "in": "query",
                "description": "Opaque; taken from a `next` link of a read with updated_after.",
                "schema": {"type": "string"},
            },
        ]
