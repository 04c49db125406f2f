"""Trigram indexes for `icontains` searches, on PostgreSQL only.

Django writes `name__icontains="x"` as `UPPER("name"::text) LIKE UPPER('%x%')`
on PostgreSQL. A B-tree index cannot serve a pattern with a leading `%`, so
such a search reads the whole table; a GIN index of trigrams on the same
`UPPER(...)` expression serves it (pg_trgm, a trusted extension: the owner of
the database may create it). On SQLite the migration does nothing: there the
search reads the table, which is fine at the sizes SQLite is meant for.
"""

from __future__ import annotations

from django.db import migrations


def trigram_indexes(*indexes: tuple[str, str, str]) -> migrations.RunPython:
    """A migration operation creating (index name, table, column) trigram indexes."""

    def forwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in indexes:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def backwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _table, _column in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards)
