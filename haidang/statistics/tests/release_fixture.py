"""Victims enough for a release: a large province, a small one, two quarters; and the people who release."""

from datetime import date

from haidang.access import services as access_services
from haidang.access.models import Agency, User
from haidang.access.roles import Role
from haidang.statistics.tests.figures_fixture import V, add_victims, load_units


def victims_2026() -> list[V]:
    # Hà Nội, first quarter: 20 women and 3 men; second quarter: 12 women and 14 men.
    # Hải Phòng, first quarter: 4 women (a count that must never be published).
    return [
        *(V(f"hn-f-{i}", "thach_that", date(2026, 2, 1)) for i in range(20)),
        *(V(f"hn-m-{i}", "tay_phuong", date(2026, 3, 1), sex="male") for i in range(3)),
        *(V(f"hn-q2f-{i}", "thach_that", date(2026, 5, 1)) for i in range(12)),
        *(V(f"hn-q2m-{i}", "thach_that", date(2026, 5, 2), sex="male") for i in range(14)),
        *(V(f"hp-f-{i}", "hong_bang", date(2026, 1, 15), residence="haiphong") for i in range(4)),
    ]


def load_release_world(user) -> dict:
    units = load_units()
    agency = Agency.objects.create(name="Cơ quan thử nghiệm", agency_type="health_department", unit=units["hanoi"])
    add_victims(user, units, agency, victims_2026(), "R")
    return units


def national_releaser() -> User:
    """Someone with the right to release for the whole country: a national coordinator."""
    user = access_services.create_user(actor=None, username="releaser.national", password="x-Test-Password-1")
    agency = Agency.objects.get(name__startswith="Ban Chỉ đạo phòng, chống tội phạm")
    access_services.add_membership(
        actor=None, user=user, agency=agency, unit=agency.unit, role=Role.NATIONAL_COORDINATOR
    )
    return user
