"""Local key file for development machines.

`make run` calls `python -m haidang.common.keys var/local-keys.json` once; the file is
git-ignored and never overwritten. Production takes the same values from the environment.
"""

import base64
import json
import os
import secrets
import sys
from pathlib import Path


def new_field_key(key_id: str) -> str:
    """A field-encryption key entry: '<id>:<base64 of 32 random bytes>' (AES-256-GCM)."""
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"


def _new_keys() -> dict:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": [new_field_key("k1")],
        "FIELD_HASH_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        # Signs the audit log's sealed batches (Ed25519 seed).
        "AUDIT_SIGNING_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        # Seals backup archives (manage.py backup); never one of the field keys.
        "BACKUP_KEYS": [new_field_key("b1")],
        "METRICS_TOKEN": secrets.token_urlsafe(32),
        # Keys the pseudonyms of research extracts (HMAC per recipient); never a field key.
        "EXPORT_PSEUDONYM_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }


def create_local_keys(path: Path) -> bool:
    """Write a new key file at path unless one exists; True when a file was written.

    An existing file gets the keys added since it was made (the backup key, the metrics token); the
    keys already in it are never changed: the data is sealed under them.
    """
    keys = _new_keys()
    if path.exists():
        existing = read_local_keys(path)
        missing = {name: value for name, value in keys.items() if name not in existing}
        if not missing:
            return False
        _write(path, {**existing, **missing}, replace=True)
        return True
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, keys, replace=False)
    return True


def _write(path: Path, keys: dict, *, replace: bool) -> None:
    # Created with owner-only permissions before anything is written into it; replaced atomically.
    target = path.with_suffix(".tmp") if replace else path
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    fd = os.open(target, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(keys, handle, indent=2)
    if replace:
        os.replace(target, path)


def read_local_keys(path: Path) -> dict:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/local-keys.json")
    if create_local_keys(target):
        print(f"Created local keys in {target} (keep this file private; it is git-ignored).")
