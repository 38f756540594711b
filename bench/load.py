"""Load from outside: closed-loop HTTP clients against the server exactly as `make run` starts it.

Starts the server with the Makefile's own `serve` target (the supervisor, the job worker, gunicorn
with config/gunicorn.py: 2 workers × 4 threads, the application's JSON request log, the metrics in
PROMETHEUS_MULTIPROC_DIR), signs a case worker in over HTTP (API token and a browser session,
with the second factor), then drives each endpoint in turn with N clients that each send the next
request as soon as the last answer came back (closed loop, keep-alive connections). `/healthz`
is measured first and last in the same run: every endpoint's throughput is printed as a share of
the mean `/healthz` throughput, which is how speed is judged here (never milliseconds alone).

    # The demonstration data on SQLite (a throw-away work directory, set up like `make run`):
    .venv/bin/python bench/load.py

    # The demonstration data on PostgreSQL (a database of its own, created and dropped):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load .venv/bin/python bench/load.py

    # A national-size database kept by `bench/cases_scale.py --keep` (its work directory holds the keys):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_cases_full \\
        .venv/bin/python bench/load.py --reuse --workdir /tmp/haidang-bench-XXXX

Each request's status must be 200; anything else is counted as an error and printed. Names used
as search terms are read from the database in this process and never printed.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PYTHON = sys.executable
BIN = Path(PYTHON).parent
USER = "caseworker.hanoi"
PASSWORD = os.environ.get("DEMO_PASSWORD") or "HaiDang-Demo-2026"
TOTP_SECRET = os.environ.get("DEMO_TOTP_SECRET") or "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def say(message: str = "") -> None:
    print(message, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="closed-loop clients (default 16)")
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per endpoint (default 20)")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds first (default 3)")
    parser.add_argument("--workdir", help="work directory (keys, SQLite file); default: a new temporary one")
    parser.add_argument("--reuse", action="store_true", help="serve a database set up before (needs --workdir)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and the database")
    parser.add_argument("--only", default="", help="comma-separated endpoint keys to run (healthz always runs)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="split each endpoint's seconds into this many rounds, every endpoint in turn in each round, with "
        "/healthz before and after each round: load from other work on the machine then weighs on all alike",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    args = parser.parse_args(argv)
    if args.reuse and not args.workdir:
        parser.error("--reuse needs --workdir: the database only opens with the keys in that directory")
    return args


# --- Server ---------------------------------------------------------------------------------------


def environment(workdir: Path, url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
        env.pop(name, None)
        env.pop(f"{name}_FILE", None)
    env.update({"HAIDANG_ENV": "development", "HAIDANG_VAR_DIR": str(workdir / "var"), "DEBUG": "false"})
    env["PYTHONUNBUFFERED"] = "1"
    if url:
        env["DATABASE_URL"] = url
    return env


def _pg_admin(url: str):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to use database {name!r}: its name must contain 'bench' (it is created and dropped).")
    return name, psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def set_up(env: dict, url: str | None) -> None:
    """What `make run` does before serving: keys, migrate, both maps, the demonstration data."""
    if url and url.startswith(("postgres://", "postgresql://")):
        name, admin = _pg_admin(url)
        with admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    started = time.monotonic()
    for args in (
        ("-m", "haidang.common.keys", str(Path(env["HAIDANG_VAR_DIR"]) / "local-keys.json")),
        ("manage.py", "migrate", "--noinput", "--verbosity", "0"),
        ("manage.py", "load_admin_map"),
        ("manage.py", "seed_demo"),
    ):
        subprocess.run([PYTHON, *args], cwd=REPO, env=env, check=True, capture_output=True, timeout=1800)
    say(f"Set up as `make run` does (migrate, maps, demo data) in {time.monotonic() - started:.0f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    processes: list = field(default_factory=list)
    log: object = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_server(env: dict, workdir: Path, port: int) -> Server:
    """`make serve` itself: the supervisor, the job worker and gunicorn with config/gunicorn.py (2 workers ×
    4 threads, the application's own JSON request log, the metrics kept in PROMETHEUS_MULTIPROC_DIR)."""
    server = Server(port)
    server.log = open(workdir / "server.log", "w")  # noqa: SIM115 (closed in stop_server)
    env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(workdir / "var" / "prometheus")}
    make = subprocess.Popen(
        ["make", "--silent", "--no-print-directory", "serve", "HOST=127.0.0.1", f"PORT={port}", f"BIN={BIN}"],
        cwd=REPO,
        env=env,
        stdout=server.log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server.processes = [make]
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{server.base}/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return server
        except OSError:
            if time.monotonic() > deadline or make.poll() is not None:
                stop_server(server)
                sys.exit("The server did not start:\n" + (workdir / "server.log").read_text()[-3000:])
            time.sleep(0.3)


def stop_server(server: Server) -> None:
    for process in server.processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in server.processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    if server.log:
        server.log.close()


# --- Signing in -----------------------------------------------------------------------------------


def totp(secret: str, at: float, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // step)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


class OneCodePerStep:
    """A TOTP code is accepted once: the second sign-in waits for the next 30-second step."""

    def __init__(self):
        self.used: set[int] = set()

    def next(self) -> str:
        while int(time.time() // 30) in self.used:
            time.sleep(0.5)
        now = time.time()
        self.used.add(int(now // 30))
        return totp(TOTP_SECRET, now)


def api_token(base: str, codes: OneCodePerStep) -> str:
    import json

    body = json.dumps({"username": USER, "password": PASSWORD, "otp": codes.next()}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        return json.loads(response.read())["token"]


def browser_session(base: str, codes: OneCodePerStep) -> str:
    """Signs in through the pages (password, then the second factor); returns the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def post(path: str, fields: dict) -> str:
        with opener.open(f"{base}{path}", timeout=30) as response:
            page = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        request = urllib.request.Request(f"{base}{path}", data=data, headers={"Referer": f"{base}{path}"})
        with opener.open(request, timeout=30) as response:
            return response.geturl()

    post("/account/login/", {"username": USER, "password": PASSWORD})
    landed = post("/account/two-factor/", {"otp": codes.next()})
    if "/account/" in landed:
        sys.exit(f"Signing in through the pages failed (ended at {landed}).")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def search_term(env: dict) -> str:
    """A name of a person in the case worker's scope, read here and never printed."""
    code = (
        "import django; django.setup()\n"
        "from haidang.access.models import User\n"
        "from haidang.cases import selectors\n"
        f"user = User.objects.get(username={USER!r})\n"
        # The list's own order, to the last key: the same data gives the same term in every run.
        "cases = selectors.cases_visible_to(user).select_related('person')\n"
        "case = cases.order_by('-reception_date', '-created_at', '-id').first()\n"
        "import sys; sys.stdout.write(case.person.full_name)\n"
    )
    done = subprocess.run(
        [PYTHON, "-c", code],
        cwd=REPO,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        sys.exit("Could not read a search term:\n" + done.stderr[-2000:])
    return done.stdout


# --- Load -----------------------------------------------------------------------------------------


@dataclass
class Endpoint:
    key: str
    label: str
    path: str
    headers: dict
    latencies: list[float] = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered))) - 1))]


def _client(port: int, endpoint: Endpoint, stop_at: float, measure_from: float, sink: list, errors: dict, lock):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    mine: list[float] = []
    while True:
        started = time.perf_counter()
        if started >= stop_at:
            break
        try:
            connection.request("GET", endpoint.path, headers=endpoint.headers)
            response = connection.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        ended = time.perf_counter()
        if started >= measure_from and ended <= stop_at:
            if status == 200:
                mine.append(ended - started)
            else:
                with lock:
                    errors[status] = errors.get(status, 0) + 1
    connection.close()
    with lock:
        sink.extend(mine)


def run_endpoint(port: int, endpoint: Endpoint, clients: int, warmup: float, seconds: float) -> None:
    now = time.perf_counter()
    measure_from, stop_at = now + warmup, now + warmup + seconds
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=_client, args=(port, endpoint, stop_at, measure_from, endpoint.latencies, endpoint.errors, lock)
        )
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    endpoint.seconds += seconds


