"""Vietnamese text helpers: NFC on the way in, diacritic-free keys for search and matching."""

import unicodedata

_LETTER_D = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def clean_text(value: str | None) -> str:
    """NFC-normalised, with runs of white space folded to one space and ends trimmed."""
    if not value:
        return ""
    return " ".join(nfc(value).split())


def fold(value: str | None) -> str:
    """Lower-case ASCII key without diacritics: 'Thạch Thất' -> 'thach that', 'Đình' -> 'dinh'."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", value.translate(_LETTER_D))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
