"""The action points of the flat export, read with their focal points and what their
latest progress updates say (querysets.last_update_values): values by name, in
workshop order, in constant memory, with a fixed number of queries for each CHUNK
of action points (one query in all on PostgreSQL).

One function, points_with_focal_points(), reads them in one of two ways, chosen
by the database (the tests run on both):

- PostgreSQL: one query through a server-side cursor. The database packs each
  action point's focal points into one text (STRING_AGG, in the model's order)
  and joins it to the action point: there, reading the focal points by a query
  per chunk of action points makes a large export markedly slower.
- Other databases (SQLite): the action points in chunks of CHUNK, and each
  chunk's focal points by one query keyed by their ids.
"""

from __future__ import annotations

import itertools
from collections import namedtuple
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import (
    Aggregate,
    Count,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, NullIf

from actionplans.models import ActionPoint, FocalPoint, PimTag
from actionplans.querysets import WORKSHOP_ORDER, last_update_values

# Action points per chunk: memory stays constant whatever the export's size.
CHUNK = 2000

# The values of a flat row that are not the action point's own, under short names.
RELATED_VALUES = {
    "plan_title": F("challenge__working_group__plan__title"),
    "group_id": F("challenge__working_group_id"),
    "group_number": F("challenge__working_group__number"),
    "group_name": F("challenge__working_group__name"),
    "challenge_number": F("challenge__number"),
    "challenge_description": F("challenge__description"),
}
POINT_VALUES = (
    *("id", "challenge_id", "description", "deadline", "due_date", "status", "progress"),
    *("priority", "pim_process_step"),
)
# What the action point's latest progress updates say (querysets.last_update_values).
UPDATE_VALUES = ("latest_note", "latest_evidence_url", "last_update_at", "last_update_by")
# Its PIM categories and principles: their slugs (the two lists share none) in one
# text, separated by PIM_SEPARATOR, in no order (rows.pim_cells orders them).
PIM_SEPARATOR = ","


class _TagText(Aggregate):
    """Texts joined by a separator: GROUP_CONCAT (SQLite), STRING_AGG (PostgreSQL)."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def pim_values() -> dict[str, Subquery]:
    """`pim_tag_text`: the action point's PIM tags as one text, read with its row (a
    correlated subquery over the tags' (action_point, kind, slug) index): no query
    of its own, whatever the export's size."""
    tags = (
        PimTag.objects.filter(action_point=OuterRef("pk"))
        .order_by()
        .values("action_point")
        .annotate(text=_TagText("slug", Value(PIM_SEPARATOR)))
        .values("text")
    )
    return {"pim_tag_text": Subquery(tags, output_field=TextField())}


# A focal point as read: its person's name, role, note, and organization: the
# short name of the person's organization (Organization.short_name), or "".
FOCAL_VALUES = ("person__name", "role", "note", "organization")
ORGANIZATION = Coalesce(
    NullIf("person__organization__acronym", Value("")), "person__organization__name", Value("")
)

# An action point's values by name (POINT_VALUES, RELATED_VALUES), and the
# FOCAL_VALUES of each of its focal points, in order.
PointWithFocalPoints = tuple[Any, list[Sequence]]


def points_with_focal_points(points: QuerySet[ActionPoint]) -> Iterator[PointWithFocalPoints]:
    """Each action point in workshop order, with its focal points in the model's
    order (lead first). Run it in snapshot(): its queries must agree."""
    database = points.db
    if transaction.get_connection(database).vendor == "postgresql":
        return _packed(points, database)
    return _chunked(points, database)


@contextmanager
def snapshot(database: str) -> Iterator[None]:
    """One transaction for a whole export, so that its queries agree: on
    PostgreSQL, when it is the outermost, a read-only repeatable-read one."""
    connection = transaction.get_connection(database)
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=database, savepoint=False):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                # Every row will be read: plan the cursor for the whole result, not
                # the first 10 % that PostgreSQL assumes of a cursor.
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        yield


def _focal_points_of(point_ids: list[int], database: str) -> dict[int, list[tuple]]:
    """The focal points of these action points as FOCAL_VALUES, by action point
    id, in the model's order: one query."""
    focal_points: dict[int, list[tuple]] = {}
    rows = (
        FocalPoint.objects.using(database)
        .filter(action_point_id__in=point_ids)
        .annotate(organization=ORGANIZATION)
        .values_list("action_point_id", *FOCAL_VALUES)
    )
    for point_id, *values in rows:
        focal_points.setdefault(point_id, []).append(tuple(values))
    return focal_points


