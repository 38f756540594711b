"""Encryption of identifying fields at rest and keyed hashes for exact matching.

Values are sealed with AES-256-GCM (authenticated: a changed byte fails to open). The stored
form is 'enc:<key id>:<base64url(nonce || ciphertext || tag)>', so a value names the key that
sealed it and keys can be rotated one row at a time while the system keeps running (see
`manage.py rotate_field_keys`). The associated data binds a value to its column, so a
ciphertext copied into another column does not open.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from haidang.common.text import CharTable, fold

PREFIX = "enc"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
# Key ids appear in every stored value and in SQL prefix filters: keep them short and plain.
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
_B64URL_UNPADDED = re.compile(r"[A-Za-z0-9_-]*")
_B64URL_VALUE = {
    symbol: value for value, symbol in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}


class DecryptionError(Exception):
    """A stored value could not be opened (unknown key, or the value was altered)."""


@dataclass(frozen=True)
class KeyRing:
    active_id: str
    keys: dict[str, AESGCM]


@dataclass(frozen=True)
class SealedParts:
    key_id: str
    nonce: bytes
    ciphertext: bytes


def _decode_key(encoded: str, name: str) -> bytes:
    """Key material in base64, url-safe or standard, padded or not; anything else is refused."""
    text = encoded.strip().rstrip("=").translate(str.maketrans("-_", "+/"))
    try:
        # validate=True: a stray character is an error, not silently dropped.
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name} is not valid base64.") from None


def _decode_payload(text: str) -> bytes | None:
    """Strict, canonical unpadded base64url, or None.

    The plain decoder ignores stray characters and the unused low bits of the last symbol, so
    several stored strings would open to the same value; only the canonical one is accepted.
    """
    tail = len(text) % 4
    if not _B64URL_UNPADDED.fullmatch(text) or tail == 1:
        return None
    # The canonical form is the one whose last symbol's unused low bits are zero (4 of them when two
    # symbols end the text, 2 when three do); checked on that symbol instead of encoding everything again.
    if tail and _B64URL_VALUE[text[-1]] & (0x0F if tail == 2 else 0x03):
        return None
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _encode_payload(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@lru_cache(maxsize=8)
def _parse_keys(entries: tuple[str, ...]) -> KeyRing:
    keys: dict[str, AESGCM] = {}
    for entry in entries:
        key_id, sep, encoded = entry.partition(":")
        if not sep or not KEY_ID_PATTERN.fullmatch(key_id) or key_id in keys:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS entries must be '<unique id>:<base64 key>', the id made of "
                "letters, digits, '-' or '_' (at most 32)."
            )
        raw = _decode_key(encoded, f"Field-encryption key {key_id!r}")
        if len(raw) != KEY_BYTES:
            raise ImproperlyConfigured(f"Field-encryption key {key_id!r} must be 32 bytes (AES-256).")
        keys[key_id] = AESGCM(raw)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds no key.")
    return KeyRing(active_id=entries[0].partition(":")[0], keys=keys)


def key_ring() -> KeyRing:
    # Cached on the tuple of entries, so overridden settings (tests, rotation) take effect at once.
    return _parse_keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def parse_sealed(stored: str) -> SealedParts | None:
    """The parts of a well-formed sealed value, or None (nothing is decrypted here)."""
    prefix, sep, rest = stored.partition(":")
    key_id, sep2, payload = rest.partition(":")
    if prefix != PREFIX or not sep or not sep2 or not KEY_ID_PATTERN.fullmatch(key_id):
        return None
    blob = _decode_payload(payload)
    if blob is None or len(blob) < NONCE_BYTES + TAG_BYTES:
        return None
    return SealedParts(key_id=key_id, nonce=blob[:NONCE_BYTES], ciphertext=blob[NONCE_BYTES:])


def key_id_of(value: str) -> str | None:
    """The key id of a well-formed sealed value, else None (so free text is never echoed as an id)."""
    parts = parse_sealed(value)
    return parts.key_id if parts else None


def seal(plaintext: str, *, context: str) -> str:
    ring = key_ring()
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = ring.keys[ring.active_id].encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{PREFIX}:{ring.active_id}:{_encode_payload(nonce + ciphertext)}"


def open_sealed(stored: str, *, context: str) -> str:
    """The plaintext of a sealed value; DecryptionError (naming the context, never the value) if not.

    Error messages are safe to log: they name the column and the key id, nothing of the content.
    """
    parts = parse_sealed(stored)
    if parts is None:
        raise DecryptionError(f"{context}: malformed sealed value")
    aead = key_ring().keys.get(parts.key_id)
    if aead is None:
        raise DecryptionError(f"{context}: no key with id {parts.key_id!r} is configured")
    try:
        plaintext = aead.decrypt(parts.nonce, parts.ciphertext, context.encode("utf-8"))
    except InvalidTag:
        raise DecryptionError(
            f"{context}: sealed value failed authentication (altered, or copied from another field)"
        ) from None
    return plaintext.decode("utf-8")


@lru_cache(maxsize=4)
def _hash_key(encoded: str) -> bytes:
    raw = _decode_key(encoded, "FIELD_HASH_KEY")
    if len(raw) < KEY_BYTES:
        raise ImproperlyConfigured("FIELD_HASH_KEY must hold at least 32 bytes.")
    return raw


def _normalise_char(ch: str) -> str:
    # NFKC first so full-width digits and letters (some phone keyboards) match plain ones;
    # fold then drops case and diacritics, and everything but letters and digits goes.
    return "".join(c for c in fold(unicodedata.normalize("NFKC", ch)) if c.isalnum())


# Character by character: NFKC then `fold` decomposes again (NFD of NFKC is NFKD, which is per character
# but for the order of combining marks, and those are dropped), so a text's normal form is its
# characters' normal forms joined (`tests/test_crypto.py` checks this against the whole-text form).
_NORMALISED = CharTable(_normalise_char)


def normalise_for_hash(value: str | None) -> str:
    return value.translate(_NORMALISED) if value else ""


def keyed_hash(value: str | None, *, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value: equal documents match without storing the number.

    Normalisation folds case, diacritics, spaces and separators, so 'B 1234-567' and 'b1234567'
    give the same hash. `purpose` separates hash spaces (a passport never matches a phone).
    An empty value gives "" so blank fields never match each other.
    """
    if not purpose or "\x00" in purpose:
        raise ValueError("keyed_hash needs a non-empty purpose without NUL characters.")
    normalised = normalise_for_hash(value)
    if not normalised:
        return ""
    key = _hash_key(settings.FIELD_HASH_KEY)
    return hmac.digest(key, f"{purpose}\x00{normalised}".encode(), "sha256").hex()


# --- Fingerprints: naming a key in public (a backup's manifest) without revealing it ----------------


def fingerprint(secret: bytes) -> str:
    """A short, public name for key material: equal keys give equal fingerprints, nothing else is learnt."""
    return hmac.new(secret, b"haidang key fingerprint v1", hashlib.sha256).hexdigest()[:32]


def field_key_fingerprints() -> dict[str, str]:
    """{key id: fingerprint} of every configured field-encryption key (FIELD_ENCRYPTION_KEYS)."""
    found = {}
    for entry in settings.FIELD_ENCRYPTION_KEYS:
        key_id, _sep, encoded = entry.partition(":")
        found[key_id] = fingerprint(_decode_key(encoded, f"Field-encryption key {key_id!r}"))
    return found


def hash_key_fingerprint() -> str:
    return fingerprint(_hash_key(settings.FIELD_HASH_KEY))
