"""Reads for statistics and dashboards from a PostgreSQL streaming replica, when one is configured and fresh.

`DATABASE_REPLICA_URL` names the replica (alias "replica"). Only code that asks for it reads there, by
running inside `replica_reads()` (the dashboards and the statistics query do, through `read_on_replica`);
everything else, and every write, goes to the primary. The replica is used only while it is reachable,
still a standby, and no more than REPLICA_MAX_LAG_SECONDS behind; that is measured at most every
REPLICA_CHECK_SECONDS per process. Otherwise, and if it fails half-way, the reads go to the primary.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

REPLICA = "replica"
logger = logging.getLogger(__name__)
T = TypeVar("T")

_replica_reads: ContextVar[bool] = ContextVar("haidang_replica_reads", default=False)
_state_lock = threading.Lock()
_state = {"checked_at": float("-inf"), "usable": False}

# Seconds the replica is behind the primary: 0 when it has replayed all it received, else the age of
# the last transaction it replayed (an over-estimate while the primary was idle, never an under-estimate).
LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _measure() -> bool:
    connection = connections[REPLICA]
    try:
        connection.ensure_connection()
        # The driver's own cursor: a health probe, not one of the request's statements (nothing counts it).
        with connection.connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, lag = cursor.fetchone()
    except (DatabaseError, connection.Database.Error):  # Django's errors, or the driver's own from its cursor.
        logger.warning("replica: not reachable; reading from the primary")
        connections[REPLICA].close()
        return False
    if not in_recovery:
        logger.warning("replica: not a standby any more; reading from the primary")
        return False
    if float(lag) > settings.REPLICA_MAX_LAG_SECONDS:
        logger.info(
            "replica: %.1f s behind (more than %s); reading from the primary", lag, settings.REPLICA_MAX_LAG_SECONDS
        )
        return False
    return True


def replica_usable() -> bool:
    """Reachable, a standby, and fresh enough (remembered for REPLICA_CHECK_SECONDS)."""
    if not replica_configured():
        return False
    now = time.monotonic()
    with _state_lock:
        if now - _state["checked_at"] < settings.REPLICA_CHECK_SECONDS:
            return _state["usable"]
        _state["checked_at"] = now  # Other threads keep the last answer while this one measures.
    usable = _measure()
    with _state_lock:
        _state["usable"] = usable
    return usable


def forget_replica_state() -> None:
    with _state_lock:
        _state.update(checked_at=float("-inf"), usable=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def read_on_replica(function: Callable[..., T], *args, **kwargs) -> T:
    """`function(*args, **kwargs)` with its reads on the replica when usable; run again on the primary if
    the replica fails during it. Only for work that reads (an audit entry it writes goes to the primary)."""
    if not replica_configured():
        return function(*args, **kwargs)
    try:
        with replica_reads():
            return function(*args, **kwargs)
    except (OperationalError, InterfaceError):
        logger.warning("replica: failed during a read; reading from the primary")
        connections[REPLICA].close()
        with _state_lock:
            _state.update(checked_at=time.monotonic(), usable=False)
        return function(*args, **kwargs)


class ReplicaRouter:
    """Reads inside `replica_reads()` go to the replica while it is usable; everything else to the primary."""

    def db_for_read(self, model, **hints):
        if _replica_reads.get() and replica_usable():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # The replica holds the same rows as the primary.

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
