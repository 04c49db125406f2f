"""Optional read replicas: DATABASE_REPLICA_URLS sends reads to PostgreSQL
streaming replicas, writes to the primary.

Replication lags a little behind the primary, so once a request has written,
its later reads go to the primary too: a user who saves an update sees it.
"""

from __future__ import annotations

import contextvars
import random

from django.conf import settings

_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("pim_db_wrote", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        replicas = replica_aliases()
        if _wrote.get() or not replicas:
            return "default"
        return random.choice(replicas)

    def db_for_write(self, model, **hints) -> str:
        _wrote.set(True)
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


class PinToPrimaryAfterWriteMiddleware:
    """Start every request reading from the replicas again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _wrote.set(False)
        try:
            return self.get_response(request)
        finally:
            _wrote.reset(token)
