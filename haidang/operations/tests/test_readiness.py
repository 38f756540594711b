"""/readyz names what is not ready: the database, the migrations, the job worker."""

from datetime import timedelta

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from haidang.operations import health
from haidang.operations.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def forget_migration_check(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def _beat(seconds_ago: float = 0):
    health.record_heartbeat(worker_id="w1", started_at=timezone.now())
    WorkerHeartbeat.objects.filter(pk="w1").update(seen_at=timezone.now() - timedelta(seconds=seconds_ago))


def test_ready_when_the_database_answers_migrations_are_applied_and_a_worker_beats(client):
    _beat()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "worker": "ok"}}


def test_no_worker_or_a_silent_one_is_named(client, settings):
    WorkerHeartbeat.objects.all().delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"] == "never_seen"
    _beat(seconds_ago=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS + 5)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "stale"
    _beat(seconds_ago=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS - 5)
    assert client.get("/readyz").status_code == 200


def test_without_the_database_job_queue_the_worker_is_not_checked(client, settings):
    WorkerHeartbeat.objects.all().delete()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "not_used"


def test_a_migration_not_applied_is_named(client):
    _beat()
    MigrationRecorder.Migration.objects.filter(app="operations").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    assert response.json()["checks"]["migrations"] == "pending"
