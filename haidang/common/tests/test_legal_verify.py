"""Every legal value still to verify is listed in one place (LEGAL-VERIFY.md), with what would settle it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MARKER = re.compile(r"VERIFY\(([a-z0-9-]+)\)")


def _keys_in_code() -> set[str]:
    keys = set()
    for path in (ROOT / "haidang").rglob("*"):
        if path.suffix in (".py", ".toml", ".html") and "tests" not in path.parts:
            keys |= set(MARKER.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_verify_marker_in_the_code_is_listed_with_what_would_settle_it():
    listed = dict(re.findall(r"^\| `([a-z0-9-]+)` \|(.+)\|\s*$", (ROOT / "LEGAL-VERIFY.md").read_text(), re.M))
    in_code = _keys_in_code()
    assert in_code, "the markers are found"
    assert in_code - set(listed) == set()
    assert set(listed) - in_code == set(), "a settled value leaves the list"
    assert all(row.count("|") == 2 and row.split("|")[-1].strip() for row in listed.values())


def test_no_unkeyed_verify_note_is_left():
    for path in (ROOT / "haidang").rglob("*.py"):
        if "tests" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert "VERIFY:" not in line, f"{path.relative_to(ROOT)}:{number} needs a VERIFY(<key>) marker"
