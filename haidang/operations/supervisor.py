"""Run the application server and the job worker together, as `make serve` does.

    python -m haidang.operations.supervisor --worker "manage.py db_worker ..." --server "gunicorn ..."

- The server ends (or is stopped): the worker is stopped too, and this exits with the server's code.
- The worker ends: it is started again after a short pause, said loudly on stderr. If it ended more
  than --max-restarts times within --window seconds, something is wrong that restarting will not
  fix: the server is stopped and this exits with code 1, so that nobody serves without reminders.
- SIGTERM or SIGINT: both are stopped; exit 0.

Only the standard library: it must run even when the application cannot start.
"""

import argparse
import shlex
import signal
import subprocess
import sys
import time
from collections import deque

POLL_SECONDS = 0.2
STOP_GRACE_SECONDS = 20


def say(message: str) -> None:
    print(f"[supervisor] {message}", file=sys.stderr, flush=True)


class Supervisor:
    def __init__(self, *, worker: list[str], server: list[str], max_restarts: int, window: float, pause: float):
        self.worker_command = worker
        self.server_command = server
        self.max_restarts = max_restarts
        self.window = window
        self.pause = pause
        self.restarts: deque[float] = deque()
        self.stopping = False
        self.server: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def _stop_signal(self, signum, frame) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop_signal)
        signal.signal(signal.SIGINT, self._stop_signal)
        self.server = subprocess.Popen(self.server_command)  # noqa: S603 (the operator's own command line)
        self.worker = subprocess.Popen(self.worker_command)  # noqa: S603
        say(f"server pid {self.server.pid}, job worker pid {self.worker.pid}")
        try:
            return self._watch()
        finally:
            self._stop(self.worker)
            self._stop(self.server)

    def _watch(self) -> int:
        worker_died_at: float | None = None
        while not self.stopping:
            server_code = self.server.poll()
            if server_code is not None:
                say(f"the server ended with code {server_code}; stopping the job worker")
                return server_code
            if worker_died_at is None:
                code = self.worker.poll()
                if code is not None:
                    worker_died_at = time.monotonic()
                    if not self._may_restart(worker_died_at):
                        say(
                            f"THE JOB WORKER ENDED WITH CODE {code}, {len(self.restarts) + 1} TIMES WITHIN "
                            f"{self.window:.0f} s: REMINDERS WOULD STOP. Stopping the server; look at the worker's log."
                        )
                        return 1
                    say(f"THE JOB WORKER ENDED WITH CODE {code}; starting it again in {self.pause:.0f} s")
            elif time.monotonic() - worker_died_at >= self.pause:
                self.restarts.append(time.monotonic())
                self.worker = subprocess.Popen(self.worker_command)  # noqa: S603
                say(f"job worker started again, pid {self.worker.pid}")
                worker_died_at = None
            time.sleep(POLL_SECONDS)
        say("stopping")
        return 0

    def _may_restart(self, now: float) -> bool:
        while self.restarts and now - self.restarts[0] > self.window:
            self.restarts.popleft()
        return len(self.restarts) < self.max_restarts

    @staticmethod
    def _stop(process: subprocess.Popen | None) -> None:
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", required=True, help="The job worker's command line.")
    parser.add_argument("--server", required=True, help="The application server's command line.")
    parser.add_argument("--max-restarts", type=int, default=5, help="Restarts allowed within the window (5).")
    parser.add_argument("--window", type=float, default=300.0, help="The window, in seconds (300).")
    parser.add_argument("--pause", type=float, default=2.0, help="Seconds before a restart (2).")
    args = parser.parse_args(argv)
    supervisor = Supervisor(
        worker=shlex.split(args.worker),
        server=shlex.split(args.server),
        max_restarts=args.max_restarts,
        window=args.window,
        pause=args.pause,
    )
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
