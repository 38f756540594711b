"""The one name resolver: names with or without diacritics, type words, parents, codes, the date of the
record, ambiguity offered as a choice, and units of another date explained with what they became."""

from datetime import date

import pytest

from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.resolver import SURE, describe, label, resolve, suggest

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)
BEFORE = date(2024, 3, 1)


def resolved(text, day=TODAY, **kwargs) -> AdministrativeUnit:
    found = resolve(text, day=day, **kwargs)
    assert found.status == "resolved", (text, found.status, found.message)
    return found.unit


@pytest.mark.parametrize("text", ["Thạch Thất", "thach that", "THẠCH THẤT", "Xã Thạch Thất", "xa thach that", "09955"])
def test_a_commune_by_its_name_with_or_without_accents_or_type_word_or_by_code(text):
    unit = resolved(text)
    assert (unit.name, unit.code, unit.valid_to) == ("Xã Thạch Thất", "09955", None)


def test_the_record_date_decides_which_unit_a_name_is():
    # In 2024 "Thạch Thất" was the district; "Hồng Bàng" the urban district of Hải Phòng.
    assert resolved("thach that", BEFORE).name == "Huyện Thạch Thất"
    assert resolved("Hồng Bàng", BEFORE).name == "Quận Hồng Bàng"
    assert resolved("Hồng Bàng").name == "Phường Hồng Bàng"
    # A code is a unit only with its date: 09955 was Thị trấn Liên Quan before the reform.
    assert resolved("09955", BEFORE).name == "Thị trấn Liên Quan"


def test_a_name_with_its_parents_as_the_pickers_show_it_or_as_people_write_it():
    unit = resolved("Xã Thạch Thất — Thành phố Hà Nội")
    assert label(unit) == "Xã Thạch Thất — Thành phố Hà Nội"
    old = resolved("Kim Quan, Thạch Thất, Hà Nội", BEFORE)
    assert label(old) == "Xã Kim Quan — Huyện Thạch Thất — Thành phố Hà Nội"
    assert resolved("Thạch Thất - Hà Nội").code == "09955"
    assert resolved("tp Hà Nội").level == UnitLevel.PROVINCE
    # A hyphen inside a name stays part of it.
    assert resolved("Bà Rịa - Vũng Tàu", BEFORE).name == "Tỉnh Bà Rịa - Vũng Tàu"
    # The label with the code in brackets is read by its code.
    assert resolved("Xã Thạch Thất — Thành phố Hà Nội (09955)").code == "09955"


def test_a_name_with_its_parents_reads_no_parent_again(django_assert_num_queries):
    """The parents fetched with the candidates are used to match the province typed (an import names
    hundreds of communes this way); only ancestors above them are read, in one query."""
    with django_assert_num_queries(1):
        assert resolved("Xã Thạch Thất, Thành phố Hà Nội").code == "09955"
    with django_assert_num_queries(2):  # the old map: the district is the parent, the province is read
        assert resolved("Kim Quan, Thạch Thất, Hà Nội", BEFORE).name == "Xã Kim Quan"


def test_every_unit_of_either_map_is_found_again_from_its_label():
    """The pickers put a unit's label in the box; reading it back must give the same unit (a sample)."""
    for day, current in ((TODAY, True), (BEFORE, False)):
        units = AdministrativeUnit.objects.filter(valid_to__isnull=current, level__gte=UnitLevel.PROVINCE)
        sample = list(units.order_by("pk")[::97])
        assert len(sample) > 30
        for unit in sample:
            assert resolve(label(unit), day=day).unit == unit, label(unit)


def test_two_units_of_one_name_give_a_choice_not_a_guess():
    found = resolve("Tân Lập", day=TODAY)
    assert found.status == "ambiguous" and found.unit is None
    assert "choose one" in found.message
    labels = [item.label for item in describe(found.alternatives)]
    assert "Xã Tân Lập — Tỉnh Quảng Trị" in labels and "Phường Tân Lập — Tỉnh Đắk Lắk" in labels
    assert all(match.score >= SURE for match in found.alternatives)  # only the units of that very name
    # The user's own area is offered first, never chosen for them.
    quang_tri = AdministrativeUnit.objects.get(code="19462", valid_to__isnull=True)
    preferred = resolve("Tân Lập", day=TODAY, prefer=(quang_tri.parent.path,))
    assert preferred.status == "ambiguous" and preferred.alternatives[0].unit == quang_tri
    # A parent makes it one.
    assert resolved("Tân Lập, Quảng Trị") == quang_tri


def test_a_name_spelt_otherwise_or_begun_is_offered_not_taken():
    found = resolve("Thạch Thật", day=TODAY)
    assert found.status == "ambiguous" and found.alternatives[0].unit.code == "09955"
    begun = resolve("thach th", day=TODAY)
    assert begun.status == "ambiguous" and "09955" in [m.unit.code for m in begun.alternatives]


def test_an_old_unit_named_on_a_later_date_is_explained_and_its_successors_offered():
    found = resolve("Huyện Thạch Thất", day=TODAY)
    assert found.status == "not_valid" and found.unit is None
    assert "since 01/07/2025 it belongs to" in found.message
    offered = describe(found.alternatives)
    assert "Xã Thạch Thất — Thành phố Hà Nội" in [item.label for item in offered]
    assert all(item.valid_to is None for item in offered)
    # The district was split between several communes: each holds part of it.
    assert "since 01/07/2025 includes part of Huyện Thạch Thất" in offered[0].note
    # An old commune that went whole into today's commune says so.
    whole = describe(resolve("Xã Kim Quan, Thạch Thất", day=TODAY).alternatives)
    assert whole[0].label == "Xã Thạch Thất — Thành phố Hà Nội"
    assert whole[0].note == "since 01/07/2025 includes Xã Kim Quan"
    # The same with its old code.
    by_code = resolve("276", day=TODAY)
    assert by_code.status == "not_valid" and {m.unit.code for m in by_code.alternatives} >= {"09955", "10006"}


def test_a_new_unit_named_on_an_earlier_date_offers_the_old_units_and_what_they_became():
    found = resolve("Xã Thạch Thất", day=BEFORE)
    assert found.status == "not_valid" and "it exists from 01/07/2025" in found.message
    offered = {item.label: item.note for item in describe(found.alternatives)}
    assert offered["Xã Kim Quan — Huyện Thạch Thất — Thành phố Hà Nội"] == "until 30/06/2025, now Xã Thạch Thất"


def test_nothing_by_that_name_or_code():
    assert resolve("Xyz", day=TODAY).status == "unknown"
    assert "No administrative unit is named or coded “Xyz”" in resolve("Xyz", day=TODAY).message
    assert resolve("99999", day=TODAY).message == "There is no administrative unit with code 99999."
    assert resolve("   ", day=TODAY).status == "empty"


def test_levels_limit_the_kind_of_unit():
    assert resolved("Hà Nội", levels=[UnitLevel.PROVINCE]).code == "01"
    found = resolve("01", day=TODAY, levels=[UnitLevel.COMMUNE])
    assert found.status == "unknown" and "not a unit of the kind asked for" in found.message


def test_suggestions_while_typing():
    codes = [m.unit.code for m in suggest("thach", day=TODAY)]
    assert "09955" in codes and len(codes) <= 10
    assert suggest("Thạch Thất", day=TODAY)[0].unit.code == "09955"
    # On a 2024 record the old units, each saying what it became.
    notes = {item.name: item.note for item in describe(suggest("kim quan", day=BEFORE))}
    assert notes["Xã Kim Quan"].startswith("until 30/06/2025, now")
    assert suggest("", day=TODAY) == []
