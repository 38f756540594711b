"""Appenders running at once queue on the chain head and never fork the chain."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from haidang.audit.models import AuditEntry
from haidang.audit.services import record_event
from haidang.audit.verification import verify_chain

WRITERS, EACH = 4, 15
ROOT = Path(__file__).resolve().parents[3]


# Committed data is needed to see other connections' appends, so this test is transactional; the
# flush after it (audit tables only, thanks to available_apps) runs with the triggers suspended.
@pytest.mark.django_db(transaction=True, available_apps=["haidang.audit"])
def test_parallel_appenders_leave_one_unbroken_chain():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Shared-cache in-memory SQLite reports "table is locked" instead of waiting; the
        # process test below covers SQLite on a real file.
        pytest.skip("in-memory SQLite does not wait for locks between connections")
    before = AuditEntry.objects.count()
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    record_event(action="test.concurrent", object_id=f"{n}-{i}")
        except BaseException as error:  # noqa: BLE001 (reported by the main thread)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    result = verify_chain()
    assert result.intact, result.problem and result.problem.describe()
    assert result.count == before + WRITERS * EACH
    assert AuditEntry.objects.filter(action="test.concurrent").count() == WRITERS * EACH


APPENDER = """
import sys, time
import django
django.setup()
from django.db import transaction
from haidang.audit.services import record_event
writer, each, start_at = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
time.sleep(max(0.0, start_at - time.time()))
for i in range(each):
    with transaction.atomic():
        record_event(action="test.concurrent", object_id=f"{writer}-{i}")
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL is covered by the threaded test")
def test_parallel_processes_on_a_sqlite_file_leave_one_unbroken_chain(tmp_path):
    # Real processes on a real file, as gunicorn workers would be: BEGIN IMMEDIATE queues them.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'audit.sqlite3'}",
        "HAIDANG_VAR_DIR": str(tmp_path),
    }

    def manage(*args) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )

    assert manage("migrate", "audit", "--verbosity", "0").returncode == 0
    start_at = str(time.time() + 3)  # Every process set up before any begins: they really overlap.
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(n), "40", start_at],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    result = manage("verify_audit")
    assert result.returncode == 0, result.stderr
    assert f" {WRITERS * 40} " in result.stdout  # "Audit log intact: 160 entries." in the site's language
