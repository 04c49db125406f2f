"""Small helpers shared by the API tests."""

import datetime

from rest_framework.test import APIClient

from orgs.services import api_token_issue

BASE = "http://testserver/api/v1"
NOT_FOUND = {"detail": "Not found."}
NOT_ALLOWED = {"detail": "You do not have permission to perform this action."}
NO_CREDENTIALS = {"detail": "Authentication credentials were not provided."}
READ_ONLY = {"detail": "This token is read-only: it can read, not change."}
STRUCTURE_ONLY = {"detail": "Only the plan's coordinators can change its structure."}
STALE = {
    "detail": "The object changed since you read it (If-Match does not match). "
    "Fetch it again, then retry."
}
EXAMPLES = '2019-03-15, 15/03/2019, March 2019, Q1 2019, H1 2019, 2019, Q1-Q2 2019, or "ongoing"'


def ids(response) -> list[int]:
    """The ids of a paginated list response, in order (and the response must be a 200)."""
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def iso(moment: datetime.datetime) -> str:
    """A datetime as the API writes it (ISO 8601, UTC as "Z")."""
    return moment.isoformat().replace("+00:00", "Z")


def token_client(user, *, read_only: bool = False) -> APIClient:
    """A client that authenticates as a partner system does, with a freshly issued key."""
    _token, key = api_token_issue(user=user, name="tests", read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client
