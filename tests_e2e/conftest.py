"""End-to-end tests: the real server, set up as `make run` does, driven by Debian's Chromium.

The server runs in its own process on a throw-away database set up as `make run` does (migrate,
map, demo data): SQLite by default, or, when DATABASE_URL names a PostgreSQL server, a database
of its own on that server, made for the run and dropped after it. So the PostgreSQL pass of CI
drives the browser against PostgreSQL, not SQLite a second time. `make test` runs them in one
process after the other tests (one server for all of them).

On PostgreSQL two application servers run side by side against that database, behind a small
round-robin proxy standing in for the load balancer: every journey's requests alternate between
them, as in a deployment with several servers (`test_two_servers.py` checks both served).
"""

import http.client
import http.server
import itertools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _throwaway_database():
    """The DATABASE_URL the server should use: None (SQLite in its var dir) or a new PostgreSQL database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    # Named after the database DATABASE_URL names, so parallel runs on one server never meet.
    name = f"{parts.path.lstrip('/') or 'haidang'}_e2e_{os.getpid()}"
    # Like Django's test runner, create and drop from the server's maintenance database.
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def e2e_database_url():
    with _throwaway_database() as url:
        yield url


@pytest.fixture(scope="session")
def server_env(tmp_path_factory, e2e_database_url) -> dict:
    """The environment of the server and of any `manage.py` run against its database."""
    var_dir = tmp_path_factory.mktemp("e2e-var")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"HAIDANG_ENV": "development", "HAIDANG_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"})
    if e2e_database_url:
        env["DATABASE_URL"] = e2e_database_url
    return env


def _start_server(env: dict, var_dir: Path, name: str):
    port = _free_port()
    log = open(var_dir / f"{name}.log", "w")  # noqa: SIM115 (closed at teardown)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-c",
            "python:config.gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
        ],
        cwd=ROOT,
        env={**env, "LOG_REQUESTS": "false"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return url, server, log
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError((var_dir / f"{name}.log").read_text()) from None
            time.sleep(0.3)


_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class RoundRobinProxy(http.server.ThreadingHTTPServer):
    """The load balancer in front of several application servers: each request goes to the next one."""

    daemon_threads = True

    def __init__(self, backends: list[str]):
        self.backends = [urllib.parse.urlsplit(url) for url in backends]
        self.served = dict.fromkeys(backends, 0)
        self._next = itertools.cycle(backends)
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Forward)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_backend(self) -> str:
        with self._lock:
            backend = next(self._next)
            self.served[backend] += 1
            return backend


class _Forward(http.server.BaseHTTPRequestHandler):
    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        backend = urllib.parse.urlsplit(self.server.next_backend())
        upstream = http.client.HTTPConnection(backend.hostname, backend.port, timeout=120)
        headers = {key: value for key, value in self.headers.items() if key.lower() not in _HOP_BY_HOP}
        upstream.request(self.command, self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        content = answer.read()
        self.send_response(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in _HOP_BY_HOP | {"content-length"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)
        upstream.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward  # noqa: N815 (http.server names)

    def log_message(self, format, *args):
        pass  # The servers write their own lines.


@pytest.fixture(scope="session")
def app_servers(server_env) -> list[str]:
    """The application servers: one on SQLite, two side by side on PostgreSQL."""
    env = server_env
    var_dir = Path(env["HAIDANG_VAR_DIR"])
    python = sys.executable

    def run(*args):
        subprocess.run([python, *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)

    run("-m", "haidang.common.keys", str(var_dir / "local-keys.json"))
    run("manage.py", "migrate", "--noinput")
    run("manage.py", "load_admin_map")
    run("manage.py", "seed_demo")
    count = 2 if env.get("DATABASE_URL") else 1
    started = [_start_server(env, var_dir, f"server{index}") for index in range(count)]
    yield [url for url, _server, _log in started]
    for _url, server, log in started:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def proxy(app_servers):
    """The round-robin proxy over two servers (None with only one)."""
    if len(app_servers) < 2:
        yield None
        return
    balancer = RoundRobinProxy(app_servers)
    thread = threading.Thread(target=balancer.serve_forever, daemon=True)
    thread.start()
    yield balancer
    balancer.shutdown()
    balancer.server_close()


@pytest.fixture(scope="session")
def live_server_url(app_servers, proxy):
    return proxy.url if proxy is not None else app_servers[0]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


# A TOTP code can be used once per 30-second step: each browser test signs in a different
# second-factor user (sign-in journey: police.hanoi; case journey: commune and Department of
# Health users), so tests never race for the same code.


@pytest.fixture(scope="session")
def server_python(live_server_url, server_env):
    """server_python(code) -> stdout: Python run in `manage.py shell` against the live server's database."""

    def run(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=server_env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return done.stdout.strip()

    return run


@pytest.fixture(scope="session")
def demo_sessions(server_python) -> dict[str, str]:
    """{username: session key} for every demonstration user, signed in with the second factor given.

    Made on the server's database as Django's test client does (`force_login`), for tests about what
    a signed-in person sees: they spend no one-time code, so they never race the sign-in tests for
    one. Signing in itself is what `test_sign_in_journey` and the journeys test.
    """
    code = "\n".join(
        [
            "from django.test import Client",
            "from django_otp.plugins.otp_totp.models import TOTPDevice",
            "from haidang.access.models import User",
            "for user in User.objects.filter(is_active=True).order_by('username'):",
            "    client = Client()",
            "    client.force_login(user, backend='haidang.access.backends.AccountBackend')",
            "    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()",
            "    session = client.session",
            "    if device is not None:",
            "        session['otp_device_id'] = device.persistent_id",
            "    session.save()",
            "    print(user.username, session.session_key)",
        ]
    )
    return dict(line.split(" ", 1) for line in server_python(code).splitlines() if " " in line)


@pytest.fixture
def page_as(browser, live_server_url, demo_sessions):
    """page_as(username or None, width=390) -> a page in a browser context of its own, signed in as
    that demonstration user (None: nobody), in Vietnamese, 844 px high (a phone) whatever the width."""
    contexts = []

    def _open(username: str | None, width: int = 390):
        context = browser.new_context(viewport={"width": width, "height": 844}, locale="vi-VN")
        contexts.append(context)
        if username is not None:
            context.add_cookies([{"name": "sessionid", "value": demo_sessions[username], "url": live_server_url}])
        page = context.new_page()
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.console_errors = errors
        return page

    yield _open
    for context in contexts:
        context.close()
