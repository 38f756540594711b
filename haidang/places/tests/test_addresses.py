"""Addresses as registers write them, read on the record's date and placed on today's map."""

from datetime import date

import pytest

from haidang.places.address_check import check_old_communes
from haidang.places.models import AdministrativeUnit
from haidang.places.resolver import resolve_address

pytestmark = pytest.mark.django_db

BEFORE = date(2024, 5, 1)
AFTER = date(2026, 5, 1)


def old(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code=code, valid_to__isnull=False)


@pytest.mark.parametrize(
    "address",
    [
        "Xã Bình Yên, Huyện Thạch Thất, TP Hà Nội",
        "thôn 3, xa binh yen, thach that, ha noi",
        "X. Bình Yên, H. Thạch Thất, Tp. Hà Nội",
        "Xóm Đồng, xã Bình Yên, huyện Thạch Thất, thành phố Hà Nội",
        "binh yen - thach that - ha noi",
    ],
)
def test_an_old_address_in_every_spelling_is_the_old_commune_and_its_place_today(address):
    found = resolve_address(address, as_of=BEFORE)
    assert found.status == "resolved"
    assert found.unit == old("09982")  # Xã Bình Yên, Huyện Thạch Thất
    assert found.confidence >= 0.9
    assert found.today is not None and found.today.is_current
    assert found.today == found.unit.placement


def test_hamlet_and_street_parts_are_set_aside():
    found = resolve_address("thôn 3, xa binh yen, thach that, ha noi", as_of=BEFORE)
    assert found.set_aside == ["thôn 3"]
    found = resolve_address("Số 12 ngõ 5, P.12, Q.3, Tp.HCM", as_of=BEFORE)
    assert found.status == "resolved"
    assert found.unit.name == "Phường 12"
    assert found.unit.parent.name == "Quận 3"
    assert found.set_aside == ["Số 12 ngõ 5"]


def test_a_part_is_not_set_aside_for_the_word_it_begins_with():
    # "Đường" (street) and "Phố" (street) begin the names of communes too.
    assert resolve_address("Đường Lâm, Sơn Tây, Hà Nội", as_of=BEFORE).unit.name == "Xã Đường Lâm"
    assert resolve_address("TT Phố Ràng, Bảo Yên, Lào Cai", as_of=BEFORE).unit.name == "Thị trấn Phố Ràng"


def test_an_old_address_on_a_date_after_the_reform_offers_the_communes_it_became():
    found = resolve_address("thôn 3, xa binh yen, thach that, ha noi", as_of=AFTER)
    assert found.status == "not_valid"
    assert found.unit is None
    assert "01/07/2025" in found.resolution.message
    offered = [match.unit for match in found.alternatives]
    assert offered and all(unit.is_current for unit in offered)
    assert old("09982").placement in offered


def test_without_parents_a_shared_name_is_a_choice_with_the_parents_shown():
    found = resolve_address("Bình Yên", as_of=BEFORE)
    assert found.status == "ambiguous"
    assert len({match.unit.parent_id for match in found.alternatives}) >= 3


def test_nothing_found_is_unknown():
    assert resolve_address("thôn 3, xyzzy, qwerty", as_of=BEFORE).status == "unknown"


def test_old_communes_official_addresses_resolve_to_themselves():
    """The crosswalk as the measure (a sample of one in 20; `manage.py check_addresses` reads them all)."""
    check = check_old_communes(every=20)
    assert check.total > 400
    assert check.share >= 0.999, check.misses[:10]


def test_names_that_differ_only_by_diacritics_are_told_apart_by_the_spelling_typed():
    # Nga Sơn had both Xã Nga Thanh and Xã Nga Thành.
    found = resolve_address("Xã Nga Thanh, Huyện Nga Sơn, Tỉnh Thanh Hóa", as_of=BEFORE)
    assert found.status == "resolved" and found.unit.name == "Xã Nga Thanh"
    marked = resolve_address("Xã Nga Thành, Huyện Nga Sơn, Tỉnh Thanh Hóa", as_of=BEFORE)
    assert marked.status == "resolved" and marked.unit.name == "Xã Nga Thành"
    # Without any diacritics the two stay a choice; never the district instead.
    plain = resolve_address("xa nga thanh, huyen nga son, thanh hoa", as_of=BEFORE)
    assert plain.status == "ambiguous"
    assert {m.unit.name for m in plain.alternatives} >= {"Xã Nga Thanh", "Xã Nga Thành"}


def test_a_short_common_name_with_its_type_word_is_not_lost_among_hundreds():
    found = resolve_address("Xã Thanh, Huyện Hướng Hóa, Tỉnh Quảng Trị", as_of=BEFORE)
    assert found.status == "resolved" and found.unit.name == "Xã Thanh"
    assert found.unit.parent.name == "Huyện Hướng Hóa"
