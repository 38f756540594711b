"""A copy of the database and the facts the manifest states about it, both from one consistent view.

- SQLite: the online backup API copies the live file page by page (writers may go on); the facts are
  then read from the copy, through a temporary connection alias.
- PostgreSQL: a read-only REPEATABLE READ transaction exports its snapshot; `pg_dump -Fc --snapshot`
  dumps exactly that snapshot while the facts are read inside the same transaction.
"""

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from haidang.audit.models import AuditEntry, AuditSeal
from haidang.common import crypto
from haidang.common.sealed import encrypted_targets

SNAPSHOT_ALIAS = "backup_snapshot"


class BackupError(Exception):
    """Backup or restore cannot go on; the message says why and never quotes data."""


@dataclass(frozen=True)
class DatabaseCopy:
    vendor: str
    path: Path
    alias: str  # Where the facts about the copy can be read.


def vendor() -> str:
    return connections[DEFAULT_DB_ALIAS].vendor


def postgres_args(settings_dict: dict) -> tuple[list[str], dict]:
    """Connection arguments and environment for pg_dump / pg_restore (the password never on the command line)."""
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("%(tool)s is not installed (PostgreSQL client tools are needed: apt-get install postgresql-client).")
            % {"tool": name}
        )
    return path


@contextmanager
def database_copy(workdir: Path) -> Iterator[DatabaseCopy]:
    kind = vendor()
    if kind == "sqlite":
        yield from _sqlite_copy(workdir)
    elif kind == "postgresql":
        yield from _postgresql_copy(workdir)
    else:
        raise BackupError(_("Backups are made for SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": kind})


def _sqlite_copy(workdir: Path):
    target = workdir / "database.sqlite3"
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    settings_dict = dict(connections.settings[DEFAULT_DB_ALIAS])
    settings_dict.update(NAME=str(target), OPTIONS={"init_command": "PRAGMA query_only=ON;"})
    connections.settings[SNAPSHOT_ALIAS] = settings_dict
    try:
        yield DatabaseCopy("sqlite", target, SNAPSHOT_ALIAS)
    finally:
        connections[SNAPSHOT_ALIAS].close()
        del connections[SNAPSHOT_ALIAS]
        del connections.settings[SNAPSHOT_ALIAS]


def _postgresql_copy(workdir: Path):
    target = workdir / "database.pgdump"
    connection = connections[DEFAULT_DB_ALIAS]
    pg_dump = require_tool("pg_dump")
    with transaction.atomic(using=DEFAULT_DB_ALIAS), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        args, env = postgres_args(connection.settings_dict)
        result = subprocess.run(  # noqa: S603 (arguments from the settings, no shell)
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
                *args,
            ],  # fmt: skip
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(_("pg_dump failed: %(error)s") % {"error": result.stderr.strip()[-500:]})
        yield DatabaseCopy("postgresql", target, DEFAULT_DB_ALIAS)


# --- Facts about a database --------------------------------------------------------------------------


def applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder.Migration.objects.using(using).values_list("app", "name"):
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def audit_head(using: str) -> dict:
    """Where the audit log ends: its last entry, and its last sealed batch (`audit.sealing`) with the
    hash that chains every seal before it."""
    last_id = AuditEntry.objects.using(using).aggregate(last=Max("id"))["last"] or 0
    seal = AuditSeal.objects.using(using).order_by("-seq").values("seq", "last_id", "seal_hash").first() or {}
    return {
        "last_id": last_id,
        "sealed_to": seal.get("last_id", 0),
        "last_seal": seal.get("seq", 0),
        "last_seal_hash": seal.get("seal_hash", ""),
    }


def sealed_value_counts(using: str) -> dict[str, int]:
    """How many stored values each field key id seals (text fields and sealed files), from the stored text."""
    counts: dict[str, int] = {}
    ring_ids = list(crypto.key_ring().keys)
    for target in encrypted_targets():
        queryset = target.queryset(using)
        for alias in target.aliases:
            aggregates = {
                f"k_{index}": Count("pk", filter=Q(**{f"{alias}__startswith": f"{crypto.PREFIX}:{key_id}:"}))
                for index, key_id in enumerate(ring_ids)
            }
            aggregates["total"] = Count("pk", filter=Q(**{f"{alias}__isnull": False}) & ~Q(**{alias: ""}))
            row = queryset.aggregate(**aggregates)
            for index, key_id in enumerate(ring_ids):
                counts[key_id] = counts.get(key_id, 0) + row[f"k_{index}"]
            unknown = row["total"] - sum(row[f"k_{index}"] for index in range(len(ring_ids)))
            if unknown:
                counts["?"] = counts.get("?", 0) + unknown
    for model in sealed_file_models():
        for key_id, number in model._base_manager.using(using).values_list("key_id").annotate(n=Count("pk")):
            counts[key_id] = counts.get(key_id, 0) + number
    return dict(sorted(counts.items()))


def sealed_file_models() -> list[type[models.Model]]:
    """Models keeping sealed files in the database: a `key_id` column beside binary `content`."""
    found = []
    for model in apps.get_models():
        names = {fld.name: fld for fld in model._meta.concrete_fields}
        if "key_id" in names and isinstance(names.get("content"), models.BinaryField):
            found.append(model)
    return found


def stored_file_names(using: str) -> list[str]:
    """Every file name a FileField of any model refers to (files kept in the configured storage)."""
    names: set[str] = set()
    for model in apps.get_models():
        for fld in model._meta.concrete_fields:
            if isinstance(fld, models.FileField):
                values = (
                    model._base_manager.using(using).exclude(**{fld.attname: ""}).values_list(fld.attname, flat=True)
                )
                names.update(value for value in values if value)
    return sorted(names)
