"""Appenders running at once do not wait for each other, and a sealer running beside them never
seals past an entry whose transaction is still open: the sealed log verifies whole."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from haidang.audit.models import AuditEntry
from haidang.audit.sealing import seal_pending
from haidang.audit.services import record_event
from haidang.audit.verification import verify_log

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
    start = threading.Barrier(WRITERS + 2)
    writing = threading.Event()
    errors: list[BaseException] = []
    seals = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    record_event(action="test.concurrent", object_id=f"{n}-{i}")
                    time.sleep(0.002)  # the transaction stays open after its entry: the sealer must wait
                    if i % 5 == 4:
                        raise_and_roll_back(n, i)
        except BaseException as error:  # noqa: BLE001 (reported by the main thread)
            errors.append(error)
        finally:
            connections.close_all()

    def raise_and_roll_back(n, i):
        try:
            with transaction.atomic():
                record_event(action="test.rolled_back", object_id=f"{n}-{i}")
                raise RuntimeError
        except RuntimeError:
            pass

    def sealer() -> None:
        try:
            start.wait()
            while writing.is_set():
                seals.extend(seal_pending(max_batch=7).seals)
                time.sleep(0.005)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    writing.set()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    sealing = [threading.Thread(target=sealer) for _ in range(2)]  # two sealers race for the batches
    for thread in [*sealing, *threads]:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    writing.clear()
    for thread in sealing:
        thread.join(timeout=60)
    assert not errors, errors
    assert seals, "the sealer ran beside the writers"
    seal_pending()
    result = verify_log()
    assert result.intact, result.problem and result.problem.describe()
    assert result.count == before + WRITERS * EACH and result.unsealed == 0
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


SEALER = """
import sys, time
import django
django.setup()
from haidang.audit.sealing import seal_pending
start_at, seconds = float(sys.argv[1]), float(sys.argv[2])
time.sleep(max(0.0, start_at - time.time()))
while time.time() < start_at + seconds:
    seal_pending(max_batch=7)
    time.sleep(0.01)
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
    # Two sealers beside the appenders: they race for the same batches and must never fork the seals.
    sealers = [
        subprocess.Popen(
            [sys.executable, "-c", SEALER, start_at, "4"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
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
    for process in [*processes, *sealers]:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    result = manage("verify_audit")
    assert result.returncode == 0, result.stderr
    assert f" {WRITERS * 40} " in result.stdout  # "Audit log intact: 160 entries." in the site's language
