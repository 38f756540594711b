"""gunicorn settings shared by `make serve` and production (`gunicorn -c python:config.gunicorn ...`).

The application writes its own access log (one JSON line a request, haidang.operations.logs), so
gunicorn's is off. With several worker processes the metrics are kept in files under
PROMETHEUS_MULTIPROC_DIR, emptied when gunicorn starts and tidied when a process ends.
"""

import os
import shutil
from pathlib import Path

accesslog = None
errorlog = "-"


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        # Counts from a previous run would be added to this run's.
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
