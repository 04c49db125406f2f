"""Fixtures of the API tests: the standard world and one token client per role.

Every client authenticates the way a partner system does, with a real key
issued by orgs.services.api_token_issue in an `Authorization: Token` header.
"""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.api.helpers import token_client
from tests.users import build_world

ROLES = ["admin", "coordinator", "member", "viewer", "outsider"]


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    # Throttling counts requests in the cache: every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def clients(world) -> dict[str, APIClient]:
    """One token client per role, plus read-only tokens and no credentials at all."""
    result = {role: token_client(getattr(world, role)) for role in ROLES}
    result["member_ro"] = token_client(world.member, read_only=True)
    result["coordinator_ro"] = token_client(world.coordinator, read_only=True)
    result["anonymous"] = APIClient()
    return result


@pytest.fixture
def admin_client(clients):
    return clients["admin"]


@pytest.fixture
def coordinator_client(clients):
    return clients["coordinator"]


@pytest.fixture
def member_client(clients):
    return clients["member"]


@pytest.fixture
def viewer_client(clients):
    return clients["viewer"]


@pytest.fixture
def outsider_client(clients):
    return clients["outsider"]


@pytest.fixture
def member_ro_client(clients):
    return clients["member_ro"]


@pytest.fixture
def coordinator_ro_client(clients):
    return clients["coordinator_ro"]


@pytest.fixture
def anonymous_client(clients):
    return clients["anonymous"]
