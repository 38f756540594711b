"""Metrics in Prometheus' text format, at /metrics for a scraper holding METRICS_TOKEN.

- `haidang_http_request_duration_seconds{method,route,status}`: a histogram per URL pattern (the
  pattern, never the path: no ids, no query strings).
- `haidang_job_queue_depth{state}`: jobs waiting in the database queue, `due` (should be running now)
  and `scheduled` (reminders for later days); `haidang_job_oldest_due_seconds`: how long the oldest
  due job has waited; `haidang_worker_heartbeat_age_seconds`: since a job worker last went round.
- `haidang_ready{check}`: 1 when that readiness check passes.
- `haidang_audit_lag_seconds`: since the oldest audit entry not yet sealed into a signed checkpoint
  was written (`audit.sealing.seal_lag_seconds`, connected in `OperationsConfig.ready`).

Under gunicorn with several worker processes, set PROMETHEUS_MULTIPROC_DIR (`make serve` does, see
config/gunicorn.py): each process writes its histogram to a file there and a scrape adds them up.
"""

import contextlib
import os
from collections.abc import Callable

from django.db import DatabaseError
from django.db.models import Case, F, Min, When
from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from haidang.operations import health

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LOCAL = CollectorRegistry(auto_describe=True)
REQUEST_SECONDS = Histogram(
    "haidang_http_request_duration_seconds",
    "Time to answer a request, by method, URL pattern and status.",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=_LOCAL,
)

_audit_lag_source: Callable[[], float | None] | None = None


def set_audit_lag_source(source: Callable[[], float | None] | None) -> None:
    """Connect the audit lag measure: a callable giving the seconds the audit log is behind (None: unknown)."""
    global _audit_lag_source
    _audit_lag_source = source


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(method=method, route=route, status=str(status)).observe(seconds)


class DatabaseCollector:
    """Gauges read from the database at each scrape (the same answer whichever process is asked)."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        readiness = health.readiness()
        ready = GaugeMetricFamily("haidang_ready", "1 when the readiness check passes.", labels=["check"])
        for name, value in readiness.checks.items():
            ready.add_metric([name], 1.0 if value in (health.OK, "not_used") else 0.0)
        yield ready
        if readiness.checks["database"] != health.OK:
            return
        with contextlib.suppress(DatabaseError):  # A scrape never fails on the queue's gauges.
            yield from self._queue(DBTaskResult)
        lag = _audit_lag_source() if _audit_lag_source is not None else None
        if lag is not None:
            yield GaugeMetricFamily(
                "haidang_audit_lag_seconds", "How far the audit log is behind what happened.", value=float(lag)
            )

    @staticmethod
    def _queue(model):
        from django_tasks_db.models import get_date_max

        now = timezone.now()
        # The library's own "ready" (no run_after, or run_after passed); the rest waits for its day.
        due = model.objects.ready()
        depth = GaugeMetricFamily("haidang_job_queue_depth", "Jobs waiting in the queue.", labels=["state"])
        depth.add_metric(["due"], float(due.count()))
        scheduled = model.objects.filter(status="READY", run_after__gt=now).exclude(run_after=get_date_max())
        depth.add_metric(["scheduled"], float(scheduled.count()))
        yield depth
        waiting_since = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
        oldest = due.aggregate(oldest=Min(waiting_since))["oldest"]
        yield GaugeMetricFamily(
            "haidang_job_oldest_due_seconds",
            "How long the oldest due job has waited (0 when none waits).",
            value=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        )
        age = health.freshest_heartbeat_age()
        if age is not None:
            yield GaugeMetricFamily(
                "haidang_worker_heartbeat_age_seconds", "Seconds since a job worker last went round.", value=age
            )


def exposition() -> bytes:
    """Everything, in Prometheus' text format."""
    requests = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(requests)
    else:
        requests = _LOCAL
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    return generate_latest(requests) + generate_latest(database)
