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


def fold_char(ch: str) -> str:
    """One character folded as `fold` folds it (white space kept): 'Ạ' -> 'a', 'Đ' -> 'd', U+0301 -> ''."""
    decomposed = unicodedata.normalize("NFD", ch.translate(_LETTER_D))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class CharTable(dict):
    """A `str.translate` table filled on first use from a function of one character.

    Only for a function that works character by character: `fold`'s decomposition, removal of
    combining marks and case folding do (a combining mark is dropped whatever it follows, and case
    folding has no context), so the text translated through the table equals the function of the
    whole text, at C speed after each distinct character's first use.
    """

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, code: int) -> str:
        value = self[code] = self.function(chr(code))
        return value


_FOLD = CharTable(fold_char)


def fold(value: str | None) -> str:
    """Lower-case ASCII key without diacritics: 'Thạch Thất' -> 'thach that', 'Đình' -> 'dinh'."""
    if not value:
        return ""
    return " ".join(value.translate(_FOLD).split())
