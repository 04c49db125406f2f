"""Text search: `q=` of action points is served by full-text GIN indexes on
PostgreSQL (actionplans.search, migration actionplans 0011), other `icontains`
searches (the admin's, plans') by trigram indexes (migrations actionplans 0003
and orgs 0003); on SQLite these migrations do nothing."""

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import RequestFactory

from actionplans.filtersets import ActionPointFilterSet
from actionplans.models import ActionPoint, Challenge
from actionplans.search import PLACES, matching
from orgs.models import Person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INDEXES = {
    "actionplans_ap_description_trgm": ("actionplans_actionpoint", "description"),
    "actionplans_ap_deadline_trgm": ("actionplans_actionpoint", "deadline"),
    "actionplans_challenge_description_trgm": ("actionplans_challenge", "description"),
    "orgs_person_name_trgm": ("orgs_person", "name"),
}


COLUMNS = {
    "actionplans_ap_description_trgm": lambda: ActionPoint.objects.filter(
        description__icontains="consent"
    ),
    "actionplans_ap_deadline_trgm": lambda: ActionPoint.objects.filter(deadline__icontains="q3"),
    "actionplans_challenge_description_trgm": lambda: Challenge.objects.filter(
        description__icontains="consent"
    ),
    "orgs_person_name_trgm": lambda: Person.objects.filter(name__icontains="fanette"),
}


def _trigram_indexes() -> dict[str, tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE indexname LIKE %s",
            ["%_trgm"],
        )
        return {name: (table, definition) for name, table, definition in cursor.fetchall()}


def test_trigram_indexes_exist_on_postgresql_only():
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE '%trgm%'")
            assert cursor.fetchall() == []
        return
    found = _trigram_indexes()
    assert set(found) == set(INDEXES)
    for name, (table, column) in INDEXES.items():
        found_table, definition = found[name]
        assert found_table == table
        assert "gin" in definition and "gin_trgm_ops" in definition
        assert f"upper(({column})::text)" in definition or f"upper({column})" in definition


def test_the_search_query_uses_the_full_text_indexes_on_postgresql():
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    filterset = ActionPointFilterSet(
        {"q": "consent"}, queryset=ActionPoint.objects.all(), request=request
    )
    assert filterset.is_valid()
    sql, params = filterset.qs.query.sql_with_params()
    if connection.vendor != "postgresql":
        # SQLite has no trigram index: the search reads the table (fine at its sizes).
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert "SCAN U0" in plan and "trgm" not in plan and "fts" not in plan, plan
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # The test tables are tiny: take scans of the whole table (or of the primary
        # key) off the menu, so that a usable index shows in the plan: the search's
        # part for each place (as the filter writes it, through search.matching)
        # meets its own index. (The whole union's join order is the planner's choice
        # on empty tables: a person can be reached from the focal points instead.)
        # Then each trigram-indexed column, as the ORM writes its `icontains`, must
        # meet its index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "actionplans_ap_description_fts" in plan, plan
        for app_label, model_name, field, name in PLACES:
            model = apps.get_model(app_label, model_name)
            place_sql, place_params = (
                matching(model.objects.order_by(), field, "consent").values("id").query
            ).sql_with_params()
            cursor.execute("EXPLAIN " + place_sql, place_params)
            place_plan = "\n".join(row[0] for row in cursor.fetchall())
            assert f"Bitmap Index Scan on {name}" in place_plan, place_plan
        for name, queryset in COLUMNS.items():
            column_sql, column_params = queryset().query.sql_with_params()
            cursor.execute("EXPLAIN " + column_sql, column_params)
            column_plan = "\n".join(row[0] for row in cursor.fetchall())
            assert f"Bitmap Index Scan on {name}" in column_plan, column_plan
