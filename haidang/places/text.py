"""Sorting unit names the way a Vietnamese reader expects.

Code-point order puts "Đ" after "Z" and "Ă", "Â" far from "A"; a folded (diacritic-free) order
mixes "Ba", "Bà" and "Bá" arbitrarily. Vietnamese dictionaries compare syllable by syllable: the
letters of the Vietnamese alphabet (a ă â b c d đ e ê … o ô ơ … u ư …) first, then the tone
(ngang, huyền, hỏi, ngã, sắc, nặng), then the next syllable. Units are ordered by their proper
name, so "Xã Bát Tràng" sits between "Phường Bạch Mai" and "Phường Bến Nghé" rather than after
every "Phường"; numbers sort by value ("Phường 2" before "Phường 10").

The key uses only the letters a–z, in fixed-width pairs, so it compares the same under SQLite's
binary collation and under PostgreSQL's locale collations (which ignore punctuation and case).
"""

import unicodedata

from haidang.common.text import clean_text

# Type words in front of a unit's proper name, longest first so "Thành phố" wins over shorter ones.
TYPE_PREFIXES = (
    "thành phố trung ương",
    "thành phố",
    "thị trấn",
    "đặc khu",
    "thị xã",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "xã",
)

_ALPHABET = "0123456789aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {ch: i + 1 for i, ch in enumerate(_ALPHABET)}  # 0 marks the end of a syllable
_LETTER_MARKS = {"\u0306": "(", "\u0302": "^", "\u031b": "+"}  # breve, circumflex, horn
_WITH_MARK = {
    ("a", "("): "ă",
    ("a", "^"): "â",
    ("e", "^"): "ê",
    ("o", "^"): "ô",
    ("o", "+"): "ơ",
    ("u", "+"): "ư",
}
# Tone marks in dictionary order: (none), huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_END = "aa"


def _pair(rank: int) -> str:
    return chr(97 + rank // 26) + chr(97 + rank % 26)


def proper_name(name: str) -> str:
    """'Huyện Thạch Thất' -> 'Thạch Thất'; a name without a known type word is returned as is."""
    cleaned = clean_text(name)
    lowered = cleaned.lower()
    for prefix in TYPE_PREFIXES:
        if lowered.startswith(prefix + " ") and len(cleaned) > len(prefix) + 1:
            return cleaned[len(prefix) + 1 :]
    return cleaned


def _syllables(text: str) -> list[str]:
    words, current = [], []
    for ch in text.lower():
        if ch.isalnum():
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _encode(text: str) -> str:
    out: list[str] = []
    for syllable in _syllables(text):
        if syllable.isdigit():
            syllable = syllable.zfill(6)  # "2" before "10"
        tone = 0
        for ch in syllable:
            parts = unicodedata.normalize("NFD", ch)
            base = parts[0]
            for mark in parts[1:]:
                if mark in _LETTER_MARKS:
                    base = _WITH_MARK.get((base, _LETTER_MARKS[mark]), base)
                tone = _TONES.get(mark, tone)
            rank = _RANK.get(base)
            if rank is not None:
                out.append(_pair(rank))
        out.append(_END + chr(97 + tone))
    return "".join(out)


def vietnamese_sort_key(name: str, max_length: int = 255) -> str:
    """A key that sorts by proper name in Vietnamese dictionary order, then by the full name."""
    return (_encode(proper_name(name)) + _END + _encode(clean_text(name)))[:max_length]
