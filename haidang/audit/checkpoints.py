"""Signed checkpoints of the sealed audit log, kept outside the database.

Each seal (`models.AuditSeal`) is signed with Ed25519 and copied, as one JSON line, to an
append-only file (`AUDIT_CHECKPOINT_FILE`, by default `var/audit-checkpoints.jsonl`); with
`AUDIT_CHECKPOINT_EMAILS` set, the newest checkpoint is also e-mailed to the auditors at most every
`AUDIT_CHECKPOINT_EMAIL_MINUTES`. Whoever can rewrite the database but not this file (nor the
auditor's mailbox) can no longer cut off the end of the log unseen: `verify_audit` compares the
database's seals with every checkpoint in the file.

The signing key is `AUDIT_SIGNING_KEY` (base64 of a 32-byte Ed25519 seed), or, when it is not
set, one derived from SECRET_KEY. Its public half is written into every checkpoint; an auditor
pins it (`manage.py verify_audit -v 2` prints it). Keys used before a rotation are listed in
`AUDIT_TRUSTED_PUBLIC_KEYS` (hex).
"""

import base64
import fcntl
import json
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from haidang.audit.chain import canonical_time

logger = logging.getLogger(__name__)


# --- Signing -------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _private_key(configured: str, secret_key: str) -> Ed25519PrivateKey:
    if configured:
        seed = base64.urlsafe_b64decode(configured + "=" * (-len(configured) % 4))
    else:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"haidang-audit", info=b"checkpoint signing key")
        seed = hkdf.derive(secret_key.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_key() -> Ed25519PrivateKey:
    return _private_key(getattr(settings, "AUDIT_SIGNING_KEY", "") or "", settings.SECRET_KEY)


def public_key_hex(key: Ed25519PrivateKey | None = None) -> str:
    key = key or signing_key()
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def trusted_public_keys() -> frozenset[str]:
    extra = {k.strip().lower() for k in getattr(settings, "AUDIT_TRUSTED_PUBLIC_KEYS", []) or [] if k.strip()}
    return frozenset({public_key_hex(), *extra})


def sign(seal_hash: str) -> tuple[str, str]:
    """(signature, public key), both hex, over the seal's hash."""
    key = signing_key()
    return key.sign(bytes.fromhex(seal_hash)).hex(), public_key_hex(key)


def signature_valid(seal_hash: str, signature: str, public_key: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
            bytes.fromhex(signature), bytes.fromhex(seal_hash)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


# --- The file ------------------------------------------------------------------------------------


def checkpoint_path() -> Path | None:
    value = getattr(settings, "AUDIT_CHECKPOINT_FILE", "")
    return Path(value) if value else None


def checkpoint_of(seal) -> dict:
    return {
        "seq": seal.seq,
        "first_id": seal.first_id,
        "last_id": seal.last_id,
        "entry_count": seal.entry_count,
        "merkle_root": seal.merkle_root,
        "seal_hash": seal.seal_hash,
        "sealed_at": canonical_time(seal.sealed_at),
        "signature": seal.signature,
        "public_key": seal.public_key,
    }


@dataclass(frozen=True)
class CheckpointFile:
    checkpoints: list[dict]
    damaged_lines: list[int]  # 1-based numbers of lines that are not a checkpoint (not the last, unfinished one)


def read_checkpoints(path: Path) -> CheckpointFile:
    """Every checkpoint in the file. A last line without its newline was cut by a crash and is skipped
    (the next writer removes it)."""
    if not path.exists():
        return CheckpointFile([], [])
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        lines.pop()  # unfinished: the writer died half-way through it
    checkpoints, damaged = [], []
    for number, line in enumerate(lines, start=1):
        try:
            item = json.loads(line)
            int(item["seq"]), str(item["seal_hash"])
        except (ValueError, KeyError, TypeError):
            damaged.append(number)
            continue
        checkpoints.append(item)
    return CheckpointFile(checkpoints, damaged)


def _last_seq_in(handle) -> int:
    """The newest checkpoint's seq; a last line cut by a crash (no newline) is cut off the file first."""
    handle.seek(0)
    text = handle.read()
    if text and not text.endswith("\n"):
        keep = text.rfind("\n") + 1
        handle.truncate(len(text[:keep].encode("utf-8")))
        text = text[:keep]
    last = 0
    for line in text.split("\n"):
        try:
            last = max(last, int(json.loads(line)["seq"]))
        except (ValueError, KeyError, TypeError):
            continue
    return last


def write_checkpoints(seals_after) -> int:
    """Append the checkpoints the file lacks; `seals_after(seq)` gives the seals after seq, in order.

    Under an exclusive lock on the file, so two sealers on one machine never interleave lines; a
    line cut by a crash is removed first (its seal is written again). Returns the lines written.
    """
    path = checkpoint_path()
    if path is None:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            last = _last_seq_in(handle)
            written = 0
            for seal in seals_after(last):
                handle.write(json.dumps(checkpoint_of(seal), sort_keys=True) + "\n")
                written += 1
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return written


# --- E-mail to the auditors ----------------------------------------------------------------------


def email_checkpoint(seal) -> bool:
    """Send the newest checkpoint to AUDIT_CHECKPOINT_EMAILS unless one went out recently; True if sent."""
    recipients = list(getattr(settings, "AUDIT_CHECKPOINT_EMAILS", []) or [])
    path = checkpoint_path()
    if not recipients or seal is None:
        return False
    minutes = getattr(settings, "AUDIT_CHECKPOINT_EMAIL_MINUTES", 60)
    stamp = path.with_name(path.name + ".emailed") if path else None
    now = timezone.now().timestamp()
    if stamp is not None and stamp.exists() and now - stamp.stat().st_mtime < minutes * 60:
        return False
    body = json.dumps(checkpoint_of(seal), sort_keys=True, indent=2)
    # No personal data: a checkpoint holds counts, ids and hashes only.
    subject = f"Hải Đăng audit checkpoint {seal.seq} (entries up to {seal.last_id})"
    try:
        send_mail(subject, body, None, recipients)
    except OSError:
        logger.exception("The audit checkpoint e-mail could not be sent")
        return False
    if stamp is not None:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    return True
