"""`manage.py db_worker`: django-tasks-db's job worker, made to outlive a busy or lost database.

The library's worker ends on any database error outside "database is locked" while claiming a job
(a lock met while saving a job's result, a restarted PostgreSQL), and nothing restarted it: reminders
silently stopped. This worker runs the library's own loop one batch at a time and, between batches,
records a heartbeat (read by /readyz and the metrics) and waits out database errors instead of dying.
`make serve` also restarts it if it ends anyway (haidang.operations.supervisor).
"""

import logging
import random
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand
from django_tasks_db.management.commands.db_worker import Worker

from haidang.operations.health import prune_heartbeats, record_heartbeat

logger = logging.getLogger("haidang.operations.worker")
# The library says these at the start and end of every batch; here a batch ends every few seconds.
_PER_BATCH = ("No more tasks to run", "Starting worker")
# The longest wait between two tries while the database is unavailable.
MAX_BACKOFF_SECONDS = 60.0


class _QuietEmptyBatches(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_PER_BATCH)


class HeartbeatWorker(Worker):
    """The library's worker, run as: heartbeat, run every ready job, sleep; database errors are waited out."""

    def __init__(self, **kwargs):
        self.keep_running = not kwargs["batch"]
        kwargs["batch"] = True  # The library loop returns when nothing is ready; this loop sleeps and goes on.
        super().__init__(**kwargs)
        self.started_at = timezone.now()
        self.failures = 0

    def run(self) -> None:
        logging.getLogger("django_tasks_db").addFilter(_QuietEmptyBatches())
        logger.info("job worker %s started", self.worker_id)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 (spreads workers started together)
        self.startup_delay = False
        turns = 0
        while self.running:
            if self._turn(turns):
                self.failures = 0
            else:
                self.failures += 1
            turns += 1
            if not self.keep_running or (self.max_tasks is not None and self._run_tasks >= self.max_tasks):
                return
            if self.running:
                time.sleep(self._pause())

    def _turn(self, turns: int) -> bool:
        """One heartbeat and one batch of ready jobs; False when the database was not usable."""
        try:
            record_heartbeat(worker_id=self.worker_id, started_at=self.started_at)
            if turns % 1000 == 0:
                prune_heartbeats()
            super().run()
        except (OperationalError, InterfaceError) as error:
            # "database is locked", a restarted server, a dropped connection: wait and try again.
            logger.warning(
                "job worker %s: database unavailable (%s); trying again in %.0f s",
                self.worker_id,
                type(error).__name__,
                self._pause(failing=True),
            )
            for connection in connections.all(initialized_only=True):
                connection.close_if_unusable_or_obsolete()
                if connection.in_atomic_block:
                    continue
                connection.close()
            return False
        finally:
            close_old_connections()
        return True

    def _pause(self, *, failing: bool = False) -> float:
        failures = self.failures + (1 if failing else 0)
        if not failures:
            return self.interval
        return min(MAX_BACKOFF_SECONDS, max(self.interval, 1.0) * 2 ** min(failures - 1, 6))


class Command(LibraryCommand):
    help = "Run the job worker (report reminders): heartbeat for /readyz, database errors waited out."

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id, exclude_queues, **options):  # fmt: skip
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        worker = HeartbeatWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        # No autoreload here: a reloaded worker may stop a job half-way (use --no-reload in production anyway).
        worker.configure_signals()
        worker.run()
