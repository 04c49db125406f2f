"""The `q=` search of action points: one home for what it matches and how.

It looks in four places: the action point's description, its deadline as
written, its challenge's description and its focal points' names.

On PostgreSQL it is a full-text search (the `simple` configuration: words in
lower case, no stemming, no stop words, so it reads the same in every
language): each word of the search is the start of a word in the field, the
words in the order given (`data shar` finds "data-sharing tools", `consent`
finds "consents", `sent` does not find "consent"). Each place has a GIN index
of that expression (migration actionplans 0011), so even a word found in a
large share of the action points is found from the index rather than by
reading the table. On SQLite (the embedded default, for small deployments)
the same places are searched for the text anywhere in them, ignoring case
(`icontains`).
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.models import QuerySet

CONFIG = "simple"
# (app label, model, field, index name): the places searched, and their indexes.
PLACES = [
    ("actionplans", "ActionPoint", "description", "actionplans_ap_description_fts"),
    ("actionplans", "ActionPoint", "deadline", "actionplans_ap_deadline_fts"),
    ("actionplans", "Challenge", "description", "actionplans_challenge_desc_fts"),
    ("orgs", "Person", "name", "orgs_person_name_fts"),
]


def vector(field: str) -> SearchVector:
    """The text of a field as the search reads it: the expression the indexes hold."""
    return SearchVector(field, config=CONFIG)


def index(field: str, name: str) -> GinIndex:
    return GinIndex(vector(field), name=name)


def raw_words(value: str) -> str:
    """`value` as tsquery text: each word a prefix, the words in that order (`<->`).
    Every word is quoted, so that no character of the search is tsquery syntax;
    PostgreSQL's parser then splits a quoted word at punctuation as it splits the
    text ("data-sharing", "O'Brien")."""
    words = [word.replace("\\", "\\\\").replace("'", "''") for word in value.split()]
    return " <-> ".join(f"'{word}':*" for word in words)


def words_query(value: str) -> SearchQuery:
    return SearchQuery(raw_words(value), search_type="raw", config=CONFIG)


def matching(queryset: QuerySet, field: str, value: str) -> QuerySet:
    """The rows of `queryset` whose `field` holds the search `value`."""
    if connections[queryset.db].vendor == "postgresql":
        return queryset.alias(**{f"{field}_words": vector(field)}).filter(
            **{f"{field}_words": words_query(value)}
        )
    return queryset.filter(**{f"{field}__icontains": value})


def index_operations(places: list[tuple[str, str, str, str]]):
    """A migration's operation: the GIN index of each place (PLACES as the migration
    wrote them), on PostgreSQL only. On SQLite it does nothing."""
    from django.db import migrations

    def forwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for app_label, model, field, name in places:
            schema_editor.add_index(apps.get_model(app_label, model), index(field, name))

    def backwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for app_label, model, field, name in places:
            schema_editor.remove_index(apps.get_model(app_label, model), index(field, name))

    return migrations.RunPython(forwards, backwards)
