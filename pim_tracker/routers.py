"""Optional read replicas: DATABASE_REPLICA_URLS sends reads to PostgreSQL
streaming replicas, writes to the primary.

Replication lags a little behind the primary; a user who saves an update must see
it. Once a request has written, its later reads go to the primary. Its client's
next requests, which the load balancer may send to another app server, read from a
replica only once that replica has replayed the write:

- a request that wrote records the primary's WAL position (`pg_current_wal_lsn()`)
  in Django's cache, shared by the app servers (REDIS_URL), under a hash of the
  client's credential: its Authorization header, else its session key (never the
  credential itself), for REPLICA_READ_YOUR_WRITES_SECONDS;
- each request reads from one replica, drawn when it starts. At its first read, if
  its client has a position recorded, the replica is asked whether it has replayed
  it (`pg_last_wal_replay_lsn()`); if not, the request reads from the primary.

Costs: a request that reads, one cache read; with a position recorded, one query
on the replica; a request that wrote, one query on the primary and one cache write.
Without replicas nothing: the router and the middleware are not installed.

Limits: a client with neither header nor session (anonymous, no cookie) is not
followed across requests; after REPLICA_READ_YOUR_WRITES_SECONDS a replica still
behind serves it older rows. Without REDIS_URL the cache is each process's own:
the position holds only for requests served by the same process (one worker). Only
PostgreSQL is followed across requests (the tests' SQLite replicas are not).
"""

from __future__ import annotations

import contextvars
import hashlib
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connections

# This request reads from the primary: it wrote, or its client's write is not on its replica yet.
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("pim_db_wrote", default=False)


@dataclass
class _Request:
    replica: str
    # Where the client's last write position is kept; None: the client is not followed.
    mark: str | None
    written: bool = False
    checked: bool = False


_request: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "pim_db_request", default=None
)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        replicas = replica_aliases()
        if _wrote.get() or not replicas:
            return "default"
        request = _request.get()
        if request is None:  # outside a request (a command): any replica
            return random.choice(replicas)
        if not request.checked:
            request.checked = True
            if request.mark is not None and not _has_replayed(request.replica, request.mark):
                _wrote.set(True)
                return "default"
        return request.replica

    def db_for_write(self, model, **hints) -> str:
        _wrote.set(True)
        request = _request.get()
        if request is not None:
            request.written = True
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Replicas hold the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == "default"


def read_from_primary() -> None:
    """The rest of this request reads from the primary (a partner's sync: see
    pim_tracker.api.sync.settled_horizon)."""
    _wrote.set(True)


def _followed() -> bool:
    return (
        settings.REPLICA_READ_YOUR_WRITES_SECONDS > 0
        and connections["default"].vendor == "postgresql"
    )


def _mark_key(request) -> str | None:
    """The cache key of the client's last write position, from a hash of its credential."""
    credential = request.headers.get("Authorization")
    if not credential:
        session = getattr(request, "session", None)  # set once SessionMiddleware has run
        if session is not None:
            credential = session.session_key
        else:
            credential = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not credential:
        return None
    return "read-your-writes:" + hashlib.sha256(credential.encode()).hexdigest()


def _primary_position() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def _replica_has_replayed(alias: str, position: str) -> bool:
    # NULL (the server is not replaying: not a replica) counts as behind.
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
        return bool(cursor.fetchone()[0])


def _has_replayed(alias: str, mark: str) -> bool:
    position = cache.get(mark)
    return position is None or _replica_has_replayed(alias, position)


class PinToPrimaryAfterWriteMiddleware:
    """Each request reads from one replica, or from the primary after its own write
    or its client's write that the replica has not replayed; a request that wrote
    records the primary's position for its client's next requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        replicas = replica_aliases()
        if not replicas:
            return self.get_response(request)
        followed = _followed()
        state = _Request(
            replica=random.choice(replicas), mark=_mark_key(request) if followed else None
        )
        wrote_token = _wrote.set(False)
        request_token = _request.set(state)
        try:
            response = self.get_response(request)
            # The key again: signing in gives the session a new one.
            mark = _mark_key(request) if followed and state.written else None
            if mark is not None:
                cache.set(mark, _primary_position(), settings.REPLICA_READ_YOUR_WRITES_SECONDS)
            return response
        finally:
            _request.reset(request_token)
            _wrote.reset(wrote_token)
