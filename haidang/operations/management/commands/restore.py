"""manage.py restore: bring back a backup archive, after checking it fits this installation and its keys."""

import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from haidang.operations.backup.archive import DATABASE_DIR, FILES_DIR, open_archive
from haidang.operations.backup.checks import backup_keys, open_sample, problems_before_restore, verify_audit_log
from haidang.operations.backup.sealing import SealingError
from haidang.operations.backup.snapshot import BackupError, postgres_args, require_tool


class Command(BaseCommand):
    help = (
        "Restore a backup archive made by `manage.py backup` into the configured database and file storage. "
        "Before anything is changed it checks that a configured backup key opens the archive, that every "
        "field key the data is sealed under is configured (the same key, by fingerprint), that the "
        "application knows every migration, and every hash. It ends by running verify_audit and opening a "
        "sample of sealed values. Stop the application servers and job workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The archive (.hdbak) to restore.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the data of a database that is not empty (without it, restore only fills an empty one).",
        )
        parser.add_argument("--sample", type=int, default=20, help="Sealed values opened per field at the end (20).")

    def handle(self, *args, archive: str, replace: bool, sample: int, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        with tempfile.TemporaryDirectory(prefix="haidang-restore-") as workdir:
            manifest, extracted = self._open_and_check(path, Path(workdir))
            if self._has_tables() and not replace:
                raise CommandError(
                    _(
                        "Refused, nothing was changed: the database is not empty. Give --replace to replace "
                        "its data with the backup's."
                    )
                )
            database_file = extracted / DATABASE_DIR / manifest["database"]["file"]
            self._restore_database(database_file, manifest["database"]["vendor"])
            restored_files = self._restore_files(manifest, extracted)
        call_command("migrate", interactive=False, verbosity=0)
        self._verify(manifest, restored_files, sample)

    def _open_and_check(self, path: Path, workdir: Path) -> tuple[dict, Path]:
        try:
            keys = backup_keys()
            manifest, extracted = open_archive(path, keys, workdir)
        except (BackupError, SealingError) as error:
            raise CommandError(_("Refused, nothing was changed: %(reason)s.") % {"reason": error}) from None
        problems = problems_before_restore(manifest, extracted)
        if problems:
            listed = "\n".join(f"  - {problem}" for problem in problems)
            raise CommandError(
                _("Refused, nothing was changed. The backup does not fit this installation:\n%(problems)s")
                % {"problems": listed}
            )
        return manifest, extracted

    @staticmethod
    def _has_tables() -> bool:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            return bool(connection.introspection.table_names(cursor))

    def _restore_database(self, database_file: Path, vendor: str) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        if vendor == "sqlite":
            connection.close()
            source = sqlite3.connect(database_file)
            target = sqlite3.connect(connection.settings_dict["NAME"])
            try:
                # Page by page into the configured file, whatever it held (the backup API replaces it all).
                source.backup(target)
            finally:
                source.close()
                target.close()
            return
        pg_restore = require_tool("pg_restore")
        with connection.cursor() as cursor:
            # Everything the application made lives in the public schema.
            cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        connection.close()
        args, env = postgres_args(connection.settings_dict)
        result = subprocess.run(  # noqa: S603 (arguments from the settings, no shell)
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(database_file),
            ],  # fmt: skip
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(_("pg_restore failed: %(error)s") % {"error": result.stderr.strip()[-500:]})

    @staticmethod
    def _restore_files(manifest: dict, extracted: Path) -> int:
        for item in manifest.get("files", []):
            name = item["name"]
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, ContentFile((extracted / FILES_DIR / name).read_bytes()))
            if saved != name:
                raise CommandError(_("The storage renamed %(name)s while restoring it.") % {"name": name})
        return len(manifest.get("files", []))

    def _verify(self, manifest: dict, restored_files: int, sample: int) -> None:
        try:
            audit = verify_audit_log(manifest)
        except (CommandError, BackupError) as error:
            raise CommandError(
                _("The backup was restored, but its audit log does not verify: %(reason)s") % {"reason": error}
            ) from None
        opened, problems = open_sample(sample)
        if problems:
            listed = "\n".join(f"  - {problem}" for problem in problems[:20])
            raise CommandError(
                _("The backup was restored, but some sealed values do not open with the configured keys:\n%(problems)s")
                % {"problems": listed}
            )
        self.stdout.write(
            _(
                "Restored the backup of %(created)s (commit %(commit)s): database, %(files)s file(s). %(audit)s "
                "%(opened)s sealed value(s) opened with the configured keys."
            )
            % {
                "created": manifest.get("created_at", "?"),
                "commit": str(manifest.get("commit", "?"))[:12],
                "files": restored_files,
                "audit": audit,
                "opened": opened,
            }
        )
