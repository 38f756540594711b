"""`make serve`'s supervisor: a dead job worker is started again, one that keeps dying stops the server
loudly, and the worker never outlives the server."""

import signal
import subprocess
import sys
import time

from haidang.operations.tests.installation import ROOT

PY = sys.executable


def _supervise(worker: str, server: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, "-m", "haidang.operations.supervisor", "--worker", worker, "--server", server, "--pause", "0.2", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _alive(pid_file) -> bool:
    pid = int(pid_file.read_text())
    try:
        import os

        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_worker_that_keeps_dying_stops_the_server_loudly(tmp_path):
    server_pid = tmp_path / "server.pid"
    server = f"{PY} -c \"import os,time; open('{server_pid}','w').write(str(os.getpid())); time.sleep(120)\""
    supervisor = _supervise(f'{PY} -c "raise SystemExit(3)"', server, "--max-restarts", "2", "--window", "60")
    _, stderr = supervisor.communicate(timeout=60)
    assert supervisor.returncode == 1
    assert stderr.count("THE JOB WORKER ENDED WITH CODE 3; starting it again") == 2
    assert "THE JOB WORKER ENDED WITH CODE 3, 3 TIMES WITHIN 60 s: REMINDERS WOULD STOP. Stopping the server" in stderr
    assert not _alive(server_pid)


def test_a_worker_that_died_once_is_started_again_and_both_stop_together(tmp_path):
    marker = tmp_path / "died-once"
    worker_pid = tmp_path / "worker.pid"
    # Dies the first time, then runs like a healthy worker.
    worker = (
        f"{PY} -c \"import os,sys,time,pathlib; m=pathlib.Path('{marker}');"
        f" (m.write_text('x'), sys.exit(1)) if not m.exists() else None;"
        f" open('{worker_pid}','w').write(str(os.getpid())); time.sleep(120)\""
    )
    supervisor = _supervise(worker, f'{PY} -c "import time; time.sleep(120)"')
    deadline = time.monotonic() + 30
    while not worker_pid.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert worker_pid.exists(), "the worker was not started again"
    time.sleep(0.3)
    assert supervisor.poll() is None
    supervisor.send_signal(signal.SIGTERM)
    _, stderr = supervisor.communicate(timeout=60)
    assert supervisor.returncode == 0
    assert "THE JOB WORKER ENDED WITH CODE 1; starting it again" in stderr
    assert not _alive(worker_pid)


def test_when_the_server_ends_the_worker_is_stopped(tmp_path):
    worker_pid = tmp_path / "worker.pid"
    worker = f"{PY} -c \"import os,time; open('{worker_pid}','w').write(str(os.getpid())); time.sleep(120)\""
    supervisor = _supervise(worker, f'{PY} -c "import time; time.sleep(1); raise SystemExit(4)"')
    _, stderr = supervisor.communicate(timeout=60)
    assert supervisor.returncode == 4
    assert "the server ended with code 4; stopping the job worker" in stderr
    assert not _alive(worker_pid)
