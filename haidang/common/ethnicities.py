"""The 54 ethnic groups of Vietnam as an official code list: records store the two-digit code,
pages show the name.

Codes and names: "Danh mục các thành phần dân tộc Việt Nam", Decision 121-TCTK/PPCĐ of the General
Statistics Office, 02/03/1979. VERIFY(ethnic-code-list): the General Statistics Office's later list
(Decision 1019/QĐ-TCTK, 12/11/2008) numbers the groups in another order; use the list the national
population database uses, and map codes if it is the 2008 one.
"""

import re
from functools import lru_cache

from haidang.common.text import fold

# (code, name, other names people write)
ETHNIC_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("01", "Kinh", ("Việt", "Kinh (Việt)")),
    ("02", "Tày", ()),
    ("03", "Thái", ()),
    ("04", "Hoa", ("Hán", "Hoa (Hán)")),
    ("05", "Khơ-me", ("Khmer", "Khơ me", "Khơme")),
    ("06", "Mường", ()),
    ("07", "Nùng", ()),
    ("08", "Mông", ("H'Mông", "Hmông", "HMông", "Hmong", "Mèo")),
    ("09", "Dao", ()),
    ("10", "Gia-rai", ("Gia Rai", "Jarai", "Giơ-rai")),
    ("11", "Ngái", ()),
    ("12", "Ê-đê", ("Ê Đê", "Ede", "Ra-đê")),
    ("13", "Ba-na", ("Ba Na", "Bahnar")),
    ("14", "Xơ-đăng", ("Xơ Đăng", "Sedang")),
    ("15", "Sán Chay", ("Cao Lan", "Sán Chỉ")),
    ("16", "Cơ-ho", ("Cơ Ho", "K'ho")),
    ("17", "Chăm", ("Chàm",)),
    ("18", "Sán Dìu", ()),
    ("19", "Hrê", ()),
    ("20", "Mnông", ("M'nông",)),
    ("21", "Ra-glai", ("Raglai", "Ra Glai")),
    ("22", "Xtiêng", ("X'tiêng", "Stiêng")),
    ("23", "Bru-Vân Kiều", ("Bru Vân Kiều", "Vân Kiều")),
    ("24", "Thổ", ()),
    ("25", "Giáy", ()),
    ("26", "Cơ-tu", ("Cơ Tu", "Katu")),
    ("27", "Gié-Triêng", ("Giẻ Triêng", "Gié Triêng")),
    ("28", "Mạ", ()),
    ("29", "Khơ-mú", ("Khơ Mú", "Khmu")),
    ("30", "Co", ()),
    ("31", "Tà-ôi", ("Tà Ôi", "Ta Oi")),
    ("32", "Chơ-ro", ("Chơ Ro",)),
    ("33", "Kháng", ()),
    ("34", "Xinh-mun", ("Xinh Mun",)),
    ("35", "Hà Nhì", ()),
    ("36", "Chu-ru", ("Chu Ru",)),
    ("37", "Lào", ()),
    ("38", "La Chí", ()),
    ("39", "La Ha", ()),
    ("40", "Phù Lá", ()),
    ("41", "La Hủ", ()),
    ("42", "Lự", ()),
    ("43", "Lô Lô", ()),
    ("44", "Chứt", ()),
    ("45", "Mảng", ()),
    ("46", "Pà Thẻn", ()),
    ("47", "Cơ Lao", ()),
    ("48", "Cống", ()),
    ("49", "Bố Y", ()),
    ("50", "Si La", ()),
    ("51", "Pu Péo", ()),
    ("52", "Brâu", ()),
    ("53", "Ơ-đu", ("Ơ Đu",)),
    ("54", "Rơ-măm", ("Rơ Măm",)),
)
NAMES = {code: name for code, name, _aliases in ETHNIC_GROUPS}
CODES = frozenset(NAMES)

_WORDS = re.compile(r"[^a-z0-9]+")


def _key(text: str) -> str:
    # "H'Mông", "Hmông" and "H Mông" are one name: punctuation and spaces do not count.
    return _WORDS.sub("", fold(text or ""))


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, name, aliases in ETHNIC_GROUPS:
        for text in (name, *aliases):
            index.setdefault(_key(text), code)
    return index


def is_ethnicity_code(value: str) -> bool:
    return value in CODES


def ethnicity_name(code: str) -> str:
    """The group's name; the value itself when it is not a code (a legacy value awaiting correction)."""
    return NAMES.get(code or "", code or "")


def resolve_ethnicity(text: str) -> str | None:
    """The code for a code or a name ("08", "Mông", "H'Mông", "hmong", "Mèo"), or None."""
    value = (text or "").strip()
    if not value:
        return None
    if value.isdigit() and value.zfill(2) in CODES:
        return value.zfill(2)
    return _index().get(_key(value))


def ethnicity_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name, _aliases in ETHNIC_GROUPS]
