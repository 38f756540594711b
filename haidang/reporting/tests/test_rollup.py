"""The consolidated report: approved reports summed level by level, old units placed through the
crosswalk, a unit's own reports beside its children, nothing unapproved counted."""

from datetime import date

import pytest

from haidang.access.models import AgencyType
from haidang.places.models import UnitLevel
from haidang.reporting import selectors, services
from haidang.reporting.tests.conftest import agency, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def file(user, report, **figures):
    values = [{"indicator": code, "value": value} for code, value in figures.items()]
    report = services.save_report(
        actor=user, report=report, version=report.version, values=values, narratives={"results": "Đã làm."}
    )
    return services.transition_report(actor=user, report=report, action="submit")


def approve(user, report):
    return services.transition_report(actor=user, report=report, action="approve")


def row(table, code):
    return next(r for r in table.rows if r.code == code)


def column(table, label):
    return [c.label for c in table.columns].index(label)


def test_children_and_own_reports_sum_to_the_province_only_once_approved(issued, demo_users):
    health = agency("Sở Y tế Thành phố Hà Nội")
    directive, reports = issued(recipients=[{"agency": health}])
    coordinator = demo_users["coordinator.hanoi"]
    approve(coordinator, file(demo_users["commune.hanoi.a"], reports["Xã Thạch Thất"], M1=3, M2=1))
    file(demo_users["commune.hanoi.b"], reports["Xã Tây Phương"], M1=4)  # submitted, not yet approved
    approve(coordinator, file(demo_users["caseworker.hanoi"], reports["Thành phố Hà Nội"], M1=5))

    table = selectors.consolidated(coordinator, directive)
    assert [c.label for c in table.columns] == ["Xã Thạch Thất", "Thành phố Hà Nội (riêng)", "Tổng cộng"]
    assert row(table, "M1").total.values == [3, 5, 8]
    assert row(table, "M2").total.values == [1, None, 1]  # nothing entered is blank, not zero
    assert [r.unit.name for r in table.pending] == ["Xã Tây Phương"]
    assert table.approved == 2 and table.columns[-1].approved == 2
    assert table.narratives["results"]

    approve(coordinator, reports["Xã Tây Phương"])
    table = selectors.consolidated(coordinator, directive)
    assert row(table, "M1").total.values[column(table, "Xã Tây Phương")] == 4
    assert row(table, "M1").total.values[-1] == 12
    # The breakdown cells are there too, each with its label.
    v1 = row(table, "V1")
    assert v1.cells[0].key == "" and any(c.key == "sex=female|age_band=under_16" for c in v1.cells)


def test_old_units_are_placed_under_their_successor_and_province(make_directive, demo_users, places, clock):
    clock.move_to(at(date(2025, 11, 20)))
    coordinator, officer = demo_users["coordinator.hanoi"], demo_users["commune.hanoi.a"]
    directive = make_directive(
        number="16/BC-UBND",
        issued_on=date(2025, 11, 20),
        period_id="2025-01-01_2025-12-31",
        deadline=date(2025, 12, 20),
        recipient_rules=[],
        recipients=[{"unit": places["old_commune"]}, {"unit": places["thach_that"]}],
    )
    reports = {r.unit_id: r for r in services.issue_directive(actor=coordinator, directive=directive)}
    approve(coordinator, file(officer, reports[places["old_commune"].pk], M1=6))
    approve(coordinator, file(officer, reports[places["thach_that"].pk], M1=2))
    table = selectors.consolidated(coordinator, directive)
    assert [c.label for c in table.columns] == ["Xã Thạch Thất", "Tổng cộng"]
    assert row(table, "M1").total.values == [8, 8]
    # One level up, the whole of Hà Nội is one column.
    national = selectors.consolidated(demo_users["analyst"], directive, unit=places["nation"])
    assert [c.label for c in national.columns] == ["Thành phố Hà Nội", "Tổng cộng"]
    assert row(national, "M1").total.values == [8, 8]


@pytest.fixture
def national_coordinator(demo_users):
    """The demo's national coordinator: a membership at the nation."""
    return demo_users["coordinator.national"]


def test_communes_sum_to_provinces_and_provinces_to_the_nation(
    issued, make_directive, demo_users, places, form_version
):
    _hanoi, reports = issued()
    coordinator = demo_users["coordinator.hanoi"]
    approve(coordinator, file(demo_users["commune.hanoi.a"], reports["Xã Thạch Thất"], M1=3))
    approve(coordinator, file(demo_users["commune.hanoi.b"], reports["Xã Tây Phương"], M1=4))
    haiphong = make_directive(
        actor="coordinator.haiphong", number="88/UBND-VX", issuing_agency=agency("Ủy ban nhân dân Thành phố Hải Phòng")
    )
    (hong_bang,) = services.issue_directive(actor=demo_users["coordinator.haiphong"], directive=haiphong)
    approve(demo_users["coordinator.haiphong"], file(demo_users["commune.haiphong.a"], hong_bang, M1=10))

    table = selectors.consolidated(
        demo_users["analyst"], form_version=form_version, period_id="2026Q3", unit=places["nation"]
    )
    assert [c.label for c in table.columns] == ["Thành phố Hà Nội", "Thành phố Hải Phòng", "Tổng cộng"]
    assert row(table, "M1").total.values == [7, 10, 17]
    assert table.period_label == "Quý III/2026"
    # A province sees its own part only.
    mine = selectors.consolidated(coordinator, form_version=form_version, period_id="2026Q3", unit=places["nation"])
    assert row(mine, "M1").total.values[-1] == 7


def test_two_levels_a_province_report_stands_for_its_communes(
    issued, make_directive, demo_users, places, national_coordinator, form_version
):
    # The province asks its communes; the nation asks the provinces, for the same form and quarter.
    _directive, reports = issued()
    coordinator = demo_users["coordinator.hanoi"]
    approve(coordinator, file(demo_users["commune.hanoi.a"], reports["Xã Thạch Thất"], M1=3))
    approve(coordinator, file(demo_users["commune.hanoi.b"], reports["Xã Tây Phương"], M1=4))
    national = make_directive(
        actor=national_coordinator,
        number="9/BCĐ",
        issuing_agency=agency("Ban Chỉ đạo phòng, chống tội phạm (minh họa)"),
        recipient_rules=[{"level": UnitLevel.PROVINCE, "agency_type": AgencyType.PROVINCIAL_PEOPLES_COMMITTEE}],
    )
    provinces = {r.unit.name: r for r in services.issue_directive(actor=national_coordinator, directive=national)}
    assert set(provinces) == {"Thành phố Hà Nội", "Thành phố Hải Phòng"}
    # Hà Nội's report to the nation: its communes' 7 plus 2 of its own.
    approve(national_coordinator, file(coordinator, provinces["Thành phố Hà Nội"], M1=9))

    table = selectors.consolidated(
        national_coordinator, form_version=form_version, period_id="2026Q3", unit=places["nation"]
    )
    assert [c.label for c in table.columns] == ["Thành phố Hà Nội", "Tổng cộng"]
    assert row(table, "M1").total.values == [9, 9]  # not 9 + 3 + 4
    assert [r.unit.name for r in table.pending] == ["Thành phố Hải Phòng"]
    # Inside Hà Nội, the communes' figures are still there by the province's own directive.
    inside = selectors.consolidated(coordinator, _directive)
    assert row(inside, "M1").total.values[-1] == 7
