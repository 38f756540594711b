"""Vietnamese is complete: every message has a translation, none is fuzzy, the .mo is current."""

import ast
import re
import unicodedata
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[3] / "locale"


def po_entries(path: Path):
    """(msgid, [msgstr...], flags) for every entry but the header, from a .po file."""
    entries, flags, msgid, msgstrs, current = [], "", None, [], None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if msgid is not None:
                entries.append((msgid, msgstrs, flags))
            flags, msgid, msgstrs, current = "", None, [], None
        elif line.startswith("#,"):
            flags = line
        elif line.startswith("msgid "):
            msgid, current = _unquote(line[6:]), "id"
        elif line.startswith("msgid_plural "):
            current = "plural"
        elif line.startswith("msgstr"):
            msgstrs.append(_unquote(line.split(" ", 1)[1]))
            current = "str"
        elif line.startswith('"'):
            if current == "id":
                msgid += _unquote(line)
            elif current == "str":
                msgstrs[-1] += _unquote(line)
    return [entry for entry in entries if entry[0]]


def _unquote(text: str) -> str:
    # .po strings use C escapes, which a Python string literal reads the same way.
    return ast.literal_eval(text.strip())


@pytest.fixture(scope="module")
def vietnamese():
    return po_entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po")


def test_every_message_is_translated_into_vietnamese(vietnamese):
    untranslated = [msgid for msgid, msgstrs, _ in vietnamese if not all(msgstrs)]
    assert untranslated == []
    assert [msgid for msgid, _, flags in vietnamese if "fuzzy" in flags] == []


def test_placeholders_survive_translation(vietnamese):
    pattern = re.compile(r"%\(\w+\)[sd]|%[sd]")
    broken = [
        msgid
        for msgid, msgstrs, _ in vietnamese
        if any(sorted(pattern.findall(msgid)) != sorted(pattern.findall(s)) for s in msgstrs[:1])
    ]
    assert broken == []


def test_compiled_catalogue_is_current(vietnamese):
    # A sample of messages must come back translated from the compiled .mo file.
    with translation.override("vi"):
        for msgid, msgstrs, flags in vietnamese[:50]:
            if len(msgstrs) == 1 and "python-format" not in flags:
                assert translation.gettext(msgid) == msgstrs[0]


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def old_style_words(text: str) -> set[str]:
    """Words with the tone mark on the last vowel of an open oa, oe or uy (hoà, khoẻ, huỷ), where
    the spelling of official documents puts it on the first (hòa, khỏe, hủy); "quý" is not one."""
    found = set()
    for word in re.findall(r"\w+", text):
        letters = unicodedata.normalize("NFD", word.lower())
        marks = [mark for mark in letters if mark in TONE_MARKS]
        base = "".join(letter for letter in letters if letter not in TONE_MARKS)
        if len(marks) == 1 and letters.endswith(marks[0]) and re.search(r"(?<!q)(oa|oe|uy)$", base):
            found.add(word)
    return found


def test_old_style_words_are_recognised():
    assert old_style_words("Đã huỷ, xoá và khoẻ; hoà nhập") == {"huỷ", "xoá", "khoẻ", "hoà"}
    assert old_style_words("Đã hủy, xóa và khỏe; hòa nhập, quý, hoạt động, thuyền") == set()


def test_vietnamese_follows_one_spelling(vietnamese):
    # DEVELOPERS.md, "Spelling": hòa, khóa, xóa, hủy, tùy (the tone placement of Decree 30/2020).
    assert {word for _, msgstrs, _ in vietnamese for text in msgstrs for word in old_style_words(text)} == set()


def test_demonstration_data_follows_the_same_spelling():
    # The demonstration records are what a new user reads first: "(minh họa)", "tái hòa nhập", "Ngoại khóa".
    sources = sorted((LOCALE.parent / "haidang").glob("*/demo.py"))
    assert sources
    strings = [
        (path.parent.name, node.value)
        for path in sources
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    assert {(app, word) for app, text in strings for word in old_style_words(text)} == set()