def endpoints(token: str, cookie: str, term: str) -> list[Endpoint]:
    bearer = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    page = {"Cookie": cookie, "Accept": "text/html"}
    q = urllib.parse.urlencode({"q": term})
    return [
        Endpoint("worklist_api", "API worklist, caseworker.hanoi", "/api/v1/cases/worklist", bearer),
        Endpoint("cases_api", "API case list, first page", "/api/v1/cases", bearer),
        Endpoint("search_api", "API person search", f"/api/v1/persons/search?{q}", bearer),
        Endpoint("worklist_html", "HTML worklist /cases/", "/cases/", page),
        # The floor of any API answer: the token checked, the user's memberships read (one small query) and
        # a short JSON body. No endpoint that reads cases can be cheaper than this.
        Endpoint("me_api", "API /me (the floor of an API answer)", "/api/v1/me", bearer),
    ]


def report(rows: list[Endpoint], health: list[Endpoint]) -> None:
    reference = statistics.mean(h.throughput for h in health)
    reference_p95 = max(h.percentile(95) for h in health)
    say()
    say("| endpoint | req/s | share of /healthz | p50 ms | p95 ms | p99 ms | p95 × /healthz p95 | errors |")
    say("|---|---|---|---|---|---|---|---|")
    for row in [health[0], *rows, health[-1]]:
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(row.errors.items(), key=str)) or "0"
        say(
            f"| {row.label} | {row.throughput:,.1f} | {row.throughput / reference:.2f} | "
            f"{1000 * row.percentile(50):,.0f} | {1000 * row.percentile(95):,.0f} | {1000 * row.percentile(99):,.0f} | "
            f"{row.percentile(95) / reference_p95:.1f} | {errors} |"
        )
    drift = abs(health[0].throughput - health[-1].throughput) / reference
    say()
    say(
        f"/healthz reference: {reference:,.1f} req/s (mean of before and after; they differ by {100 * drift:.0f} %), "
        f"p95 {1000 * reference_p95:,.0f} ms (the larger of the two)"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="haidang-load-"))
    url = os.environ.get("DATABASE_URL") or None
    env = environment(workdir, url)
    server = None
    try:
        if not args.reuse:
            set_up(env, url)
        else:  # the code may have moved on since the database was set up
            subprocess.run(
                [PYTHON, "manage.py", "migrate", "--noinput", "--verbosity", "0"], cwd=REPO, env=env, check=True
            )
        database = "PostgreSQL" if url and url.startswith("postgres") else "SQLite"
        say(f"Hải Đăng load benchmark: {database}, work directory {workdir}")
        server = start_server(env, workdir, args.port or free_port())
        codes = OneCodePerStep()
        token = api_token(server.base, codes)
        cookie = browser_session(server.base, codes)
        chosen = {key.strip() for key in args.only.split(",") if key.strip()}
        rows = [e for e in endpoints(token, cookie, search_term(env)) if not chosen or e.key in chosen]
        health = [Endpoint("healthz", "GET /healthz (before)", "/healthz", {}), None]
        health[1] = Endpoint("healthz", "GET /healthz (after)", "/healthz", {})
        load_before = os.getloadavg()
        started = time.monotonic()
        say(
            f"{args.clients} closed-loop clients, {args.warmup:g} s warm-up + {args.seconds:g} s measured per "
            f"endpoint, in {args.rounds} round(s)"
        )
        piece = args.seconds / args.rounds
        for number in range(args.rounds):
            # /healthz opens every round (the "before" figure) and closes it (the "after" figure).
            for endpoint in [health[0], *rows, health[1]]:
                run_endpoint(server.port, endpoint, args.clients, args.warmup, piece)
            say(f"  round {number + 1}: " + ", ".join(f"{e.key} {e.throughput:,.0f}/s" for e in [health[0], *rows]))
        load_after = os.getloadavg()
        report(rows, health)
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        say(
            f"Commit {commit}; {os.cpu_count()} CPUs; load average {load_before[0]:.2f} before and "
            f"{load_after[0]:.2f} after {time.monotonic() - started:.0f} s (the clients run on the same machine)"
        )
        return 0
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep and not args.reuse:
            if url and url.startswith(("postgres://", "postgresql://")):
                name, admin = _pg_admin(url)
                with admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not args.workdir:
                shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
