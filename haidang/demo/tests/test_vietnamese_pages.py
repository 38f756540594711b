"""Every page in Vietnamese says it in Vietnamese.

For every demonstration role (one test each): sign in, open every page the navigation leads to (the main
menu and each page's own menu), the first record of each list and, for a case, its support page with the
eligibility table; take the visible text (no script, style or hidden template) and fail on

- an untranslated string: a text that is an English msgid of the `vi` catalogue (whose Vietnamese differs),
  or contains one of three words or more;
- an English sentence: three words or more of which several are common English words.

Data are allowed: names, codes, numbers and the abbreviations people use (`ALLOWED`). The demonstration
records of every app are made once for the module, inside a transaction rolled back at its end.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction

from haidang.cases.demo import seed_cases_demo
from haidang.common.tests.test_translations import po_entries
from haidang.prevention.demo import seed_prevention_demo
from haidang.proceedings.demo import seed_proceedings_demo
from haidang.reporting.demo import seed_reporting_demo
from haidang.statistics.demo import seed_statistics_demo

LOCALE = Path(__file__).resolve().parents[3] / "locale"

ROLES = (
    "admin",
    "analyst",
    "auditor",
    "border.haiphong",
    "caseworker.haiphong",
    "caseworker.hanoi",
    "commune.hanoi.a",
    "coordinator.hanoi",
    "coordinator.national",
    "mission.cambodia",
    "police.hanoi",
    "prevention.haiphong",
    "supervisor.hanoi",
)

# Pages that are not the application's own text: the API's interactive documentation (Swagger),
# files, the sign-out action.
SKIP = re.compile(r"^/api/|/export|\.(csv|xlsx|pdf|json)$|/sign-?out/|/logout/")

# Abbreviations and names that are the same in Vietnamese.
ALLOWED = {"HTCDS", "PDF", "CSV", "XLSX", "API", "JSON", "OK", "ID", "URL", "HTML", "IOM", "UNODC", "ILO", "TOTP"}

# Common English words that are not also ordinary Vietnamese words written without marks
# ("an", "in", "to", "do", "no", "con" are left out on purpose).
_ENGLISH_WORDS = """
    a the about above after all also among and any are as at be been before being below between both but by can
    cannot case cases could date does each either every for from had has have here his how if into is it its
    may more most must new next none nor not of off on once one only or other our out over own per please same
    shall she should since so some such than that their them then there these they this those through under
    until up upon was were what when where which while who whom whose why will with within without would yes
    you your report reports person people page pages sign save edit delete search show hide back previous
    number user users unit units agency agencies record records status step steps yet
"""
ENGLISH = frozenset(_ENGLISH_WORDS.split())

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# A token that is data, not a word: it has a digit, an underscore, an @ or a dot inside (codes, identifiers,
# user names, e-mail addresses), or it is written in capitals (abbreviations).
DATA = re.compile(r"\d|_|@|\w\.\w|^[^\w]*[A-ZĐ]{2,}[^\w]*$")


def _words(text: str) -> list[str]:
    return [w for token in text.split() if not DATA.search(token) for w in WORD.findall(token) if w not in ALLOWED]


class _Text(HTMLParser):
    """The visible text nodes of a page."""

    # Not prose: scripts and styles, and the codes a page shows as codes (an audit entry's action, field names).
    HIDDEN = {"script", "style", "template", "noscript", "svg", "code", "kbd", "samp"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, the innermost "zone": nav, table, main or "")
        self._hidden = 0
        self._zones: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag in ("nav", "table", "main"):
            self._zones.append(tag)
        values = dict(attrs)
        if tag == "a":
            self.links.append((values.get("href") or "", "/".join(self._zones)))
        if self._hidden:
            return
        # Text a person reads or hears that is not a text node: labels for screen readers, hints, buttons.
        spoken = [values.get(name) for name in ("aria-label", "title", "placeholder", "alt")]
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            spoken.append(values.get("value"))
        self.texts.extend(" ".join(text.split()) for text in spoken if text and text.strip())

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if tag in ("nav", "table", "main") and tag in self._zones:
            del self._zones[len(self._zones) - 1 - self._zones[::-1].index(tag)]

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._hidden:
            self.texts.append(text)


def _english_msgids() -> tuple[set[str], list[str]]:
    """The catalogue's English msgids whose Vietnamese differs: (every one, those of three words or more)."""
    exact, phrases = set(), []
    for msgid, msgstrs, _flags in po_entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po"):
        if "%" in msgid or "{" in msgid or not msgstrs or msgstrs[0] == msgid or not WORD.search(msgid):
            continue
        text = " ".join(msgid.split())
        if text.upper() == text:  # an abbreviation
            continue
        exact.add(text)
        if len(WORD.findall(text)) >= 3:
            phrases.append(text)
    return exact, phrases