def _chunked(points: QuerySet[ActionPoint], database: str) -> Iterator[PointWithFocalPoints]:
    stream = (
        points.in_workshop_order()
        .annotate(**RELATED_VALUES, **last_update_values(), **pim_values())
        .values_list(*POINT_VALUES, *RELATED_VALUES, *UPDATE_VALUES, "pim_tag_text", named=True)
        .iterator(chunk_size=CHUNK)
    )
    try:
        while chunk := list(itertools.islice(stream, CHUNK)):
            focal_points = _focal_points_of([point.id for point in chunk], database)
            for point in chunk:
                yield point, focal_points.get(point.id, [])
    finally:
        # Close the cursor while the transaction that holds it is open: a client
        # that stops reading mid-file ends up here too.
        stream.close()


# The separators of the packed focal points: control characters that names lose
# (orgs.services.clean_name). A note or acronym holding one is noticed, and that
# action point's focal points are read on their own.
_ENTRY, _FIELD = "\x1e", "\x1f"
_FIELDS_AFTER_FIRST = len(FOCAL_VALUES) - 1


def _packed(points: QuerySet[ActionPoint], database: str) -> Iterator[PointWithFocalPoints]:
    try:
        sql, params = _packed_query(points, database)
    except EmptyResultSet:  # points.none(): nothing to read
        return
    cursor = transaction.get_connection(database).chunked_cursor()
    try:
        cursor.execute(sql, params)
        batch = cursor.fetchmany(CHUNK)  # a server-side cursor describes its rows once read
        row_class = namedtuple("Row", [column.name for column in cursor.description])
        new = tuple.__new__  # as Django's values_list(named=True) builds its rows
        while batch:
            for values in batch:
                point = new(row_class, values)
                focal_points = _unpacked(point.packed, point.entries) if point.packed else []
                if focal_points is None:
                    focal_points = _focal_points_of([point.id], database).get(point.id, [])
                yield point, focal_points
            batch = cursor.fetchmany(CHUNK)
    finally:
        cursor.close()  # as in _chunked


def _packed_query(points: QuerySet[ActionPoint], database: str) -> tuple[str, tuple]:
    """The action points' values, each joined to its focal points packed into one
    text (`packed`, with their number in `entries`), in workshop order."""
    # The workshop order, selected under names the outer query sorts by.
    keys = {f"order_{index}": F(key) for index, key in enumerate(WORKSHOP_ORDER)}
    point_sql, point_params = _sql(
        points.order_by()
        .annotate(**RELATED_VALUES, **last_update_values(), **pim_values(), **keys)
        .values(*POINT_VALUES, *RELATED_VALUES, *UPDATE_VALUES, "pim_tag_text", *keys),
        database,
    )
    focal_points = FocalPoint.objects.using(database).alias(organization=ORGANIZATION).order_by()
    if points.query.has_filters():  # else every focal point, without a subquery
        focal_points = focal_points.filter(action_point__in=points.order_by().values("id"))
    # name \x1f role \x1f note \x1f organization
    fields = [item for field in FOCAL_VALUES for item in (Value(_FIELD), F(field))][1:]
    packed = focal_points.values("action_point_id").annotate(
        entries=Count("id"),
        packed=StringAgg(
            Func(*fields, function="CONCAT", output_field=TextField()),
            delimiter=_ENTRY,
            order_by=FocalPoint._meta.ordering,
        ),
    )
    focal_sql, focal_params = _sql(packed, database)
    sql = (
        f"SELECT p.*, f.entries, f.packed FROM ({point_sql}) AS p "
        f"LEFT JOIN ({focal_sql}) AS f ON f.action_point_id = p.id "
        f"ORDER BY {', '.join(f'p.{key}' for key in keys)}"
    )
    return sql, (*point_params, *focal_params)


def _unpacked(packed: str, entries: int) -> list[list[str]] | None:
    """The focal points that _packed_query packed, FOCAL_VALUES each; None when a
    separator inside a text makes the packing ambiguous (the counts disagree)."""
    if packed.count(_ENTRY) != entries - 1 or packed.count(_FIELD) != entries * _FIELDS_AFTER_FIRST:
        return None
    return [entry.split(_FIELD) for entry in packed.split(_ENTRY)]


def _sql(queryset: QuerySet, database: str) -> tuple[str, tuple]:
    return queryset.query.get_compiler(using=database).as_sql()
