"""Fixtures for the register's tests: police users at the demo units and a criminal case maker."""

from datetime import date

import pytest

from haidang.access import services as access_services
from haidang.access.models import Agency
from haidang.access.roles import Role
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.proceedings import services

DETECTED = date(2026, 3, 10)


@pytest.fixture
def units(db):
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    haiphong = AdministrativeUnit.objects.get(code="31", valid_to__isnull=True)
    thach_that = AdministrativeUnit.objects.get(parent=hanoi, name="Xã Thạch Thất", valid_to__isnull=True)
    old_commune = AdministrativeUnit.objects.filter(
        placement=thach_that, valid_to__isnull=False, level=UnitLevel.COMMUNE
    ).first()
    return {"hanoi": hanoi, "haiphong": haiphong, "thach_that": thach_that, "old_commune": old_commune}


@pytest.fixture
def people(demo_users, units):
    """Demo users plus a Hải Phòng investigator and a commune police investigator in Xã Thạch Thất."""
    users = dict(demo_users)
    for username, agency_name in (
        ("police.haiphong.test", "Công an Thành phố Hải Phòng"),
        ("police.thachthat.test", "Công an Xã Thạch Thất"),
    ):
        agency = Agency.objects.get(name=agency_name)
        user = access_services.create_user(actor=None, username=username, password="x-Test-2026-x", full_name="Test")
        access_services.add_membership(
            actor=None, user=user, agency=agency, unit=agency.unit, role=Role.POLICE_INVESTIGATOR
        )
        users[username] = user
    return users


def agency(name: str) -> Agency:
    return Agency.objects.get(name=name)


@pytest.fixture
def make_case(people, units):
    def _make(actor=None, **overrides):
        data = {
            "number": "12/VA",
            "article": "150",
            "detected_on": DETECTED,
            "prosecution_opened_on": None,
            "investigating_agency": agency("Công an Thành phố Hà Nội"),
            "unit": units["hanoi"],
            "route": "vn_kh",
            "destination_country": "KHM",
            "exploitation_forms": ["forced_crime"],
        }
        data.update(overrides)
        return services.create_criminal_case(actor=actor or people["police.hanoi"], data=data)

    return _make
