"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def environ(monkeypatch):
    return monkeypatch


def test_env_bool(environ):
    environ.setenv("X_FLAG", "yes")
    assert env.env_bool("X_FLAG", False) is True
    environ.setenv("X_FLAG", "off")
    assert env.env_bool("X_FLAG", True) is False
    environ.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG", False)


def test_env_int_and_minimum(environ):
    environ.setenv("X_NUM", "12")
    assert env.env_int("X_NUM", 1) == 12
    environ.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env.env_int("X_NUM", 1)
    environ.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("X_NUM", 1, minimum=1)


def test_env_choice_and_required(environ):
    environ.delenv("X_REQ", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQ"):
        env.env_str("X_REQ")
    environ.setenv("X_MODE", "staging")
    with pytest.raises(ImproperlyConfigured, match="X_MODE"):
        env.env_choice("X_MODE", "a", {"a", "b"})


def test_env_secret_from_file(environ, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret\n")
    environ.delenv("X_SECRET", raising=False)
    environ.setenv("X_SECRET_FILE", str(secret_file))
    assert env.env_secret("X_SECRET") == "s3cret"
    environ.setenv("X_SECRET", "also")
    with pytest.raises(ImproperlyConfigured, match="only one"):
        env.env_secret("X_SECRET")


def _manage(*args, extra_env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    environment.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "HAIDANG_ENV": "production",
    "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
    "FIELD_ENCRYPTION_KEYS": "p1:" + "A" * 43 + "=",
    "FIELD_HASH_KEY": "B" * 43 + "=",
    "ALLOWED_HOSTS": "haidang.example.gov.vn",
}


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secrets_or_with_debug():
    missing = {k: v for k, v in PRODUCTION_ENV.items() if k != "FIELD_ENCRYPTION_KEYS"}
    result = _manage("check", extra_env=missing)
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEYS" in result.stderr
    result = _manage("check", extra_env={**PRODUCTION_ENV, "DEBUG": "true"})
    assert result.returncode != 0 and "DEBUG" in result.stderr
    result = _manage("check", extra_env={**PRODUCTION_ENV, "SESSION_IDLE_MINUTES": "soon"})
    assert result.returncode != 0 and "SESSION_IDLE_MINUTES" in result.stderr


def test_a_malformed_field_key_stops_the_process_at_start():
    result = _manage("check", extra_env={**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": "p1:too-short"})
    assert result.returncode != 0 and "p1" in result.stderr


def _options(extra_env) -> str:
    code = "from django.db import connections; print(connections.settings['default'].get('OPTIONS', {}))"
    result = _manage("shell", "-c", code, extra_env={"HAIDANG_ENV": "test", **extra_env})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_postgresql_prepares_statements_unless_told_not_to():
    """Server-side binding and prepared statements for PostgreSQL; `DB_PREPARED_STATEMENTS=false` for a
    pooler that cannot keep them. SQLite has its own options."""
    postgres = {"DATABASE_URL": "postgres://haidang@127.0.0.1:5432/haidang"}
    assert "'server_side_binding': True" in _options(postgres)
    assert "'prepare_threshold': 5" in _options(postgres)
    assert "server_side_binding" not in _options({**postgres, "DB_PREPARED_STATEMENTS": "false"})
    assert "server_side_binding" not in _options({"DATABASE_URL": "sqlite:///:memory:"})


@pytest.mark.django_db
def test_a_statement_run_often_is_prepared_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        for _ in range(6):
            cursor.execute("SELECT count(*) FROM places_administrativeunit WHERE level = %s", [1])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("places_administrativeunit WHERE level = $1" in text for text in prepared), prepared
