"""The archive's encryption: AES-256-GCM over fixed-size segments, with a key that is not a field key.

    MAGIC | header length (4 bytes) | header JSON | segment...
    segment = ciphertext length (4 bytes) | AES-256-GCM(segment key, nonce, plaintext, aad=MAGIC+header)

The segment key is derived (HKDF-SHA256) from the backup key and a random salt in the header, so no
two archives share a key. A segment's nonce is a random prefix, its number and a "last" flag (the
STREAM construction): segments cannot be reordered, dropped, or the archive cut short without the
reader noticing. The header names the backup key's id, never anything of the data.
"""

import base64
import binascii
import json
import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils.translation import gettext as _

from haidang.common import crypto

MAGIC = b"HAIDANG-BACKUP\x00\x01"
SEGMENT_BYTES = 1024 * 1024
_LENGTH = struct.Struct(">I")
_MAX_HEADER = 4096
_KEY_BYTES = 32


class SealingError(Exception):
    """The archive cannot be opened: wrong key, altered, cut short, or not an archive at all."""


@dataclass(frozen=True)
class BackupKey:
    key_id: str
    secret: bytes

    def fingerprint(self) -> str:
        return crypto.fingerprint(self.secret)


def parse_keys(entries: list[str]) -> list[BackupKey]:
    """BACKUP_KEYS entries ('<id>:<base64 32 bytes>'); ValueError naming the entry's id if one is wrong."""
    keys = []
    for entry in entries:
        key_id, sep, encoded = entry.partition(":")
        if not sep or not key_id:
            raise ValueError("BACKUP_KEYS entries must be '<id>:<base64 key>'.")
        text = encoded.strip().rstrip("=").translate(str.maketrans("-_", "+/"))
        try:
            secret = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"Backup key {key_id!r} is not valid base64.") from None
        if len(secret) != _KEY_BYTES:
            raise ValueError(f"Backup key {key_id!r} must be 32 bytes.")
        keys.append(BackupKey(key_id, secret))
    return keys


def _segment_key(secret: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=salt, info=b"haidang-backup-v1").derive(secret)
    return AESGCM(derived)


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


class SealedWriter:
    """A write-only file object: what is written goes out sealed, segment by segment. Call close()."""

    def __init__(self, raw, key: BackupKey):
        self.raw = raw
        salt, self.prefix = os.urandom(16), os.urandom(7)
        header = json.dumps(
            {
                "format": 1,
                "key_id": key.key_id,
                "salt": salt.hex(),
                "nonce_prefix": self.prefix.hex(),
                "segment_bytes": SEGMENT_BYTES,
            },
            sort_keys=True,
        ).encode()
        self.aad = MAGIC + header
        self.aead = _segment_key(key.secret, salt)
        self.buffer = bytearray()
        self.number = 0
        raw.write(MAGIC + _LENGTH.pack(len(header)) + header)

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > SEGMENT_BYTES:
            self._seal(bytes(self.buffer[:SEGMENT_BYTES]), last=False)
            del self.buffer[:SEGMENT_BYTES]
        return len(data)

    def _seal(self, plaintext: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.prefix, self.number, last), plaintext, self.aad)
        self.raw.write(_LENGTH.pack(len(sealed)) + sealed)
        self.number += 1

    def close(self) -> None:
        self._seal(bytes(self.buffer), last=True)
        self.buffer.clear()

    def flush(self) -> None:
        """Nothing to do: a segment is written when full (tarfile calls this)."""


def read_header(raw) -> dict:
    """The archive's clear header ({"key_id", ...}); SealingError if it is not an archive."""
    if raw.read(len(MAGIC)) != MAGIC:
        raise SealingError(_("not a Hải Đăng backup archive"))
    (length,) = _LENGTH.unpack(raw.read(_LENGTH.size) or b"\0\0\0\0")
    if not 0 < length <= _MAX_HEADER:
        raise SealingError(_("the archive's header is damaged"))
    header_bytes = raw.read(length)
    try:
        header = json.loads(header_bytes)
    except ValueError:
        raise SealingError(_("the archive's header is damaged")) from None
    if header.get("format") != 1 or not isinstance(header.get("key_id"), str):
        raise SealingError(_("the archive's format is not one this version reads"))
    header["_bytes"] = header_bytes
    return header


def unseal(raw, key: BackupKey, header: dict, out) -> None:
    """Open every segment of `raw` (positioned after the header) into `out`; SealingError if anything is wrong."""
    aad = MAGIC + header["_bytes"]
    try:
        aead = _segment_key(key.secret, bytes.fromhex(header["salt"]))
        prefix = bytes.fromhex(header["nonce_prefix"])
    except (KeyError, ValueError, TypeError):
        raise SealingError(_("the archive's header is damaged")) from None
    if len(prefix) != 7:
        raise SealingError(_("the archive's header is damaged"))
    number = 0
    while True:
        length_bytes = raw.read(_LENGTH.size)
        if len(length_bytes) < _LENGTH.size:
            raise SealingError(_("the archive is cut short"))
        (length,) = _LENGTH.unpack(length_bytes)
        sealed = raw.read(length)
        if len(sealed) != length or length > header.get("segment_bytes", SEGMENT_BYTES) + 16 + 16:
            raise SealingError(_("the archive is cut short or damaged"))
        plaintext, last = _open_segment(aead, sealed, _nonce(prefix, number, False), _nonce(prefix, number, True), aad)
        if plaintext is None:
            raise SealingError(
                _(
                    "the archive does not open with backup key %(key)s "
                    "(another key of that name sealed it, or the archive was altered)"
                )
                % {"key": repr(key.key_id)}
            )
        out.write(plaintext)
        number += 1
        if last:
            if raw.read(1):
                raise SealingError(_("the archive has data after its last segment"))
            return


def _open_segment(aead: AESGCM, sealed: bytes, middle: bytes, last: bytes, aad: bytes) -> tuple[bytes | None, bool]:
    """The segment's plaintext and whether it is the last (None if it does not open under either nonce)."""
    for nonce, is_last in ((middle, False), (last, True)):
        try:
            return aead.decrypt(nonce, sealed, aad), is_last
        except InvalidTag:
            continue
    return None, False
