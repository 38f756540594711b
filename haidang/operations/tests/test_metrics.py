"""Metrics in Prometheus' format for the scraper holding the token, nothing for anyone else; one JSON
log line per request."""

import json
import logging

import pytest
from django.utils import timezone

from haidang.operations import health, metrics

pytestmark = pytest.mark.django_db

AUTH = {"Authorization": "Bearer test-metrics-token"}


def _value(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    prefix = f"{name}{{{wanted}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    raise AssertionError(f"{prefix!r} not in metrics:\n{text}")


def test_metrics_are_only_for_the_scraper(client, as_user, settings):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    # Not even for a signed-in administrator: the token is the only way in.
    assert as_user("admin").get("/metrics").status_code == 404
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_request_latency_per_route_queue_depth_and_readiness(client, api):
    from haidang.reporting.reminders import send_due_reminders_job

    api("analyst").get("/api/v1/me")
    send_due_reminders_job.enqueue()
    send_due_reminders_job.using(run_after=timezone.now() + timezone.timedelta(days=3)).enqueue()
    health.record_heartbeat(worker_id="m1", started_at=timezone.now())
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    count = _value(text, "haidang_http_request_duration_seconds_count", method="GET", route="/api/v1/me", status="200")
    assert count >= 1
    assert _value(text, "haidang_job_queue_depth", state="due") >= 1
    assert _value(text, "haidang_job_queue_depth", state="scheduled") >= 1
    assert _value(text, "haidang_ready", check="database") == 1
    assert _value(text, "haidang_ready", check="worker") == 1
    assert _value(text, "haidang_worker_heartbeat_age_seconds") < 60
    # The audit lag: since the oldest entry not yet sealed into a signed checkpoint was written.
    assert _value(text, "haidang_audit_lag_seconds") >= 0


def test_the_audit_lag_hook(client):
    metrics.set_audit_lag_source(lambda: 2.5)
    try:
        text = client.get("/metrics", headers=AUTH).content.decode()
    finally:
        metrics.set_audit_lag_source(None)
    assert _value(text, "haidang_audit_lag_seconds") == 2.5


def test_one_json_line_per_request_with_user_id_and_statements(api, demo_users, caplog):
    """The line the JSON formatter writes: time, route pattern, status, duration, statements, user id."""
    from haidang.operations.jsonformat import JsonFormatter

    caplog.set_level(logging.INFO, logger="haidang.requests")
    user = demo_users["caseworker.hanoi"]
    response = api("caseworker.hanoi").get("/api/v1/cases", {"q": "01-2026", "page_size": 5})
    assert response.status_code == 200
    records = [record for record in caplog.records if record.name == "haidang.requests"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["event"] == "request" and line["method"] == "GET"
    assert line["route"] == "/api/v1/cases"
    assert line["status"] == 200
    assert line["user"] == str(user.pk)
    assert line["statements"] >= 3
    assert line["duration_ms"] > 0
    assert line["request_id"] == response["X-Request-ID"]
    assert "01-2026" not in json.dumps(line) and user.username not in json.dumps(line)
