"""Writing and reading the archive: a tar stream (database, files, manifest last) inside the sealing."""

import hashlib
import io
import json
import os
import tarfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.utils.translation import gettext as _

from haidang.operations.backup.sealing import BackupKey, SealedWriter, SealingError, read_header, unseal

MANIFEST = "manifest.json"
DATABASE_DIR = "database/"
FILES_DIR = "files/"
CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(content))


def write_archive(
    path: Path,
    key: BackupKey,
    *,
    database_file: Path,
    files: Iterable[tuple[str, Callable[[], bytes]]],
    manifest: dict,
) -> dict:
    """Write the sealed archive at `path` (atomically, owner-only); returns the manifest as written.

    `files` gives (storage name, reader) pairs; the manifest gets each file's size and SHA-256, and
    the database copy's, and goes in last.
    """
    manifest = dict(manifest)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            writer = SealedWriter(raw, key)
            with tarfile.open(fileobj=writer, mode="w|gz", format=tarfile.PAX_FORMAT) as tar:
                tar.add(str(database_file), arcname=DATABASE_DIR + database_file.name, recursive=False)
                manifest["database"] = {
                    **manifest.get("database", {}),
                    "file": database_file.name,
                    "size": database_file.stat().st_size,
                    "sha256": sha256_of(database_file),
                }
                listed = []
                for name, read in files:
                    content = read()
                    _add_bytes(tar, FILES_DIR + name, content)
                    listed.append({"name": name, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()})
                manifest["files"] = listed
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
            writer.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def archive_key_id(path: Path) -> str:
    with open(path, "rb") as raw:
        return read_header(raw)["key_id"]


def open_archive(path: Path, keys: list[BackupKey], workdir: Path) -> tuple[dict, Path]:
    """Open and check the whole archive into `workdir`: (manifest, extracted folder). Nothing else is touched.

    SealingError when no configured key opens it or it was altered or cut short.
    """
    with open(path, "rb") as raw:
        header = read_header(raw)
        key = next((key for key in keys if key.key_id == header["key_id"]), None)
        if key is None:
            configured = ", ".join(key.key_id for key in keys) or "none"
            raise SealingError(
                _("the archive was sealed with backup key %(key)s, which is not configured (BACKUP_KEYS has: %(ids)s)")
                % {"key": repr(header["key_id"]), "ids": configured}
            )
        tar_path = workdir / "archive.tar"
        with open(tar_path, "wb") as out:
            unseal(raw, key, header, out)
    extracted = workdir / "extracted"
    extracted.mkdir()
    with tarfile.open(tar_path) as tar:
        # The "data" filter refuses absolute paths, links outside the folder and device files.
        tar.extractall(extracted, filter="data")
    tar_path.unlink()
    manifest_path = extracted / MANIFEST
    if not manifest_path.is_file():
        raise SealingError(_("the archive holds no manifest"))
    return json.loads(manifest_path.read_text(encoding="utf-8")), extracted
