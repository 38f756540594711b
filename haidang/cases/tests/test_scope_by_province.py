"""A province-wide scope reads the placement stored with each case (`placed_province`) instead of the
province's ~700 unit ids: the same cases, old units placed through the crosswalk included, and
nothing of another province (a case outside the scope answers 404 like a missing one)."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse

from haidang.access.models import Agency
from haidang.access.roles import Capability
from haidang.access.scope import CoveredUnits, covered_units, scope_for
from haidang.cases import selectors
from haidang.cases.models import Case
from haidang.cases.services.access import break_glass
from haidang.cases.tests.steps import open_case
from haidang.common import queries, shared
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.placing import fill_placement
from haidang.prevention.models import Activity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def current(code):
    return AdministrativeUnit.objects.get(code=code, valid_to__isnull=True)


def commune(province_code, name):
    return AdministrativeUnit.objects.get(parent__code=province_code, valid_to__isnull=True, name=name)


def old_unit_in(placement):
    """An old commune of the three-tier map whose records count in `placement` today."""
    old = AdministrativeUnit.objects.filter(placement=placement, valid_to__isnull=False, level=UnitLevel.COMMUNE)
    return old.first()


HANOI_HEALTH = "Sở Y tế Thành phố Hà Nội"
HAIPHONG_HEALTH = "Sở Y tế Thành phố Hải Phòng"


@pytest.fixture
def cases(demo_users):
    """A Hà Nội case made under an old commune (placed in Xã Thạch Thất through the crosswalk), a
    current Hà Nội case in Xã Tây Phương, and a Hải Phòng case."""
    thach_that = commune("01", "Xã Thạch Thất")
    old = old_unit_in(thach_that)
    assert old is not None and old.pk != thach_that.pk
    hanoi_old = open_case(demo_users["caseworker.hanoi"], old, HANOI_HEALTH, received=date(2025, 3, 1))
    tay_phuong = open_case(demo_users["caseworker.hanoi"], commune("01", "Xã Tây Phương"), HANOI_HEALTH)
    haiphong = open_case(demo_users["caseworker.haiphong"], current("31"), HAIPHONG_HEALTH)
    return {"hanoi_old": hanoi_old, "tay_phuong": tay_phuong, "haiphong": haiphong}


def where(queryset) -> str:
    return str(queryset.query).split(" WHERE ", 1)[1]


def visible(username, demo_users):
    return set(selectors.cases_visible_to(demo_users[username]).values_list("pk", flat=True))


def test_the_old_unit_case_stores_its_placement(cases):
    case = Case.objects.get(pk=cases["hanoi_old"].pk)
    assert case.unit.valid_to is not None
    assert case.placed_province_id == current("01").pk
    assert case.placed_commune_id == commune("01", "Xã Thạch Thất").pk


def test_a_province_scope_is_a_condition_on_the_stored_placement(demo_users):
    scope = scope_for(demo_users["caseworker.hanoi"])
    units = scope.units(Capability.VIEW_CASES)
    assert isinstance(units, CoveredUnits)
    assert units.provinces == (current("01").pk,) and not units.others
    sql = where(selectors.cases_visible_to(demo_users["caseworker.hanoi"]))
    assert "placed_province_id" in sql and "json_each" not in sql and "ANY(" not in sql
    # A model without a stored placement, or another unit field, keeps the list of unit ids.
    assert "placed_province" not in where(scope.filter(Activity.objects.all(), Capability.VIEW_CASES))
    other_field = scope.unit_q(Capability.VIEW_CASES, "case__unit", model=Case)
    assert "case__unit__in_ids" in dict(other_field.children)


def test_the_two_shapes_cover_the_same_cases(demo_users, cases):
    """placed_province IN (...) and unit IN (ids of the units placed under the province's path)."""
    path = scope_for(demo_users["caseworker.hanoi"]).paths_for(Capability.VIEW_CASES)
    covered = covered_units(tuple(path))
    by_placement = set(Case.objects.filter(placed_province_id__in=covered.provinces).values_list("pk", flat=True))
    by_units = set(Case.objects.filter(unit__in_ids=covered.ids).values_list("pk", flat=True))
    assert by_placement == by_units
    assert cases["hanoi_old"].pk in by_placement and cases["haiphong"].pk not in by_placement


def test_a_province_case_worker_sees_an_old_unit_case_of_the_province(demo_users, cases):
    seen = visible("caseworker.hanoi", demo_users)
    assert {cases["hanoi_old"].pk, cases["tay_phuong"].pk} <= seen
    assert cases["haiphong"].pk not in seen


def test_pages_and_api_answer_404_outside_the_province(demo_users, cases, as_user, api):
    client = as_user("caseworker.hanoi")
    assert client.get(reverse("cases:detail", args=[cases["hanoi_old"].pk])).status_code == 200
    assert client.get(reverse("cases:detail", args=[cases["haiphong"].pk])).status_code == 404
    token = api("caseworker.hanoi")
    assert token.get(f"/api/v1/cases/{cases['hanoi_old'].pk}").status_code == 200
    assert token.get(f"/api/v1/cases/{cases['haiphong'].pk}").status_code == 404
    listed = {item["id"] for item in token.get("/api/v1/cases?page_size=100").json()["items"]}
    assert str(cases["hanoi_old"].pk) in listed and str(cases["haiphong"].pk) not in listed


def test_worklist_counts_and_search_follow_the_province(demo_users, cases, as_user, api):
    worker = demo_users["caseworker.hanoi"]
    expected = set(selectors.cases_visible_to(worker).values_list("pk", flat=True))
    token = api("caseworker.hanoi")
    listed = token.get("/api/v1/cases?page_size=1").json()
    assert listed["count"] == len(expected)
    waiting = token.get("/api/v1/cases/worklist?page_size=100").json()
    waiting_ids = {item["case_id"] for item in waiting["items"]}
    assert str(cases["haiphong"].pk) not in waiting_ids
    assert str(cases["tay_phuong"].pk) in waiting_ids
    page = as_user("caseworker.hanoi").get(reverse("cases:worklist"))
    assert page.status_code == 200
    assert page.context["page"].paginator.count == len(expected)
    assert cases["haiphong"].number not in page.content.decode()
    numbers = {
        number
        for item in token.get("/api/v1/persons/search", {"q": "Lò Thị Mai (minh họa)"}).json()["items"]
        for number in item["case_numbers"]
    }
    assert cases["hanoi_old"].number in numbers and cases["haiphong"].number not in numbers


def test_commune_officers_keep_their_unit_ids(demo_users, cases):
    scope = scope_for(demo_users["commune.hanoi.a"])
    units = scope.units(Capability.VIEW_CASES)
    assert units.provinces == () and len(units.others) > 1
    sql = where(selectors.cases_visible_to(demo_users["commune.hanoi.a"]))
    assert "placed_province_id" not in sql and ("json_each" in sql or "ANY(" in sql)  # the list of ids
    seen = visible("commune.hanoi.a", demo_users)  # Xã Thạch Thất
    assert cases["hanoi_old"].pk in seen
    assert not seen & {cases["tay_phuong"].pk, cases["haiphong"].pk}


def test_a_scope_of_a_province_and_a_commune(demo_users, cases):
    """Hải Phòng case worker who is also a commune officer of Xã Thạch Thất: province OR units."""
    from haidang.access import services as access_services
    from haidang.access.roles import Role

    worker = demo_users["caseworker.haiphong"]
    agency = Agency.objects.get(name="Ủy ban nhân dân Xã Thạch Thất")
    access_services.add_membership(
        actor=None, user=worker, agency=agency, unit=commune("01", "Xã Thạch Thất"), role=Role.COMMUNE_OFFICER
    )
    worker = type(worker).objects.get(pk=worker.pk)  # a fresh object: the scope is read again
    units = scope_for(worker).units(Capability.VIEW_CASES)
    assert units.provinces == (current("31").pk,) and len(units.others) > 1
    seen = set(selectors.cases_visible_to(worker).values_list("pk", flat=True))
    assert {cases["hanoi_old"].pk, cases["haiphong"].pk} <= seen
    assert cases["tay_phuong"].pk not in seen


def test_assignment_and_break_the_glass_still_widen(demo_users, cases):
    worker = demo_users["caseworker.hanoi"]
    Case.objects.filter(pk=cases["haiphong"].pk).update(assigned_to=worker)
    assert cases["haiphong"].pk in visible("caseworker.hanoi", demo_users)
    Case.objects.filter(pk=cases["haiphong"].pk).update(assigned_to=None)
    other = open_case(demo_users["caseworker.haiphong"], current("31"), HAIPHONG_HEALTH)
    supervisor = demo_users["supervisor.hanoi"]
    assert other.pk not in set(selectors.cases_visible_to(supervisor).values_list("pk", flat=True))
    break_glass(actor=supervisor, case_number=other.number, reason="Nạn nhân đang ở Hà Nội, cần xem hồ sơ ngay.")
    supervisor = type(supervisor).objects.get(pk=supervisor.pk)
    assert other.pk in set(selectors.cases_visible_to(supervisor).values_list("pk", flat=True))


def test_a_national_scope_is_unchanged(demo_users, cases):
    assert scope_for(demo_users["coordinator.national"]).units(Capability.VIEW_CASES) == "national"
    seen = visible("coordinator.national", demo_users)
    assert {cases["hanoi_old"].pk, cases["tay_phuong"].pk, cases["haiphong"].pk} <= seen


def test_a_case_without_its_stored_placement_is_filled_by_the_migration(demo_users, cases):
    """Rows written in bulk without `fill_placement` (an older import, a bench fill): the migration
    stores their placement, so the province sees them again."""
    Case.objects.filter(pk=cases["hanoi_old"].pk).update(placed_province=None, placed_commune=None)
    assert cases["hanoi_old"].pk not in visible("caseworker.hanoi", demo_users)
    migration = importlib.import_module("haidang.cases.migrations.0014_fill_missing_placement")
    migration.fill_missing_placement(apps, None)
    case = Case.objects.get(pk=cases["hanoi_old"].pk)
    assert (case.placed_province_id, case.placed_commune_id) == (
        current("01").pk,
        commune("01", "Xã Thạch Thất").pk,
    )
    assert cases["hanoi_old"].pk in visible("caseworker.hanoi", demo_users)
    # The same as the application's own fill for bulk rows.
    Case.objects.filter(pk=cases["hanoi_old"].pk).update(placed_province=None, placed_commune=None)
    fill_placement(Case.objects.filter(pk=cases["hanoi_old"].pk))
    assert Case.objects.get(pk=cases["hanoi_old"].pk).placed_commune_id == case.placed_commune_id


def test_every_demo_case_stores_its_placement(cases):
    unplaced = Case.objects.filter(placed_province__isnull=True).exclude(unit__placement__level=UnitLevel.NATION)
    assert not unplaced.exists()


def test_kept_statements_do_not_mix_a_province_and_a_commune_reader(settings, demo_users, cases, as_user):
    settings.SHARED_DATA_CACHE = True
    settings.COMPILED_STATEMENTS = True
    shared._store.clear()
    queries._STATEMENTS.clear()
    try:
        for username in ("caseworker.hanoi", "commune.hanoi.a", "caseworker.hanoi", "commune.hanoi.b"):
            expected = visible(username, demo_users)
            page = as_user(username).get(reverse("cases:worklist"))
            assert page.context["page"].paginator.count == len(expected), username
    finally:
        shared._store.clear()
        queries._STATEMENTS.clear()


def test_incoming_transfers_by_the_units_path_are_those_of_the_unit_ids(demo_users, cases):
    """The worklist reads pending transfers through their unit's placement path (`by_path`) instead of the
    scope's list of unit ids: the same transfers, for a province-wide scope and a commune's."""
    from haidang.cases.models import Transfer, TransferStatus
    from haidang.cases.services.transfers import request_transfer
    from haidang.cases.views.worklist import _incoming_transfers

    def transfer(case, unit, agency_name):
        request_transfer(
            actor=demo_users["caseworker.hanoi"],
            case=case,
            data={
                "to_unit": unit,
                "to_agency": Agency.objects.get(name=agency_name),
                "reason": "Về quê (minh họa)",
                "legal_basis": "Điều 3 (minh họa)",
            },
        )

    transfer(cases["tay_phuong"], current("31"), HAIPHONG_HEALTH)
    transfer(cases["hanoi_old"], commune("01", "Xã Tây Phương"), "Ủy ban nhân dân Xã Tây Phương")
    pending = Transfer.objects.filter(status=TransferStatus.PENDING)
    for username in ("caseworker.haiphong", "supervisor.hanoi", "commune.hanoi.b", "caseworker.hanoi"):
        user = demo_users[username]
        by_ids = scope_for(user).filter(pending, Capability.EDIT_CASES, unit_field="to_unit")
        by_path = scope_for(user).filter(pending, Capability.EDIT_CASES, unit_field="to_unit", by_path=True)
        assert set(by_path) == set(by_ids), username
    assert [t.case_id for t in _incoming_transfers(demo_users["caseworker.haiphong"])] == [cases["tay_phuong"].pk]
    assert {t.case_id for t in _incoming_transfers(demo_users["supervisor.hanoi"])} == {cases["hanoi_old"].pk}
    assert not _incoming_transfers(demo_users["caseworker.hanoi"]).exists()  # its own requests are left out
