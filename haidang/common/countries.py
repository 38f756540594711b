"""Countries: ISO 3166-1 alpha-3 codes checked against a maintained list (pycountry), named in
Vietnamese the way Vietnamese documents name them, and found by name with or without diacritics.

Stored values and the API use the alpha-3 code ("KHM"); forms also take a name ("Campuchia",
"campuchia", "Cambodia") and show names. pycountry's Vietnamese names are partly old ("Căm Bốt",
"Miến Điện"), so the names used in Vietnamese administrative writing (the Ministry of Foreign
Affairs' short names) override them for the countries the work meets; the old names still resolve.
"""

import gettext
import re
from functools import lru_cache

import pycountry

from haidang.common.text import fold

# Short names as Vietnamese official documents write them. VERIFY(country-names-vi): checked
# against the Ministry of Foreign Affairs' country list for the names a user is likely to type.
VIETNAMESE_NAMES = {
    "VNM": "Việt Nam",
    "KHM": "Campuchia",
    "LAO": "Lào",
    "CHN": "Trung Quốc",
    "MMR": "Myanmar",
    "THA": "Thái Lan",
    "MYS": "Malaysia",
    "SGP": "Singapore",
    "IDN": "Indonesia",
    "PHL": "Philippines",
    "BRN": "Brunei",
    "TLS": "Đông Timor",
    "KOR": "Hàn Quốc",
    "PRK": "Triều Tiên",
    "JPN": "Nhật Bản",
    "TWN": "Đài Loan (Trung Quốc)",
    "HKG": "Hồng Kông (Trung Quốc)",
    "MAC": "Ma Cao (Trung Quốc)",
    "IND": "Ấn Độ",
    "RUS": "Nga",
    "USA": "Hoa Kỳ",
    "GBR": "Vương quốc Anh",
    "FRA": "Pháp",
    "DEU": "Đức",
    "POL": "Ba Lan",
    "CZE": "Séc",
    "AUS": "Australia",
    "CAN": "Canada",
    "SAU": "Ả Rập Xê-út",
    "ARE": "Các Tiểu vương quốc Ả Rập Thống nhất",
    "QAT": "Qatar",
    "KWT": "Kuwait",
    "AGO": "Angola",
    "ROU": "Romania",
    "UKR": "Ukraina",
    "ITA": "Italia",
    "NLD": "Hà Lan",
    "SWE": "Thụy Điển",
    "TUR": "Thổ Nhĩ Kỳ",
    "ISR": "Israel",
}
# Other names people write for a country (folded when compared).
ALIASES = {
    "KHM": ("Cam-pu-chia", "Căm-pu-chia", "Căm Bốt"),
    "MMR": ("Mi-an-ma", "Miến Điện"),
    "MYS": ("Ma-lai-xi-a",),
    "KOR": ("Nam Hàn", "Đại Hàn"),
    "PRK": ("Bắc Triều Tiên",),
    "TWN": ("Đài Loan",),
    "USA": ("Mỹ",),
    "GBR": ("Anh",),
    "AUS": ("Úc", "Ô-xtrây-li-a"),
    "CHN": ("Trung Hoa",),
    "LAO": ("CHDCND Lào",),
}

_WORDS = re.compile(r"[^a-z0-9]+")


def _key(text: str) -> str:
    return _WORDS.sub(" ", fold(text or "")).strip()


@lru_cache(maxsize=1)
def _vietnamese_catalogue():
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["vi"])
    except OSError:  # pragma: no cover - pycountry always ships it
        return gettext.NullTranslations()


@lru_cache(maxsize=1)
def _codes() -> frozenset[str]:
    return frozenset(country.alpha_3 for country in pycountry.countries)


def is_country_code(value: str) -> bool:
    """An existing ISO 3166-1 alpha-3 code (upper case)."""
    return (value or "").upper() in _codes()


def country_name(code: str, language: str = "vi") -> str:
    """The country's name in Vietnamese (default) or English; the code itself when unknown."""
    code = (code or "").upper()
    country = pycountry.countries.get(alpha_3=code) if code else None
    if country is None:
        return code
    if not language.startswith("vi"):
        return getattr(country, "common_name", None) or country.name
    return VIETNAMESE_NAMES.get(code) or _vietnamese_catalogue().gettext(country.name)


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Folded name -> code for every name a country goes by (Vietnamese, English, aliases, codes)."""
    index: dict[str, str] = {}
    catalogue = _vietnamese_catalogue()
    for country in pycountry.countries:
        code = country.alpha_3
        names = [
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
            catalogue.gettext(country.name),
            VIETNAMESE_NAMES.get(code, ""),
            *ALIASES.get(code, ()),
        ]
        for name in names:
            if name:
                index.setdefault(_key(name), code)
    # The curated Vietnamese names win over any other country's English or old name.
    for code, name in VIETNAMESE_NAMES.items():
        index[_key(name)] = code
    for code, names in ALIASES.items():
        for name in names:
            index[_key(name)] = code
    return index


def resolve_country(text: str) -> str | None:
    """The alpha-3 code for a code or a name ("KHM", "Campuchia", "campuchia", "Cambodia"), or None.

    Three capital letters are a code ("NGA" is Nigeria); anything else is first a name ("Nga" and
    "nga" are Russia in Vietnamese), then a code.
    """
    value = (text or "").strip()
    if not value:
        return None
    looks_like_code = len(value) == 3 and value.isascii() and value.isalpha()
    if looks_like_code and value.isupper():
        return value if value in _codes() else None
    found = _index().get(_key(value))
    if found is None and looks_like_code and value.upper() in _codes():
        return value.upper()
    return found


def country_choices(language: str = "vi") -> list[tuple[str, str]]:
    """(code, name) for every country, sorted by name in the language."""
    rows = [(code, country_name(code, language)) for code in _codes()]
    return sorted(rows, key=lambda row: _key(row[1]))


@lru_cache(maxsize=1)
def _alpha2() -> dict[str, str]:
    return {country.alpha_3: country.alpha_2 for country in pycountry.countries}


def alpha2(code: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a stored alpha-3 code ("KHM" → "KH"); None for an unknown code.

    HTCDS v2 exchanges countries as alpha-2; the project stores alpha-3."""
    return _alpha2().get((code or "").upper())


def from_alpha2(code: str) -> str | None:
    """The alpha-3 code of an alpha-2 code ("KH" → "KHM"), as an HTCDS import reads countries."""
    country = pycountry.countries.get(alpha_2=(code or "").strip().upper()) if code and len(code.strip()) == 2 else None
    return country.alpha_3 if country is not None else None
