"""`q=` of action points (actionplans.search): the places it reads, and how words
match on PostgreSQL (full-text, each word a prefix) and on SQLite (the text anywhere)."""

import pytest
from django.db import connection

from tests.api.helpers import ids
from tests.factories import ActionPointFactory, ChallengeFactory, FocalPointFactory, PersonFactory

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def found(world, admin_client):
    """The ids `q` finds among a few action points of a challenge of their own."""
    challenge = ChallengeFactory(
        working_group=world.challenge.working_group, number=90, description="Informed consent"
    )
    other = ChallengeFactory(
        working_group=world.challenge.working_group, number=91, description="Duplicate surveys"
    )
    points = {
        "protocol": ActionPointFactory(
            challenge=other, position=1, description="Agree on a data-sharing protocol"
        ),
        "forms": ActionPointFactory(
            challenge=other, position=2, description="Build CONSENTS forms", deadline="Q3 2031"
        ),
        "consent": ActionPointFactory(challenge=challenge, position=1, description="Map systems"),
        "named": ActionPointFactory(challenge=other, position=3, description="Publish registry"),
    }
    FocalPointFactory(action_point=points["named"], person=PersonFactory(name="Zeina O'Hara"))
    names = {point.pk: name for name, point in points.items()}

    def find(q: str) -> list[str]:
        response = admin_client.get("/api/v1/action-points/", {"q": q, "plan": world.plan.pk})
        assert response.status_code == 200, response.content
        return sorted(names[pk] for pk in ids(response) if pk in names)

    return find


def test_q_reads_the_description_deadline_challenge_and_names(found):
    assert found("consent") == ["consent", "forms"]  # the challenge's, a word's start, any case
    assert found("q3 2031") == ["forms"]
    assert found("zeina") == ["named"]
    assert found("protocol") == ["protocol"]
    assert found("nothing like this") == []


def test_q_takes_any_characters(found):
    for q in ["a'b", "\\", "x:*", "!(a|b)&c", "<->", "%", "_"]:
        assert found(q) == [], q


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL's full-text search")
def test_q_matches_words_from_their_start_on_postgresql(found):
    assert found("sent") == []  # inside a word: not found
    assert found("cons") == ["consent", "forms"]
    assert found("data shar") == ["protocol"]  # the words in that order, punctuation between
    assert found("shar data") == []
    assert found("o'hara") == ["named"]
    assert found(":-)") == []  # no word at all


@pytest.mark.skipif(POSTGRESQL, reason="SQLite's search for the text anywhere")
def test_q_matches_the_text_anywhere_on_sqlite(found):
    assert found("sent") == ["consent", "forms"]
    assert found("data-shar") == ["protocol"]
    assert found("o'hara") == ["named"]
