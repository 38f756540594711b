"""Shared fixtures for the reporting tests: the demo people and places, the default form, a clock
set in the 2026 reporting season, and a helper that issues a province directive to its communes."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from haidang.access.models import Agency, AgencyType
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.reporting import services
from haidang.reporting.default_forms import default_form_version

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


@pytest.fixture
def clock():
    """Time stands at 10:00 on 15/07/2026 in Hà Nội; move it with clock.move_to(at(day))."""
    with time_machine.travel(at(date(2026, 7, 15)), tick=False) as traveller:
        yield traveller


def commune(name, province="01"):
    return AdministrativeUnit.objects.get(parent__code=province, valid_to__isnull=True, name=name)


@pytest.fixture
def places(demo_users):
    thach_that = commune("Xã Thạch Thất")
    old_commune = (
        AdministrativeUnit.objects.filter(placement=thach_that, valid_to__isnull=False, level=UnitLevel.COMMUNE)
        .order_by("name")
        .first()
    )
    return {
        "nation": AdministrativeUnit.objects.get(code="VN"),
        "hanoi": AdministrativeUnit.objects.get(code="01", valid_to__isnull=True),
        "haiphong": AdministrativeUnit.objects.get(code="31", valid_to__isnull=True),
        "thach_that": thach_that,
        "tay_phuong": commune("Xã Tây Phương"),
        "old_commune": old_commune,
        "hong_bang": commune("Phường Hồng Bàng", "31"),
    }


@pytest.fixture
def form_version(db):
    return default_form_version()


def agency(name) -> Agency:
    return Agency.objects.get(name=name)


@pytest.fixture
def make_directive(demo_users, places, form_version):
    """make_directive(**overrides) -> a draft directive of Hà Nội's People's Committee to the two
    demo communes' committees (named), for Q3/2026, due 05/10/2026."""

    def _make(actor="coordinator.hanoi", **overrides):
        fields = {
            "number": "1368/UBND-VX",
            "issued_on": date(2026, 7, 15),
            "issuing_agency": agency("Ủy ban nhân dân Thành phố Hà Nội"),
            "title": "Báo cáo kết quả Tháng hành động phòng, chống mua bán người",
            "text": "Đề nghị các đơn vị tổ chức thực hiện và báo cáo kết quả.",
            "form_version": form_version,
            "period_id": "2026Q3",
            "deadline": date(2026, 10, 5),
            "activities": ["Tổ chức mít tinh hưởng ứng Ngày toàn quốc phòng, chống mua bán người 30/7"],
            "recipient_rules": [{"level": UnitLevel.COMMUNE, "agency_type": AgencyType.COMMUNE_PEOPLES_COMMITTEE}],
        }
        fields.update(overrides)
        user = demo_users[actor] if isinstance(actor, str) else actor
        return services.create_directive(actor=user, **fields)

    return _make


@pytest.fixture
def issued(make_directive, demo_users):
    """issued(**overrides) -> (directive, {unit name: report}) after issuing."""

    def _issue(**overrides):
        directive = make_directive(**overrides)
        reports = services.issue_directive(actor=demo_users["coordinator.hanoi"], directive=directive)
        directive.refresh_from_db()
        return directive, {report.unit.name: report for report in reports}

    return _issue


@pytest.fixture
def strict_rules(form_version):
    """The default form's rules as errors (shipped as a warning), to exercise a blocking rule."""
    form_version.rules.update(severity="error")
    return form_version
