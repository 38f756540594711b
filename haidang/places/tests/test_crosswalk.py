"""The crosswalk and as-of lookups a user relies on: where an old unit went, where its records count."""

from datetime import date

import pytest

from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.selectors import (
    current_unit_for,
    predecessors,
    resolve_unit,
    successors,
    unit_as_of,
    units_valid_on,
)
from haidang.places.tests.conftest import NEW_DAY, OLD_DAY

pytestmark = pytest.mark.django_db


def names(units):
    return [u.name for u in units]


def test_code_01_is_the_old_hanoi_before_1_july_and_the_new_one_after():
    old = unit_as_of("01", OLD_DAY)
    new = unit_as_of("01", NEW_DAY)
    assert old.pk != new.pk
    assert old.name == new.name == "Thành phố Hà Nội"
    assert (old.valid_to, new.valid_from) == (OLD_DAY, NEW_DAY)
    assert units_valid_on(OLD_DAY, parent=old).count() == 30  # districts
    assert units_valid_on(NEW_DAY, parent=new).count() == 126  # communes and wards
    assert unit_as_of("01", date(2019, 3, 8)) == old
    assert unit_as_of("01", date(2031, 1, 1)) == new


def test_old_thach_that_district_went_to_seven_new_communes_of_hanoi():
    district = unit_as_of("276", OLD_DAY)
    assert (district.name, district.parent.name, district.level) == (
        "Huyện Thạch Thất",
        "Thành phố Hà Nội",
        2,
    )
    went_to = successors(district)
    assert {"Xã Thạch Thất", "Xã Tây Phương", "Xã Hạ Bằng", "Xã Yên Xuân"} <= set(names(went_to))
    assert len(went_to) == 7
    assert all(u.is_current and u.parent.code == "01" for u in went_to)
    assert all(u.effective_on == NEW_DAY for u in went_to)
    # Its records count in the new Hà Nội: the lowest current unit holding all seven communes.
    assert current_unit_for(district) == unit_as_of("01", NEW_DAY)


def test_new_commune_lists_the_old_units_it_was_formed_from():
    commune = unit_as_of("09955", NEW_DAY)  # Xã Thạch Thất
    formed_from = predecessors(commune)
    assert "Huyện Thạch Thất" in names(formed_from)
    assert "Thị trấn Liên Quan" in names(formed_from)
    assert all(not u.is_current for u in formed_from)


def test_old_commune_split_in_two_has_exactly_one_default():
    commune = unit_as_of("09619", OLD_DAY)
    assert commune.name == "Thị trấn Tây Đằng"
    went_to = successors(commune)
    assert [(u.name, u.is_default) for u in went_to] == [("Xã Minh Châu", True), ("Xã Quảng Oai", False)]
    # Records made in it, with no finer address, count in the default successor.
    assert current_unit_for(commune) == went_to[0]
    assert commune.placement_path == went_to[0].path


def test_every_split_commune_names_one_default():
    split = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to=OLD_DAY)
    checked = 0
    for commune in split.filter(successions__is_default=False).distinct()[:50]:
        assert sum(u.is_default for u in successors(commune)) == 1
        checked += 1
    assert checked == 50


def test_old_hai_duong_province_became_part_of_hai_phong_city():
    hai_duong = unit_as_of("30", OLD_DAY)
    assert hai_duong.name == "Tỉnh Hải Dương"
    went_to = successors(hai_duong)
    assert [(u.name, u.code, u.is_default) for u in went_to] == [("Thành phố Hải Phòng", "31", True)]
    assert current_unit_for(hai_duong) == unit_as_of("31", NEW_DAY)
    assert {"Tỉnh Hải Dương", "Thành phố Hải Phòng"} == set(names(predecessors(unit_as_of("31", NEW_DAY))))


def test_placement_of_an_old_commune_and_district_lands_in_the_new_subtree():
    new_hanoi = unit_as_of("01", NEW_DAY)
    old_commune = unit_as_of("10003", OLD_DAY)  # Xã Thạch Xá, Huyện Thạch Thất
    assert old_commune.name == "Xã Thạch Xá"
    placed = current_unit_for(old_commune)
    assert placed.is_current and placed.level == UnitLevel.COMMUNE
    assert placed in successors(old_commune)
    # A scope filter on the new Hà Nội's path covers the 2024 record in the old commune and district.
    assert old_commune.placement_path.startswith(new_hanoi.path)
    assert unit_as_of("276", OLD_DAY).placement_path == new_hanoi.path


def test_island_district_without_communes_became_a_special_zone():
    con_dao = unit_as_of("755", OLD_DAY)
    assert con_dao.name == "Huyện Côn Đảo"
    placed = current_unit_for(con_dao)
    assert (placed.name, placed.unit_type) == ("Đặc khu Côn Đảo", "special_zone")
    assert [(u.name, u.is_default) for u in successors(con_dao)] == [("Đặc khu Côn Đảo", True)]


def test_resolve_unit_returns_the_unit_valid_on_the_day():
    assert resolve_unit("276", date(2024, 5, 1)).name == "Huyện Thạch Thất"
    assert resolve_unit(" 09955 ", NEW_DAY).name == "Xã Thạch Thất"
