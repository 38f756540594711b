"""Throw-away installations for tests that need real processes: `manage.py` commands, gunicorn, a worker.

An installation is a var dir with its own keys and a database of its own: a SQLite file, or, when the
test session runs on PostgreSQL (DATABASE_URL), a database on that server named after the session's own
(`<name>_<purpose>_<pid>`), dropped at the end. Never another database.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")


def session_postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _maintenance(url: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))


def postgres_database_url(purpose: str) -> str:
    """A URL for a new database on the session's PostgreSQL server, named after the session's database."""
    url = session_postgres_url()
    parts = urllib.parse.urlsplit(url)
    base = parts.path.lstrip("/") or "haidang"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{base}_{purpose}_{os.getpid()}"))


def create_postgres_database(url: str) -> None:
    import psycopg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with psycopg.connect(_maintenance(url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_postgres_database(url: str) -> None:
    import psycopg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with psycopg.connect(_maintenance(url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Installation:
    var_dir: Path
    env: dict
    database_url: str | None
    servers: list = field(default_factory=list)

    def manage(self, *args, check=True, timeout=600, env=None, input=None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def start_server(self, *, env=None, name="server") -> str:
        """gunicorn on a free port, as `make serve` runs it; the base URL once /healthz answers (or not)."""
        port = free_port()
        log = open(self.var_dir / f"{name}.log", "w")  # noqa: SIM115 (closed with the server)
        process = subprocess.Popen(
            [
                GUNICORN,
                "config.wsgi",
                "-c",
                "python:config.gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
            ],  # fmt: skip
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.servers.append((process, log))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError((self.var_dir / f"{name}.log").read_text())
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return url
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"{name} did not start:\n" + (self.var_dir / f"{name}.log").read_text())

    def stop_servers(self) -> None:
        for process, log in self.servers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()
        self.servers.clear()


def base_env(var_dir: Path, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"HAIDANG_ENV": "development", "HAIDANG_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextmanager
def installation(
    tmp_path: Path, *, purpose: str, migrate=True, admin_map=False, demo=False, postgres=None, postgres_server=None
):
    """A new installation (keys, database, optionally migrated, with the map and the demonstration data).

    `postgres` None: PostgreSQL when the session runs on it, else SQLite; True/False forces it.
    `postgres_server`: a server of the test's own (postgres://user@host:port) to make the database on.
    """
    var_dir = tmp_path / purpose
    var_dir.mkdir(parents=True, exist_ok=True)
    use_postgres = bool(session_postgres_url()) if postgres is None else postgres
    if postgres_server:
        url = f"{postgres_server}/haidang_{purpose}"
    else:
        url = postgres_database_url(purpose) if use_postgres else None
    if url:
        create_postgres_database(url)
    found = Installation(var_dir=var_dir, env=base_env(var_dir, url), database_url=url)
    try:
        subprocess.run([PYTHON, "-m", "haidang.common.keys", str(var_dir / "local-keys.json")], cwd=ROOT, check=True,
                       env=found.env, capture_output=True)  # fmt: skip
        if migrate:
            found.manage("migrate", "--noinput", "-v0")
        if admin_map:
            found.manage("load_admin_map", "-v0")
        if demo:
            found.manage("seed_demo", "-v0")
        yield found
    finally:
        found.stop_servers()
        if url:
            drop_postgres_database(url)
        shutil.rmtree(var_dir, ignore_errors=True)


def get(url: str, *, headers=None, timeout=10) -> tuple[int, dict, bytes]:
    """(status, headers, body) of a GET, errors included."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class WebClient:
    """A cookie-keeping client for a live server, as a browser without scripts: pages, forms, CSRF."""

    def __init__(self, base: str):
        import http.cookiejar

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.jar if cookie.name == name), None)

    def request(self, path: str, data: dict | None = None, *, base=None, headers=None) -> tuple[int, dict, bytes]:
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookie("csrftoken") or ""}
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request((base or self.base) + path, data=body, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def sign_in(self, username: str, password: str, *, base=None) -> int:
        self.request("/account/login/", base=base)
        status, headers, _ = self.request("/account/login/", {"username": username, "password": password}, base=base)
        return status
