"""Users with roles, units, and the trigger helper for the audit tests."""

from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from haidang.audit.testing import audit_triggers_suspended  # noqa: F401 (fixture)

PASSWORD = "a-Long-pass-phrase-42"


@pytest.fixture(autouse=True)
def english(english):
    """Every audit test reads English (the root fixture, for the whole folder)."""
    return english


@pytest.fixture
def nation(db):
    from haidang.places.models import AdministrativeUnit

    return AdministrativeUnit.objects.get(code="VN")


@pytest.fixture
def hanoi(db):
    from haidang.places.models import AdministrativeUnit

    return AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)


@pytest.fixture
def haiphong(db):
    from haidang.places.models import AdministrativeUnit

    return AdministrativeUnit.objects.get(code="31", valid_to__isnull=True)


@pytest.fixture
def make_user(db, nation):
    """make_user(username, role=None, unit=nation) -> User, with a membership when a role is given."""
    from haidang.access.services import add_membership, create_agency, create_user

    def _make(username: str, role: str | None = None, unit=None):
        user = create_user(actor=None, username=username, password=PASSWORD)
        if role:
            unit = unit or nation
            agency = create_agency(actor=None, name=f"Agency of {username}", agency_type="ministry", unit=unit)
            add_membership(actor=None, user=user, agency=agency, unit=unit, role=role)
        return user

    return _make


@pytest.fixture
def auditor(make_user):
    return make_user("auditor.test", "auditor")


def raw_sql(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def story(make_user, hanoi, haiphong):
    """Two case workers' reads, in two provinces, on two days: (entry in Hà Nội, entry in Hải Phòng)."""
    from haidang.audit.services import record_event

    commune = hanoi.children.filter(valid_to__isnull=True).order_by("code").first()
    worker_hn = make_user("worker.hn", "case_worker", hanoi)
    worker_hp = make_user("worker.hp", "case_worker", haiphong)
    with time_machine.travel(local(2025, 7, 30, 9, 0, 30), tick=False):
        a = record_event(
            action="cases.case_viewed",
            actor=worker_hn,
            object_type="cases.case",
            object_id="case-aaa",
            unit=commune,
            changes={"phone": "0912345678"},
            identifying={"phone"},
        )
    with time_machine.travel(local(2025, 8, 10, 14, 5), tick=False):
        b = record_event(
            action="cases.case_updated",
            actor=worker_hp,
            object_type="cases.case",
            object_id="case-bbb",
            unit=haiphong,
            changes={"status": "closed"},
            reason="returned home",
        )
    return a, b
