"""Vietnamese is complete: every message has a translation, none is fuzzy, the .mo is current."""

import ast
import re
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
