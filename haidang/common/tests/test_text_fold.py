"""`fold` and the keyed hash's normal form go character by character through a table; they must equal
the whole-text forms they replace (decompose the text, drop combining marks, fold case) on any text."""

import random
import unicodedata

from haidang.common.crypto import normalise_for_hash
from haidang.common.text import fold

_LETTER_D = str.maketrans({"đ": "d", "Đ": "D"})


def whole_fold(value):
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", value.translate(_LETTER_D))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def whole_normalised(value):
    return "".join(ch for ch in whole_fold(unicodedata.normalize("NFKC", value or "")) if ch.isalnum())


# Characters whose forms depend on their neighbours in the whole-text forms, if anywhere: Vietnamese letters
# precomposed and decomposed, combining marks (in and out of canonical order), Hangul jamo that compose,
# compatibility forms, letters whose case folding grows or carries a mark, white space of several kinds.
TRICKY = (
    "aAeEoOuUyYiIdDđĐ ăâêôơưẠạẢảẤấẦầẨẩẪẫẬậỆệỜờỮữỲỳỹ"
    "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b\u0345\u0327\u0328\u05b0\u0e48"
    "\u1100\u1161\u11a8\uac00\u3131"
    "ＡＢ１２３ﬁﬃ½²ª℃Ⅻ㎏ｶﾞ\uff9e"
    "İıßẞΣσςΐϒ\u0390ǅǄ"
    "\t\n\u00a0\u2003\u3000-.,/_"
    "好漢ا\u064b"
)


def test_fold_and_the_hash_normal_form_equal_the_whole_text_forms():
    rng = random.Random(12)
    samples = [a + b for a in TRICKY for b in TRICKY]
    samples += ["".join(rng.choice(TRICKY) for _ in range(rng.randrange(1, 12))) for _ in range(20_000)]
    samples += ["Người Minh Họa 12 (minh họa)", "Thạch Thất", "NGUYỄN Thị  Hằng", "B 1234-567", "", "  "]
    for text in samples:
        assert fold(text) == whole_fold(text), repr(text)
        assert normalise_for_hash(text) == whole_normalised(text), repr(text)


def test_every_character_of_the_basic_plane_folds_as_before():
    text = "".join(chr(code) for code in range(0x20, 0xD800))
    assert fold(text) == whole_fold(text)
    assert normalise_for_hash(text) == whole_normalised(text)


def test_a_sealed_payload_is_read_only_in_its_canonical_form():
    """`_decode_payload` checks the last symbol's unused bits instead of encoding again: the same answers."""
    import base64
    import re

    from haidang.common.crypto import _decode_payload

    def encoded_again(text):
        if not re.fullmatch(r"[A-Za-z0-9_-]*", text) or len(text) % 4 == 1:
            return None
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return raw if base64.urlsafe_b64encode(raw).decode().rstrip("=") == text else None

    rng = random.Random(3)
    symbols = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    samples = [base64.urlsafe_b64encode(rng.randbytes(n)).decode().rstrip("=") for n in range(0, 40)]
    samples += ["".join(rng.choice(symbols) for _ in range(rng.randrange(0, 12))) for _ in range(20_000)]
    samples += ["ab=", "a+b/", "abc!", "QQ", "QR", "QUE", "QUF"]
    for text in samples:
        assert _decode_payload(text) == encoded_again(text), text
