"""Read replicas: which database a request reads from (ADR 0028).

With a replica configured (``DATABASE_REPLICA_URL``, settings alias ``replica``), the safe
(GET, HEAD) requests of the paths in ``DATABASE_REPLICA_PATHS`` (the public portal, public
verification and the register, the public credit record, statistics) read from the replica.
Everything else reads from the primary, and every write goes to the primary.

A browser reads its own writes: a response to a request that wrote carries the primary's WAL
position after it (a signed cookie); while the replica has not replayed that position, that
browser's reads go to the primary. The comparison is exact, so a replica that lags by minutes
serves the public and never shows a browser a page older than its own last change.

A replica that does not answer is left alone for ``DATABASE_REPLICA_RETRY_SECONDS`` and its
reads go to the primary meanwhile: the page is served, a warning is logged.

Without a replica (the embedded SQLite default, tests) the middleware removes itself and the
router answers ``None`` (the primary) at no cost.
"""

from __future__ import annotations

import logging
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
COOKIE = "chengnuo_wal"
_COOKIE_SALT = "config.replicas.wal"
_SAFE = frozenset({"GET", "HEAD"})


@dataclass
class _Route:
    """Where the current request reads, and whether it wrote."""

    read: str | None = None
    wrote: bool = False


_route: ContextVar[_Route | None] = ContextVar("chengnuo_database_route", default=None)


class ReplicaRouter:
    """Reads of a replica-eligible request go to the replica; everything else to the primary.

    A request that writes (through the ORM) reads from the primary from then on, so it sees
    what it has just written."""

    def db_for_read(self, model, **hints):
        route = _route.get()
        return route.read if route is not None else None

    def db_for_write(self, model, **hints):
        route = _route.get()
        if route is not None:
            route.wrote = True
            route.read = None
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica follows the primary's WAL


class _ReplicaHealth:
    """A replica that failed to answer is not asked again until ``retry_at`` (per process)."""

    retry_at = 0.0

    @classmethod
    def usable(cls) -> bool:
        return time.monotonic() >= cls.retry_at

    @classmethod
    def failed(cls, error: Exception) -> None:
        seconds = settings.DATABASE_REPLICA_RETRY_SECONDS
        cls.retry_at = time.monotonic() + seconds
        logger.warning("replica unavailable, reading from the primary for %s s: %s", seconds, error)


def replica_has(position: str | None) -> bool:
    """Whether the replica answers and has replayed the primary's WAL up to ``position``
    (``None``: no position to wait for). Any failure counts as no."""
    if not _ReplicaHealth.usable():
        return False
    replica = connections[REPLICA]
    try:
        # A kept connection is checked first (CONN_HEALTH_CHECKS, once per request): one the
        # replica's restart or crash has killed is replaced, or found unreplaceable, here.
        replica.close_if_health_check_failed()
        replica.ensure_connection()
        if position is None:
            return True
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            return bool(cursor.fetchone()[0])
    except (DatabaseError, ValueError) as error:
        _ReplicaHealth.failed(error)
        replica.close()
        return False


def primary_position() -> str:
    """The primary's WAL position now: every transaction committed so far is before it."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


class ReplicaMiddleware:
    """Decides each request's read database (see the module's docstring)."""

    def __init__(self, get_response):
        if REPLICA not in settings.DATABASES:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.paths = re.compile("|".join(f"(?:{p})" for p in settings.DATABASE_REPLICA_PATHS))

    def __call__(self, request):
        route = _Route(read=self._read_database(request))
        token = _route.set(route)
        try:
            response = self.get_response(request)
            if route.wrote or request.method not in _SAFE:
                try:
                    position = primary_position()
                except DatabaseError as error:  # the primary failed the request's writes too
                    logger.warning("no WAL position for the read-your-writes cookie: %s", error)
                    return response
                response.set_signed_cookie(
                    COOKIE,
                    position,
                    salt=_COOKIE_SALT,
                    max_age=settings.DATABASE_REPLICA_COOKIE_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            return response
        finally:
            _route.reset(token)

    def _read_database(self, request) -> str | None:
        if request.method not in _SAFE or not self.paths.match(request.path_info):
            return None
        position = request.get_signed_cookie(COOKIE, default=None, salt=_COOKIE_SALT)
        return REPLICA if replica_has(position) else None
