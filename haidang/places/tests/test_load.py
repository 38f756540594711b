"""The loaded maps: counts, codes, names, types, paths, placements; and a second load doing nothing."""

import time
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from haidang.access.models import Agency, AgencyType
from haidang.common.text import fold
from haidang.places.models import AdministrativeUnit, UnitLevel, UnitSuccession, UnitType
from haidang.places.selectors import units_valid_on
from haidang.places.tests.conftest import NEW_DAY, OLD_DAY

pytestmark = pytest.mark.django_db


def test_two_tier_map_valid_from_1_july_2025():
    assert units_valid_on(NEW_DAY, level=UnitLevel.PROVINCE).count() == 34
    assert units_valid_on(NEW_DAY, level=UnitLevel.DISTRICT).count() == 0
    assert units_valid_on(NEW_DAY, level=UnitLevel.COMMUNE).count() == 3321
    assert all(u.valid_from == NEW_DAY and u.valid_to is None for u in units_valid_on(NEW_DAY).exclude(level=0))


def test_three_tier_map_valid_until_30_june_2025():
    provinces = units_valid_on(OLD_DAY, level=UnitLevel.PROVINCE).count()
    districts = units_valid_on(OLD_DAY, level=UnitLevel.DISTRICT).count()
    communes = units_valid_on(OLD_DAY, level=UnitLevel.COMMUNE).count()
    assert (provinces, districts, communes) == (63, 696, 10035)
    assert 10_000 <= communes <= 10_100
    # Ten years earlier the same (the old map's start is unknown, so it is open-ended backwards).
    assert units_valid_on(OLD_DAY.replace(year=2015), level=UnitLevel.COMMUNE).count() == 10035


def test_one_nation_root_above_both_maps():
    root = AdministrativeUnit.objects.get(level=UnitLevel.NATION)
    assert (root.code, root.name, root.valid_from, root.valid_to) == ("VN", "Việt Nam", None, None)
    assert root.path == f"/{root.pk}/"
    assert AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).exclude(parent=root).count() == 0


def test_codes_are_zero_padded_official_codes():
    lengths = {
        (level, current): set(
            AdministrativeUnit.objects.filter(level=level, valid_to__isnull=current)
            .values_list("code", flat=True)
            .distinct()
            .iterator()
        )
        for level, current in [(1, True), (3, True), (1, False), (2, False), (3, False)]
    }
    assert {len(c) for c in lengths[(1, True)]} == {2}
    assert {len(c) for c in lengths[(3, True)]} == {5}
    assert {len(c) for c in lengths[(2, False)]} == {3}
    assert {len(c) for c in lengths[(3, False)]} == {5}
    # Official 2025 codes (vietnam-provinces), not vietnamadminunits' own where they differ.
    assert AdministrativeUnit.objects.get(code="10006", valid_to__isnull=True).name == "Xã Tây Phương"
    assert AdministrativeUnit.objects.get(code="10009", valid_to__isnull=True).name == "Xã Hạ Bằng"


def test_full_official_names_and_types():
    def current(code):
        return AdministrativeUnit.objects.get(code=code, valid_to__isnull=True)

    def old(code):
        return AdministrativeUnit.objects.get(code=code, valid_to=OLD_DAY)

    assert (current("01").name, current("01").unit_type) == ("Thành phố Hà Nội", UnitType.MUNICIPALITY)
    assert (current("04").name, current("04").unit_type) == ("Tỉnh Cao Bằng", UnitType.PROVINCE)
    assert (old("276").name, old("276").unit_type) == ("Huyện Thạch Thất", UnitType.RURAL_DISTRICT)
    assert (old("30").name, old("30").unit_type) == ("Tỉnh Hải Dương", UnitType.PROVINCE)
    assert old("001").unit_type == UnitType.URBAN_DISTRICT  # Quận Ba Đình
    assert old("09955").unit_type == UnitType.TOWNSHIP  # Thị trấn Liên Quan
    assert current("09955").name == "Xã Thạch Thất"
    assert AdministrativeUnit.objects.filter(unit_type=UnitType.SPECIAL_ZONE).count() == 13
    assert not AdministrativeUnit.objects.filter(name__contains="  ").exists()
    for unit in AdministrativeUnit.objects.order_by("?")[:200]:
        assert unit.name_folded == fold(unit.name)


