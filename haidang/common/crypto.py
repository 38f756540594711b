"""Encryption of identifying fields at rest and keyed hashes for exact matching.

Values are sealed with AES-256-GCM (authenticated: a changed byte fails to open). The stored
form is 'enc:<key id>:<base64url(nonce || ciphertext)>', so a value names the key that sealed
it and keys can be rotated one row at a time while the system keeps running. The associated
data binds a value to its column, so a ciphertext copied into another column does not open.
"""

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from haidang.common.text import fold

PREFIX = "enc"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be opened (unknown key, or the value was altered)."""


@dataclass(frozen=True)
class KeyRing:
    active_id: str
    keys: dict[str, AESGCM]


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=8)
def _parse_keys(entries: tuple[str, ...]) -> KeyRing:
    keys: dict[str, AESGCM] = {}
    for entry in entries:
        key_id, sep, encoded = entry.partition(":")
        if not sep or not key_id or key_id in keys:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS entries must be '<unique id>:<base64 key>'.")
        try:
            raw = _b64decode(encoded)
        except ValueError:
            raise ImproperlyConfigured(f"Field-encryption key {key_id!r} is not valid base64.") from None
        if len(raw) != 32:
            raise ImproperlyConfigured(f"Field-encryption key {key_id!r} must be 32 bytes (AES-256).")
        keys[key_id] = AESGCM(raw)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds no key.")
    return KeyRing(active_id=entries[0].partition(":")[0], keys=keys)


def key_ring() -> KeyRing:
    return _parse_keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def key_id_of(value: str) -> str | None:
    if not is_sealed(value):
        return None
    return value.split(":", 2)[1]


def seal(plaintext: str, *, context: str) -> str:
    ring = key_ring()
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = ring.keys[ring.active_id].encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{PREFIX}:{ring.active_id}:{base64.urlsafe_b64encode(nonce + ciphertext).decode().rstrip('=')}"


def open_sealed(stored: str, *, context: str) -> str:
    try:
        _, key_id, payload = stored.split(":", 2)
    except ValueError:
        raise DecryptionError("malformed sealed value") from None
    aead = key_ring().keys.get(key_id)
    if aead is None:
        raise DecryptionError(f"no key with id {key_id!r} is configured")
    try:
        blob = _b64decode(payload)
        return aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode("utf-8")).decode("utf-8")
    except (InvalidTag, ValueError):
        raise DecryptionError("sealed value failed authentication") from None


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value: equal documents match without storing the number.

    Normalisation folds case, diacritics, spaces and separators, so 'B 1234-567' and 'b1234567'
    give the same hash. `purpose` separates hash spaces (a passport never matches a phone).
    """
    normalised = "".join(ch for ch in fold(value) if ch.isalnum())
    if not normalised:
        return ""
    key = _b64decode(settings.FIELD_HASH_KEY)
    return hmac.new(key, f"{purpose}\x00{normalised}".encode(), hashlib.sha256).hexdigest()
