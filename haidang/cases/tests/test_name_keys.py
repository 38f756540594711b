"""The name key goes character by character through a table; it must equal the key of the folded words."""

import random

from haidang.cases.matching import name_key
from haidang.common.crypto import keyed_hash
from haidang.common.tests.test_text_fold import TRICKY, whole_fold


def test_name_keys_are_those_of_the_folded_words():
    def whole_name_key(full_name):
        words = sorted("".join(ch if ch.isalnum() else " " for ch in whole_fold(full_name)).split())
        return keyed_hash(" ".join(words), purpose="person-name") if words else ""

    rng = random.Random(7)
    samples = ["".join(rng.choice(TRICKY) for _ in range(rng.randrange(0, 14))) for _ in range(3000)]
    for text in [*samples, "Nguyễn Văn  A", "a nguyen van", "Trần-Thị Hoa", ""]:
        assert name_key(text) == whole_name_key(text), repr(text)
