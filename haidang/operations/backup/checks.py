"""What restore checks: before it touches anything (the archive fits this installation and its keys),
and after (the audit log verifies, sealed values open)."""

import hashlib
import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from django.db.models import Q
from django.utils.translation import gettext as _

from haidang.audit.models import AuditSeal
from haidang.common import crypto
from haidang.common.sealed import encrypted_targets
from haidang.operations.backup.archive import DATABASE_DIR, FILES_DIR, sha256_of
from haidang.operations.backup.sealing import BackupKey, parse_keys
from haidang.operations.backup.snapshot import BackupError, audit_head, sealed_file_models, vendor

FORMAT = 1


def backup_keys() -> list[BackupKey]:
    """The configured backup keys; BackupError if there are none, one is malformed, or one is a field key."""
    if not settings.BACKUP_KEYS:
        raise BackupError(
            _(
                "BACKUP_KEYS is not set: give the backup key through the environment (or BACKUP_KEYS_FILE). "
                "`make run` keeps one in var/local-keys.json."
            )
        )
    try:
        keys = parse_keys(settings.BACKUP_KEYS)
    except ValueError as error:
        raise BackupError(str(error)) from None
    field_prints = set(crypto.field_key_fingerprints().values()) | {crypto.hash_key_fingerprint()}
    for key in keys:
        if key.fingerprint() in field_prints:
            raise BackupError(
                _("Backup key %(key)s is also a field key: a backup must be sealed with a key of its own.")
                % {"key": repr(key.key_id)}
            )
    return keys


def key_facts() -> dict:
    return {"field_keys": crypto.field_key_fingerprints(), "hash_key": crypto.hash_key_fingerprint()}


def problems_before_restore(manifest: dict, extracted: Path) -> list[str]:
    """Everything that makes this archive wrong for this installation; empty when restore may go on."""
    if manifest.get("format") != FORMAT:
        return [
            _("the manifest's format %(format)s is not one this version reads") % {"format": manifest.get("format")}
        ]
    problems = []
    database = manifest.get("database", {})
    if database.get("vendor") != vendor():
        problems.append(
            _("the backup is of a %(then)s database, and this installation runs on %(now)s")
            % {"then": database.get("vendor"), "now": vendor()}
        )
    problems += _key_problems(manifest.get("keys", {}))
    problems += _migration_problems(manifest.get("migrations", {}))
    problems += _content_problems(manifest, extracted)
    return problems


def _key_problems(keys: dict) -> list[str]:
    problems = []
    here = crypto.field_key_fingerprints()
    then = keys.get("field_keys", {})
    for key_id, count in sorted(keys.get("sealed_values", {}).items()):
        if not count or key_id == "?":
            continue
        if key_id not in here:
            problems.append(
                _("%(count)s value(s) are sealed under field key %(key)s, which is not in FIELD_ENCRYPTION_KEYS")
                % {"count": count, "key": repr(key_id)}
            )
        elif then.get(key_id) != here[key_id]:
            problems.append(
                _(
                    "field key %(key)s configured here is not the key %(key)s that sealed the data "
                    "(fingerprint %(here)s… here, %(then)s… in the backup)"
                )
                % {"key": repr(key_id), "here": here[key_id][:8], "then": str(then.get(key_id))[:8]}
            )
    if keys.get("hash_key") != crypto.hash_key_fingerprint():
        problems.append(_("FIELD_HASH_KEY configured here is not the one the data was hashed with"))
    return problems


def _migration_problems(applied: dict[str, list[str]]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(f"{app}.{name}" for app, names in applied.items() for name in names if (app, name) not in known)
    if not unknown:
        return []
    shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
    return [
        _("the backup comes from a newer version of the application (migrations unknown here: %(names)s)")
        % {"names": shown}
    ]


def _content_problems(manifest: dict, extracted: Path) -> list[str]:
    problems = []
    database = manifest.get("database", {})
    path = extracted / DATABASE_DIR / str(database.get("file", ""))
    if not database.get("file") or not path.is_file() or sha256_of(path) != database.get("sha256"):
        problems.append(_("the database copy in the archive does not match its manifest"))
    for item in manifest.get("files", []):
        path = extracted / FILES_DIR / item["name"]
        if not path.is_file() or sha256_of(path) != item["sha256"]:
            problems.append(_("the file %(name)s in the archive does not match its manifest") % {"name": item["name"]})
    return problems


# --- After the restore ---------------------------------------------------------------------------------


def verify_audit_log(manifest: dict) -> str:
    """`verify_audit` on the restored database, and its head where the backup's was; its report line."""
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    head = audit_head("default")
    expected = manifest.get("audit", {})
    if head["last_id"] != expected.get("last_id"):
        raise BackupError(
            _("the restored audit log ends at entry %(here)s, the backup's ended at %(then)s")
            % {"here": head["last_id"], "then": expected.get("last_id")}
        )
    # The backup's last seal is there unchanged (entries it had not sealed yet may be sealed since).
    if expected.get("last_seal"):
        seal_hash = (
            AuditSeal.objects.filter(seq=expected["last_seal"]).values_list("seal_hash", flat=True).first() or ""
        )
        if seal_hash != expected.get("last_seal_hash"):
            raise BackupError(
                _("the restored audit seal %(seq)s is not the one the backup recorded") % {"seq": expected["last_seal"]}
            )
    return out.getvalue().strip()


def open_sample(limit: int) -> tuple[int, list[str]]:
    """Open up to `limit` sealed values of every sealed field and file, at random: (opened, problems)."""
    from haidang.cases.protection.attachments import open_attachment_content

    opened, problems = 0, []
    for target in encrypted_targets():
        manager = target.model._base_manager
        for fld in target.fields:
            present = ~Q(**{fld.attname: ""}) & Q(**{f"{fld.attname}__isnull": False})
            for pk in manager.filter(present).order_by("?").values_list("pk", flat=True)[:limit]:
                try:
                    manager.filter(pk=pk).values_list(fld.attname, flat=True).get()
                    opened += 1
                except crypto.DecryptionError as error:
                    problems.append(str(error))
    for model in sealed_file_models():
        for row in model._base_manager.order_by("?").values("pk", "content", "sha256")[:limit]:
            try:
                content = open_attachment_content(row["pk"], row["content"])
            except crypto.DecryptionError as error:
                problems.append(str(error))
                continue
            if hashlib.sha256(content).hexdigest() != row["sha256"]:
                problems.append(
                    _("%(model)s %(pk)s: the file opened but its hash differs")
                    % {"model": model._meta.label_lower, "pk": row["pk"]}
                )
            else:
                opened += 1
    return opened, problems