def test_paths_follow_the_parent_chain():
    commune = AdministrativeUnit.objects.select_related("parent__parent__parent").get(code="09955", valid_to=OLD_DAY)
    district, province, root = commune.parent, commune.parent.parent, commune.parent.parent.parent
    assert commune.path == f"/{root.pk}/{province.pk}/{district.pk}/{commune.pk}/"
    wrong = [
        u.code
        for u in AdministrativeUnit.objects.select_related("parent").exclude(level=UnitLevel.NATION)
        if u.path != f"{u.parent.path}{u.pk}/"
    ]
    assert wrong == []


def test_every_unit_is_placed_on_a_current_unit():
    assert not AdministrativeUnit.objects.filter(placement__isnull=True).exists()
    assert not AdministrativeUnit.objects.filter(placement__valid_to__isnull=False).exists()
    assert AdministrativeUnit.objects.filter(valid_to__isnull=True).exclude(placement=F("pk")).count() == 0
    wrong = [
        u.code for u in AdministrativeUnit.objects.select_related("placement") if u.placement_path != u.placement.path
    ]
    assert wrong == []


def test_crosswalk_has_one_default_per_old_commune_and_province():
    old = AdministrativeUnit.objects.filter(valid_to=OLD_DAY)
    counted = old.annotate(
        links=Count("successions"), defaults=Count("successions", filter=Q(successions__is_default=True))
    )
    assert not counted.filter(links=0).exists()
    assert set(counted.filter(level__in=[1, 3]).values_list("defaults", flat=True)) == {1}
    assert not UnitSuccession.objects.exclude(effective_on=NEW_DAY).exists()
    assert not UnitSuccession.objects.filter(successor__valid_to__isnull=False).exists()
    assert UnitSuccession.objects.count() == 14339


def test_second_load_does_nothing_and_is_fast():
    before = (
        AdministrativeUnit.objects.count(),
        UnitSuccession.objects.count(),
        AdministrativeUnit.objects.order_by("-pk").values_list("pk", flat=True).first(),
    )
    out = StringIO()
    started = time.monotonic()
    call_command("load_admin_map", stdout=out)
    assert time.monotonic() - started < 1.0
    assert "Already loaded" in out.getvalue()
    assert "3,321 communes" in out.getvalue() and "10,035 communes" in out.getvalue()
    after = (
        AdministrativeUnit.objects.count(),
        UnitSuccession.objects.count(),
        AdministrativeUnit.objects.order_by("-pk").values_list("pk", flat=True).first(),
    )
    assert after == before


def test_reload_is_refused_once_records_use_the_map():
    Agency.objects.create(
        name="UBND xã Thạch Thất",
        agency_type=AgencyType.COMMUNE_PEOPLES_COMMITTEE,
        unit=AdministrativeUnit.objects.get(code="09955", valid_to__isnull=True),
    )
    with pytest.raises(CommandError, match="access.Agency"):
        call_command("load_admin_map", "--reload", verbosity=0)
    assert AdministrativeUnit.objects.count() == 14150


def test_reload_rebuilds_the_same_map(empty_system):
    out = StringIO()
    call_command("load_admin_map", "--reload", stdout=out)
    assert out.getvalue().startswith("Loaded in")
    assert AdministrativeUnit.objects.count() == 1 + 34 + 3321 + 63 + 696 + 10035
    assert UnitSuccession.objects.count() == 14339
    assert units_valid_on(NEW_DAY, level=UnitLevel.COMMUNE).count() == 3321


def test_reload_is_refused_when_the_audit_log_names_a_unit():
    from haidang.audit.services import record_event

    record_event(action="test.unit_named", unit=AdministrativeUnit.objects.get(code="01", valid_to__isnull=True))
    with pytest.raises(CommandError, match="audit.AuditEntry"):
        call_command("load_admin_map", "--reload", verbosity=0)


def test_a_unit_made_one_by_one_gets_its_search_and_sort_keys():
    # Also proves the id sequence was moved past the loader's explicit ids (PostgreSQL).
    root = AdministrativeUnit.objects.get(code="VN")
    unit = AdministrativeUnit.objects.create(
        code="99",
        name="Tỉnh Thử Nghiệm",
        unit_type=UnitType.PROVINCE,
        level=UnitLevel.PROVINCE,
        parent=root,
        valid_from=date(2030, 1, 1),
        path="",
        placement_path="",
    )
    assert unit.pk > 14150 - 1
    assert unit.name_folded == "tinh thu nghiem"
    assert unit.sort_key