EXACT, PHRASES = _english_msgids()


def english_in(text: str) -> str | None:
    """Why `text` is English, or None."""
    if text in EXACT:
        return "untranslated"
    words = _words(text)
    if len(words) >= 3:
        for phrase in PHRASES:
            if phrase in text:
                return f"untranslated: {phrase!r}"
        english = [w for w in words if w.lower() in ENGLISH]
        if len(english) >= 2 and len(english) * 10 >= len(words) * 3:
            return f"English words {english}"
    return None


def test_the_checker_finds_english_and_leaves_vietnamese_and_data_alone():
    assert english_in("Cases") == "untranslated"
    assert english_in("A victim who is a Vietnamese citizen is entitled to medical support")
    assert english_in("Hồ sơ vụ việc của đơn vị") is None
    assert english_in("Nguyễn Văn An — HTCDS v2, PDF, CSV") is None
    assert english_in("Xuất CSV theo chuẩn HTCDS") is None


@pytest.fixture(scope="module")
def demo_records(django_db_setup, django_db_blocker):
    """The demonstration records of every app, for this module only (rolled back at its end)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed_prevention_demo()
            seed_cases_demo()
            seed_reporting_demo()
            seed_proceedings_demo()
            seed_statistics_demo()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connection.close()


def _internal(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _first_detail(page: str, links) -> str | None:
    """The first record of a list: a link in a table of the page's main part, below the page's path."""
    base = urlsplit(page).path
    for href, zone in links:
        path = _internal(href)
        if path and "table" in zone and path.startswith(base) and path != base and re.search(r"\d", path):
            return path
    return None


def _pages(client) -> dict[str, _Text]:
    """Every page the menus lead to, each list's first record with its own menu, and a case's support page."""
    seen: dict[str, _Text] = {}

    def visit(path: str) -> _Text | None:
        if path in seen:
            return None
        response = client.get(path, follow=True)
        parsed = _Text()
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parsed.feed(response.content.decode())
        seen[path] = parsed
        return parsed

    home = visit("/")
    menu = [_internal(href) for href, zone in home.links if zone.startswith("nav")]
    for path in dict.fromkeys(p for p in menu if p):
        page = visit(path)
        if page is None:
            continue
        submenu = [_internal(href) for href, zone in page.links if "nav" in zone and "main" in zone]
        for sub in dict.fromkeys(p for p in [path, *submenu] if p):
            listing = seen.get(sub) or visit(sub)
            detail = _first_detail(sub, listing.links) if listing else None
            record = visit(detail) if detail else None
            if record is not None:  # the record's own menu (a case's tabs), its support page among them
                for tab in dict.fromkeys(
                    _internal(href) for href, zone in record.links if "nav" in zone and "main" in zone
                ):
                    if tab:
                        visit(tab)
                if re.fullmatch(r"/cases/[0-9a-f-]{36}/", detail):
                    visit(f"{detail}support/")
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_a_role_is_in_vietnamese(demo_records, demo_users, sign_in, username):
    client = sign_in(demo_users[username])
    pages = _pages(client)
    found = sorted(
        {
            f"{path}: {text!r} ({why})"
            for path, page in pages.items()
            for text in page.texts
            if (why := english_in(text))
        }
    )
    assert len(pages) > 3
    assert not found, "English on Vietnamese pages:\n" + "\n".join(found)
