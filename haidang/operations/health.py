"""Is this server ready to serve? Database reachable, migrations applied, a job worker alive.

Each check answers "ok" or a short, fixed word for what is wrong: the readiness page names the
failing part and never shows an error message (which might quote data).
"""

import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from haidang.operations.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

OK = "ok"


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]

    @property
    def ready(self) -> bool:
        return all(value in (OK, "not_used") for value in self.checks.values())

    @property
    def failing(self) -> list[str]:
        """The parts found wrong ("unknown" is what could not be checked because of them)."""
        return [name for name, value in self.checks.items() if value not in (OK, "not_used", "unknown")]


_migrations_applied = False


def check_database(alias: str = DEFAULT_DB_ALIAS) -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # Whatever the driver raises, the answer is the same: not reachable.
        logger.warning("readiness: database %s is not reachable", alias)
        return "unreachable"
    return OK


def check_migrations(alias: str = DEFAULT_DB_ALIAS) -> str:
    """ "ok" once every migration this code knows is applied (remembered: they are not undone at run time)."""
    global _migrations_applied
    if _migrations_applied:
        return OK
    connection = connections[alias]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return "unreachable"
    if plan:
        return "pending"
    _migrations_applied = True
    return OK


def uses_database_worker() -> bool:
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return backend.endswith("DatabaseBackend")


def freshest_heartbeat_age() -> float | None:
    """Seconds since any job worker last went round its loop, or None if none ever did."""
    seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if seen is None:
        return None
    return max(0.0, (timezone.now() - seen).total_seconds())


def check_worker() -> str:
    if not uses_database_worker():
        return "not_used"
    try:
        age = freshest_heartbeat_age()
    except DatabaseError:
        return "unknown"
    if age is None:
        return "never_seen"
    if age > settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS:
        return "stale"
    return OK


def readiness() -> Readiness:
    database = check_database()
    if database != OK:
        # Nothing else can be known without the database.
        return Readiness({"database": database, "migrations": "unknown", "worker": "unknown"})
    return Readiness({"database": database, "migrations": check_migrations(), "worker": check_worker()})


def record_heartbeat(*, worker_id: str, started_at) -> None:
    """The worker's "still here" (one small write per turn of its loop)."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "started_at": started_at, "seen_at": now},
    )


def prune_heartbeats() -> int:
    """Forget workers not seen for a day (their processes ended)."""
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
    return deleted
