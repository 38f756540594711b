"""The keyed hashes that find duplicate persons: the name without diacritics, case or word order, and
the identity document number. Below both the services (which store them on a person) and the
selectors (which search by them), so neither imports the other for them."""

from haidang.common.crypto import keyed_hash
from haidang.common.text import fold


def name_key(full_name: str) -> str:
    """Keyed hash of the name without diacritics, case or word order (for duplicate search)."""
    words = sorted(word for word in ("".join(ch if ch.isalnum() else " " for ch in fold(full_name))).split())
    return keyed_hash(" ".join(words), purpose="person-name") if words else ""


def document_key(number: str) -> str:
    return keyed_hash(number, purpose="identity-document") if number else ""
