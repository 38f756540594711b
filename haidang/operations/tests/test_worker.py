"""The job worker beats and runs the jobs, and outlives a locked SQLite database (what stopped the reminders
before)."""

import sqlite3
import subprocess
import time
from datetime import UTC, datetime

import pytest

from haidang.operations.tests.installation import PYTHON, ROOT, installation, session_postgres_url

ENQUEUE = "from haidang.reporting.reminders import send_due_reminders_job; print(send_due_reminders_job.enqueue().id)"
STATE = (
    "from django_tasks_db.models import DBTaskResult; from haidang.operations.health import check_worker; "
    "from haidang.operations.models import WorkerHeartbeat; "
    "print(WorkerHeartbeat.objects.filter(pk='w-batch').exists(), check_worker(), "
    "sorted(DBTaskResult.objects.values_list('status', flat=True)))"
)


def test_the_worker_beats_and_runs_the_jobs(tmp_path):
    """The real `db_worker`, one batch, on this session's database: its heartbeat is what /readyz reads."""
    with installation(tmp_path, purpose="worker_batch") as inst:
        inst.manage("shell", "-c", ENQUEUE)
        assert "False never_seen ['READY']" in inst.manage("shell", "-c", STATE).stdout
        inst.manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "w-batch")
        assert "True ok ['SUCCESSFUL']" in inst.manage("shell", "-c", STATE).stdout


def _last_beat(path) -> datetime | None:
    with sqlite3.connect(path, timeout=30) as db:
        row = db.execute("SELECT seen_at FROM operations_worker_heartbeat WHERE worker_id = 'w-lock'").fetchone()
    return datetime.fromisoformat(row[0]).replace(tzinfo=UTC) if row else None


def _wait_for_beat(path, after: datetime, seconds: float = 30) -> datetime | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        beat = _last_beat(path)
        if beat is not None and beat > after:
            return beat
        time.sleep(0.2)
    return None


@pytest.mark.skipif(session_postgres_url() is not None, reason="about SQLite's write lock: runs in the SQLite pass")
def test_the_worker_waits_out_a_locked_database_and_beats_again(tmp_path):
    with installation(tmp_path, purpose="worker", postgres=False) as inst:
        database = inst.var_dir / "haidang.sqlite3"
        log = open(inst.var_dir / "worker.log", "w")  # noqa: SIM115
        worker = subprocess.Popen(
            [
                PYTHON,
                "manage.py",
                "db_worker",
                "--interval",
                "0.2",
                "--no-reload",
                "--no-startup-delay",
                "--worker-id",
                "w-lock",
            ],  # fmt: skip
            cwd=ROOT,
            env=inst.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            assert _wait_for_beat(database, datetime(2000, 1, 1, tzinfo=UTC)) is not None, "no first heartbeat"
            # Another process holds the write lock longer than the worker's busy timeout (10 s).
            locker = sqlite3.connect(database, timeout=30, isolation_level=None)
            locker.execute("BEGIN EXCLUSIVE")
            time.sleep(13)
            released = datetime.now(UTC)
            locker.execute("ROLLBACK")
            locker.close()
            assert worker.poll() is None, (inst.var_dir / "worker.log").read_text()
            assert _wait_for_beat(database, released) is not None, (inst.var_dir / "worker.log").read_text()
            assert worker.poll() is None
        finally:
            worker.terminate()
            worker.wait(timeout=20)
            log.close()
        output = (inst.var_dir / "worker.log").read_text()
        assert "database unavailable (OperationalError)" in output
