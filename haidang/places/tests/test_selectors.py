"""Search with or without diacritics, and the messages a user sees for a code that does not fit the date."""

from datetime import date

import pytest
from django.core.exceptions import ObjectDoesNotExist, ValidationError

from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.selectors import (
    UnitNotValidError,
    UnknownUnitError,
    resolve_unit,
    search_units,
    unit_as_of,
    validate_unit_on,
)
from haidang.places.tests.conftest import NEW_DAY, OLD_DAY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("q", ["thach that", "Thạch Thất", "THẠCH THẤT", "  thạch   that ", "thach th"])
def test_search_finds_old_district_and_new_commune_with_or_without_diacritics(q):
    found = list(search_units(q).values_list("name", "level", "valid_to"))
    assert ("Huyện Thạch Thất", UnitLevel.DISTRICT, OLD_DAY) in found
    assert ("Xã Thạch Thất", UnitLevel.COMMUNE, None) in found
    # Ordered by level, then name.
    assert [level for _, level, _ in found] == sorted(level for _, level, _ in found)


def test_search_as_of_a_date_and_level():
    assert list(search_units("thach that", as_of=NEW_DAY).values_list("name", flat=True)) == ["Xã Thạch Thất"]
    assert list(search_units("thach that", as_of=OLD_DAY, level=UnitLevel.DISTRICT).values_list("name", flat=True)) == [
        "Huyện Thạch Thất"
    ]


def test_search_matches_whole_word_prefixes_only():
    # "hat" is inside "that" but starts no word of "Thạch Thất".
    assert "Xã Thạch Thất" not in search_units("hat").values_list("name", flat=True)
    assert search_units("   ").count() == 0


def test_search_by_letter_d_and_by_code():
    assert "Phường Ba Đình" in search_units("ba dinh", as_of=NEW_DAY).values_list("name", flat=True)
    assert search_units("09955", as_of=NEW_DAY).first().name == "Xã Thạch Thất"


def test_search_orders_names_the_vietnamese_way():
    hanoi_wards = list(search_units("phuong", as_of=NEW_DAY).filter(parent__code="01").values_list("name", flat=True))
    # Đ comes right after D, not after Z as in code-point order.
    first_d_stroke = next(i for i, n in enumerate(hanoi_wards) if n.startswith("Phường Đ"))
    assert not any(n.startswith(("Phường H", "Phường T", "Phường Y")) for n in hanoi_wards[:first_d_stroke])


def test_unknown_code_message():
    with pytest.raises(UnknownUnitError) as caught:
        resolve_unit("99999", NEW_DAY)
    assert str(caught.value) == "There is no administrative unit with code 99999."
    assert isinstance(caught.value, ObjectDoesNotExist)


def test_old_district_after_1_july_names_its_successors():
    with pytest.raises(UnitNotValidError) as caught:
        unit_as_of("276", date(2025, 8, 15))
    message = str(caught.value)
    assert message.startswith(
        "Huyện Thạch Thất (code 276) was not valid on 15/08/2025; since 01/07/2025 it belongs to "
    )
    for name in ("Xã Thạch Thất", "Xã Tây Phương", "Xã Hạ Bằng", "Xã Yên Xuân"):
        assert name in message
    assert len(caught.value.successors) == 7


def test_old_province_after_1_july_names_the_new_province():
    with pytest.raises(
        UnitNotValidError,
        match=r"^Tỉnh Hải Dương \(code 30\) was not valid on 02/01/2026; "
        r"since 01/07/2025 it belongs to Thành phố Hải Phòng\.$",
    ):
        resolve_unit("30", date(2026, 1, 2))


def test_new_unit_before_1_july_says_when_it_starts():
    old_codes = AdministrativeUnit.objects.filter(valid_to=OLD_DAY).values("code")
    new_only = (
        AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True)
        .exclude(code__in=old_codes)
        .order_by("code")
        .first()
    )
    with pytest.raises(UnitNotValidError) as caught:
        resolve_unit(new_only.code, date(2024, 3, 1))
    assert str(caught.value) == (
        f"{new_only.name} (code {new_only.code}) was not valid on 01/03/2024; it exists from 01/07/2025."
    )


def test_validate_unit_on_for_forms():
    district = unit_as_of("276", OLD_DAY)
    validate_unit_on(district, date(2024, 12, 31))  # fine: valid that day
    with pytest.raises(ValidationError) as caught:
        validate_unit_on(district, date(2025, 8, 15), field="unit")
    errors = caught.value.error_dict["unit"]
    assert errors[0].code == "unit_not_valid"
    assert "since 01/07/2025 it belongs to" in errors[0].message and "Xã Tây Phương" in errors[0].message
    with pytest.raises(ValidationError) as caught:
        validate_unit_on(unit_as_of("09955", NEW_DAY), date(2025, 6, 1))
    assert caught.value.messages == [
        "Xã Thạch Thất (code 09955) was not valid on 01/06/2025; it exists from 01/07/2025."
    ]
