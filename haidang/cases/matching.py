"""The keyed hashes that find duplicate persons: the name without diacritics, case or word order, and
the identity document number. Below both the services (which store them on a person) and the
selectors (which search by them), so neither imports the other for them."""

from haidang.common.crypto import keyed_hash
from haidang.common.text import CharTable, fold_char

# A character of a name as its words are compared: folded, anything but a letter or digit a space.
_NAME_CHARS = CharTable(lambda ch: "".join(c if c.isalnum() else " " for c in fold_char(ch)))


def name_key(full_name: str) -> str:
    """Keyed hash of the name without diacritics, case or word order (for duplicate search)."""
    words = sorted(full_name.translate(_NAME_CHARS).split()) if full_name else []
    return keyed_hash(" ".join(words), purpose="person-name") if words else ""


def document_key(number: str) -> str:
    return keyed_hash(number, purpose="identity-document") if number else ""
