"""manage.py backup: the database, the uploaded files and a manifest, in one archive sealed with the backup key."""

import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from haidang.operations.backup.archive import write_archive
from haidang.operations.backup.checks import FORMAT, backup_keys, key_facts
from haidang.operations.backup.snapshot import (
    BackupError,
    applied_migrations,
    audit_head,
    database_copy,
    sealed_value_counts,
    stored_file_names,
)


def current_commit() -> str:
    try:
        result = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "HEAD"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 else "unknown"


class Command(BaseCommand):
    help = (
        "Write a backup archive: a consistent copy of the database (SQLite online backup, or pg_dump), the "
        "uploaded files and a manifest (time, commit, migrations, key ids, audit chain head, file hashes), "
        "sealed with the backup key (BACKUP_KEYS). Restore it with `manage.py restore`. The archive is "
        "useless without the field keys (FIELD_ENCRYPTION_KEYS, FIELD_HASH_KEY): keep them, and the backup "
        "key, apart from the archives."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="The archive's path, or a folder for it (default: var/backups/haidang-<UTC time>.hdbak).",
        )

    def handle(self, *args, output: str | None, **options):
        try:
            key = backup_keys()[0]
        except BackupError as error:
            raise CommandError(str(error)) from None
        target = self._target(output)
        started = datetime.now(UTC)
        with tempfile.TemporaryDirectory(prefix="haidang-backup-") as workdir:
            try:
                with database_copy(Path(workdir)) as copy:
                    facts = {
                        "migrations": applied_migrations(copy.alias),
                        "audit": audit_head(copy.alias),
                        "sealed_values": sealed_value_counts(copy.alias),
                        "file_names": stored_file_names(copy.alias),
                    }
            except BackupError as error:
                raise CommandError(str(error)) from None
            names, missing = self._present(facts["file_names"])
            manifest = {
                "format": FORMAT,
                "created_at": started.isoformat(),
                "commit": current_commit(),
                "database": {"vendor": copy.vendor},
                "migrations": facts["migrations"],
                "audit": facts["audit"],
                "keys": {**key_facts(), "sealed_values": facts["sealed_values"], "backup_key": key.key_id},
                "missing_files": missing,
            }
            manifest = write_archive(
                target,
                key,
                database_file=copy.path,
                files=[(name, lambda name=name: self._read(name)) for name in names],
                manifest=manifest,
            )
        size = target.stat().st_size
        self.stdout.write(
            _(
                "Backup written: %(path)s (%(size)s bytes, sealed with backup key %(key)s): database, "
                "%(files)s file(s), audit log up to entry %(entry)s."
            )
            % {
                "path": target,
                "size": size,
                "key": key.key_id,
                "files": len(manifest["files"]),
                "entry": manifest["audit"]["last_id"],
            }
        )
        if missing:
            self.stderr.write(
                _("%(count)s file(s) named in the database were missing from storage and are not in the archive.")
                % {"count": len(missing)}
            )

    @staticmethod
    def _target(output: str | None) -> Path:
        name = f"haidang-{datetime.now(UTC):%Y%m%d-%H%M%S}.hdbak"
        if not output:
            folder = Path(settings.VAR_DIR) / "backups"
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            return folder / name
        path = Path(output)
        if path.is_dir():
            return path / name
        if path.exists():
            raise CommandError(_("%(path)s exists: a backup never overwrites a file.") % {"path": path})
        return path

    @staticmethod
    def _present(names: list[str]) -> tuple[list[str], list[str]]:
        present, missing = [], []
        for name in names:
            (present if default_storage.exists(name) else missing).append(name)
        return present, missing

    @staticmethod
    def _read(name: str) -> bytes:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
