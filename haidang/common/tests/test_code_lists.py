"""Countries checked against ISO 3166 (pycountry) and found by their Vietnamese names; the 54 ethnic
groups as codes, found by any usual spelling."""

import pytest

from haidang.common.countries import country_name, is_country_code, resolve_country
from haidang.common.ethnicities import CODES, ethnicity_name, resolve_ethnicity


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("KHM", "KHM"),
        ("Campuchia", "KHM"),
        ("campuchia", "KHM"),
        ("Cam-pu-chia", "KHM"),
        ("Căm Bốt", "KHM"),  # pycountry's old Vietnamese name still resolves
        ("Cambodia", "KHM"),
        ("Trung Quốc", "CHN"),
        ("trung quoc", "CHN"),
        ("Lào", "LAO"),
        ("Hàn Quốc", "KOR"),
        ("Nga", "RUS"),  # a Vietnamese name, though NGA is Nigeria's code
        ("NGA", "NGA"),
        ("XYZ", None),
        ("QQQ", None),
        ("Xứ Sở Thần Tiên", None),
        ("", None),
    ],
)
def test_a_country_by_code_or_name(text, code):
    assert resolve_country(text) == code


def test_codes_are_iso_3166_and_named_in_vietnamese_or_english():
    assert is_country_code("KHM") and not is_country_code("XYZ") and not is_country_code("QQQ")
    assert country_name("KHM") == "Campuchia" and country_name("KHM", "en") == "Cambodia"
    assert country_name("MMR") == "Myanmar"  # not the old "Miến Điện"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Kinh", "01"),
        ("Việt", "01"),
        ("Mông", "08"),
        ("H'Mông", "08"),
        ("hmong", "08"),
        ("Mèo", "08"),
        ("Khmer", "05"),
        ("Khơ me", "05"),
        ("Ê Đê", "12"),
        ("Bru Vân Kiều", "23"),
        ("8", "08"),
        ("54", "54"),
        ("55", None),
        ("Martian", None),
    ],
)
def test_an_ethnic_group_by_code_or_name(text, code):
    assert resolve_ethnicity(text) == code


def test_the_list_has_the_54_groups():
    assert len(CODES) == 54 and ethnicity_name("08") == "Mông" and ethnicity_name("legacy text") == "legacy text"
