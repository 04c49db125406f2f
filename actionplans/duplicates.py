"""Likely duplicates among a set of people (the duplicates page: the people a
coordinator may edit): pairs that may be one person written twice.

- the same name by the matching rule (orgs.matching.match_key: case, spacing,
  accents and Arabic letter forms ignored): one grouped query on both databases;
- similar names: each key compared with the NEIGHBOURS keys that follow it in two
  orders, by key and by last word (never everyone against everyone); on
  PostgreSQL by trigram similarity (pg_trgm, installed by the search indexes'
  migrations) of at least TRIGRAM_THRESHOLD, in one query with window functions;
  on SQLite by difflib's ratio of at least RATIO_THRESHOLD, about as strict.

Pairs a merge would refuse (two different email addresses, two accounts: two
people) are left out. Only ids and keys are read here; the page loads the people
of the pairs it shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations

from django.db import connection
from django.db.models import Count, Func, Q, QuerySet, Value, Window
from django.db.models.functions import Coalesce, Lead, Reverse

from orgs.models import Person

TRIGRAM_THRESHOLD = 0.6
RATIO_THRESHOLD = 0.9
# How many following keys each key is compared with, in each of two orders (by key,
# and by last word): "sorted neighbourhood" record linkage, n x 2 x NEIGHBOURS
# comparisons instead of everyone against everyone. Typing variants sort next to
# each other ("karim nassar", "karim nasser"; "haddad leila", "haddad layla").
NEIGHBOURS = 3


@dataclass(frozen=True)
class Candidate:
    pk: int
    name: str
    match_key: str
    email: str
    user_id: int | None


@dataclass(frozen=True)
class Pair:
    """Two people who may be one; `first` sorts before `second` by name."""

    first: Candidate
    second: Candidate
    same_name: bool  # same key; otherwise similar

    @property
    def sort_key(self) -> tuple:
        return (
            not self.same_name,
            self.first.name.casefold(),
            self.second.name.casefold(),
            self.first.pk,
            self.second.pk,
        )


_FIELDS = ("pk", "name", "match_key", "email", "user_id")


def _mergeable(a: Candidate, b: Candidate) -> bool:
    """What person_merge would not refuse: two addresses or two accounts are two people."""
    if a.email and b.email and a.email.casefold() != b.email.casefold():
        return False
    return a.user_id is None or b.user_id is None


def _pair(a: Candidate, b: Candidate, *, same_name: bool) -> Pair:
    first, second = sorted((a, b), key=lambda c: (c.name.casefold(), c.pk))
    return Pair(first, second, same_name)


def same_name_pairs(people: QuerySet[Person]) -> list[Pair]:
    """Pairs with the same key (one query)."""
    shared = (
        people.exclude(match_key="")
        .order_by()
        .values("match_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("match_key")
    )
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for row in people.filter(match_key__in=shared).order_by("pk").values_list(*_FIELDS):
        groups[row[2]].append(Candidate(*row))
    return [
        _pair(a, b, same_name=True)
        for group in groups.values()
        for a, b in combinations(group, 2)
        if _mergeable(a, b)
    ]


def _last_word_first(key: str) -> tuple[str, str]:
    return (key.rsplit(" ", 1)[-1], key)


def _similar_on_postgresql(people: QuerySet[Person]) -> list[tuple[Candidate, Candidate]]:
    """One query: each person with the similarity of their key to the next
    NEIGHBOURS keys in each order (window functions), only people with a similar
    neighbour; then their neighbours' rows (a second query)."""
    # Imported here: these need psycopg2, which a SQLite installation may lack.
    from django.contrib.postgres.search import TrigramSimilarity

    last_word = Reverse(Func(Reverse("match_key"), Value(" "), Value(1), function="SPLIT_PART"))
    annotations = {}
    for name, order in (("k", ["match_key", "pk"]), ("w", [last_word, "match_key", "pk"])):
        for offset in range(1, NEIGHBOURS + 1):
            annotations[f"{name}{offset}"] = Window(Lead("pk", offset), order_by=order)
            annotations[f"{name}{offset}_similarity"] = Coalesce(
                TrigramSimilarity("match_key", Window(Lead("match_key", offset), order_by=order)),
                0.0,
            )
    neighbours = [name for name in annotations if "_" not in name]
    similar = Q()
    for name in neighbours:
        similar |= Q(**{f"{name}_similarity__gte": TRIGRAM_THRESHOLD})
    rows = (
        people.exclude(match_key="")
        .annotate(**annotations)
        .filter(similar)
        .order_by()
        .values_list(*_FIELDS, *neighbours, *(f"{n}_similarity" for n in neighbours))
    )
    pairs: list[tuple[int, int]] = []
    found: dict[int, Candidate] = {}
    for row in rows:
        found[row[0]] = Candidate(*row[:5])
        others = row[5 : 5 + len(neighbours)]
        scores = row[5 + len(neighbours) :]
        pairs += [
            (row[0], other)
            for other, score in zip(others, scores, strict=True)
            if score >= TRIGRAM_THRESHOLD
        ]
    missing = {other for _, other in pairs} - set(found)
    found |= {
        row[0]: Candidate(*row)
        for row in Person.objects.filter(pk__in=missing).values_list(*_FIELDS)
    }
    unique = {tuple(sorted(pair)) for pair in pairs}
    return [
        (found[a], found[b]) for a, b in sorted(unique) if found[a].match_key != found[b].match_key
    ]


def _similar_in_python(people: QuerySet[Person]) -> list[tuple[Candidate, Candidate]]:
    """The SQLite fallback: difflib's ratio of each key to the next NEIGHBOURS keys
    in each order."""
    candidates = [
        Candidate(*row) for row in people.exclude(match_key="").order_by("pk").values_list(*_FIELDS)
    ]
    seen: set[tuple[int, int]] = set()
    found = []
    for order in (lambda c: (c.match_key, c.pk), lambda c: (*_last_word_first(c.match_key), c.pk)):
        ranked = sorted(candidates, key=order)
        for index, a in enumerate(ranked):
            for b in ranked[index + 1 : index + 1 + NEIGHBOURS]:
                pair = (min(a.pk, b.pk), max(a.pk, b.pk))
                if a.match_key == b.match_key or pair in seen:
                    continue
                seen.add(pair)
                matcher = SequenceMatcher(None, a.match_key, b.match_key)
                if (
                    matcher.real_quick_ratio() >= RATIO_THRESHOLD
                    and matcher.quick_ratio() >= RATIO_THRESHOLD
                    and matcher.ratio() >= RATIO_THRESHOLD
                ):
                    found.append((a, b))
    return found


def similar_name_pairs(people: QuerySet[Person]) -> list[Pair]:
    """Pairs with similar but not equal keys."""
    if connection.vendor == "postgresql":
        found = _similar_on_postgresql(people)
    else:
        found = _similar_in_python(people)
    return [_pair(a, b, same_name=False) for a, b in found if _mergeable(a, b)]


def likely_duplicates(people: QuerySet[Person]) -> list[Pair]:
    """Same-name pairs, then similar-name pairs, each by name."""
    return sorted(
        same_name_pairs(people) + similar_name_pairs(people), key=lambda pair: pair.sort_key
    )
