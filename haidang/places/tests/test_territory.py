"""The one territory rule: a unit named on a map date, records selected by their placement; an old unit
cannot select what was made after its last day."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from haidang.places.models import AdministrativeUnit
from haidang.places.territory import Territory, territory_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)


def unit(code: str, day: date) -> AdministrativeUnit:
    return territory_of(code, day).unit


def test_the_code_is_read_on_the_map_date_not_on_the_period():
    assert unit("09955", TODAY).name == "Xã Thạch Thất"
    assert unit("09955", date(2024, 5, 1)).name == "Thị trấn Liên Quan"
    # The period does not move the map: a 2024 period still names today's commune.
    assert territory_of("09955", TODAY, start=date(2024, 1, 1), end=date(2024, 12, 31)).unit.name == "Xã Thạch Thất"


def test_a_current_unit_selects_what_is_placed_in_it_on_both_maps():
    thach_that = Territory(unit("09955", TODAY))
    inside = set(AdministrativeUnit.objects.filter(thach_that.q("")).values_list("name", flat=True))
    # Itself, and the old units the crosswalk places in it (Kim Quan of the old Thạch Thất district among them).
    assert {"Xã Thạch Thất", "Thị trấn Liên Quan", "Xã Kim Quan"} <= inside
    assert "Xã Tây Phương" not in inside
    kim_quan = AdministrativeUnit.objects.get(code="09976", valid_to__isnull=False)
    assert thach_that.covers(kim_quan)


def test_an_old_unit_selects_only_its_own_old_subtree():
    district = Territory(unit("276", date(2024, 5, 1)))
    assert district.is_old
    inside = AdministrativeUnit.objects.filter(district.q(""))
    assert inside.count() > 10 and all(u.valid_to is not None for u in inside)  # no unit of today's map
    liên_quan = Territory(unit("09955", date(2024, 5, 1)))
    assert list(AdministrativeUnit.objects.filter(liên_quan.q("")).values_list("name", flat=True)) == [
        "Thị trấn Liên Quan"
    ]


def test_an_old_unit_over_a_period_past_its_last_day_is_refused_naming_the_unit():
    for start, end in ((date(2025, 1, 1), date(2025, 12, 31)), (date(2025, 1, 1), None), (date(2025, 8, 1), None)):
        with pytest.raises(ValidationError) as refused:
            territory_of("276", date(2024, 5, 1), start=start, end=end)
        message = refused.value.message_dict["unit"][0]
        assert "records made after 30/06/2025 cannot be placed in it" in message
        assert "choose a unit of today's map" in message
    # Up to its last day, or with no period at all, it answers.
    assert territory_of("276", date(2024, 5, 1), start=date(2024, 1, 1), end=date(2025, 6, 30)) is not None
    assert territory_of("276", date(2024, 5, 1)) is not None
    # A current unit answers for any period, before the reform too.
    assert territory_of("09955", TODAY, start=date(2020, 1, 1), end=date(2026, 12, 31)) is not None


def test_a_code_not_valid_on_the_map_date_is_named():
    with pytest.raises(ValidationError) as refused:
        territory_of("276", TODAY)
    assert "since 01/07/2025 it belongs to" in refused.value.message_dict["unit"][0]
    with pytest.raises(ValidationError) as unknown:
        territory_of("99999", TODAY)
    assert unknown.value.message_dict["unit"] == ["There is no administrative unit with code 99999."]
    assert territory_of("  ", TODAY) is None


def test_a_successor_is_shown_only_when_there_is_one():
    old_hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=False)
    new_hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    assert old_hanoi.counted_in is None  # "Thành phố Hà Nội nay là Thành phố Hà Nội" is said once
    assert new_hanoi.counted_in is None
    lien_quan = AdministrativeUnit.objects.get(code="09955", valid_to__isnull=False)
    assert lien_quan.counted_in.name == "Xã Thạch Thất" and lien_quan.counted_in_whole
    district = AdministrativeUnit.objects.get(code="276", valid_to__isnull=False)
    assert district.counted_in.name == "Thành phố Hà Nội" and not district.counted_in_whole
