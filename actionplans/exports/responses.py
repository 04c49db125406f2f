"""Exports as HTTP answers, for the pages and the API alike: CSV and HXL streamed
(a block of rows at a time), XLSX built whole, calendars as text/calendar."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from actionplans.exports.csv import csv_blocks
from actionplans.exports.hxl import hxl_rows
from actionplans.exports.rows import SHARED_CELLS, flat_rows_of
from actionplans.exports.xlsx import plan_workbook
from actionplans.models import ActionPlan, ActionPoint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filename(plan: ActionPlan, suffix: str) -> str:
    return f"{slugify(plan.title) or 'plan'}-{timezone.localdate():%Y-%m-%d}{suffix}"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def points_csv_response(points: QuerySet[ActionPoint], filename: str) -> StreamingHttpResponse:
    """These action points as the flat CSV, streamed a block of rows at a time."""
    blocks = csv_blocks(flat_rows_of(points), repeated=SHARED_CELLS)
    response = StreamingHttpResponse(blocks, content_type="text/csv")
    return _attachment(response, filename)


def all_points_filename() -> str:
    return f"action-points-{timezone.localdate():%Y-%m-%d}.csv"


def export_response(plan: ActionPlan, kind: str, base_url: str) -> HttpResponse:
    """The plan as CSV, HXL or XLSX; CSV and HXL are streamed."""
    if kind == "csv":
        return points_csv_response(ActionPoint.objects.of_plan(plan), _filename(plan, ".csv"))
    if kind == "hxl":
        rows = hxl_rows(plan, base_url)
        response = StreamingHttpResponse(csv_blocks(rows), content_type="text/csv")
        return _attachment(response, _filename(plan, "-hxl.csv"))
    response = HttpResponse(plan_workbook(plan), content_type=XLSX)
    return _attachment(response, _filename(plan, ".xlsx"))


def calendar_response(body: bytes, name: str, fallback: str) -> HttpResponse:
    """An iCalendar file named after `name` (or `fallback` when it has no letters)."""
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{slugify(name) or fallback}.ics"'
    return response
