"""Demonstration cases: synthetic people (every name marked "(minh họa)") at every step of the path.

Made through the real services, so the timeline, the audit log and the scope are what a user
would get. Dates are relative to today, so the worklist always has something waiting and one
verification overdue. Runs once: a database that already has cases is left alone.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from haidang.access.models import Agency, User
from haidang.cases import services, support, timelimits
from haidang.cases.models import Case
from haidang.places.models import AdministrativeUnit

IDENTIFICATION = {
    "evidence_sources": ["b", "e"],
    "document_type": "police_certificate",
    "document_issuer": "Công an Thành phố Hà Nội",
    "document_number": "XN-MH/2026",
}

# (person, province, unit name or None for the province, receiving agency, channel, days ago, steps)
CASES = [
    ("Nguyễn Thị Hòa (minh họa)", "01", "Xã Thạch Thất", "Ủy ban nhân dân Xã Thạch Thất", "self_report", 2, []),
    (
        "Lò Văn Páo (minh họa)",
        "01",
        "Xã Tây Phương",
        "Ủy ban nhân dân Xã Tây Phương",
        "hotline_tip",
        9,
        ["received", "initial_verification"],
    ),
    (
        "Trần Thị Mơ (minh họa)",
        "01",
        None,
        "Sở Y tế Thành phố Hà Nội",
        "border_handover",
        40,
        ["received", "initial_verification", "identified"],
    ),
    (
        "Hà Thị Sim (minh họa)",
        "01",
        None,
        "Sở Y tế Thành phố Hà Nội",
        "mission_abroad",
        120,
        ["received", "initial_verification", "identified", "returned_home", "reintegration"],
    ),
    (
        "Vi Văn Tình (minh họa)",
        "01",
        "Xã Thạch Thất",
        "Ủy ban nhân dân Xã Thạch Thất",
        "rescue",
        30,
        ["received", "initial_verification", "further_verification"],
    ),
    (
        "Phạm Thị Duyên (minh họa)",
        "31",
        "Phường Hồng Bàng",
        "Ủy ban nhân dân Phường Hồng Bàng",
        "self_report",
        4,
        ["received"],
    ),
    (
        "Đinh Thị Nga (minh họa)",
        "31",
        None,
        "Sở Y tế Thành phố Hải Phòng",
        "border_handover",
        60,
        ["received", "initial_verification", "identified"],
    ),
]

ACTORS = {"01": ("commune.hanoi.a", "caseworker.hanoi"), "31": ("commune.haiphong.a", "caseworker.haiphong")}
# Identification is the Department of Health's decision (Art. 27(2) as amended): its supervisor records it.
DECIDERS = {"01": "supervisor.hanoi", "31": "supervisor.haiphong"}
# The day of each step after the reception, as the demonstration tells it.
STEP_DAYS = {
    "received": 0,
    "initial_verification": 1,
    "further_verification": 3,
    "identified": 3,
    "returned_home": 10,
    "reintegration": 20,
}
LATE = "Nhập lại từ hồ sơ giấy (minh họa)"


def _late_reason(day) -> str:
    """Steps recorded long after they happened say why (the demonstration enters them all today)."""
    return LATE if (timezone.localdate() - day).days > timelimits.backdate_days_without_reason() else ""


COMMUNE_ACTORS = {"Xã Tây Phương": "commune.hanoi.b"}


@transaction.atomic
def seed_cases_demo() -> int:
    if Case.objects.exists():
        return 0
    today = timezone.localdate()
    for code in ("01", "31"):
        province = AdministrativeUnit.objects.get(code=code, valid_to__isnull=True)
        coordinator = User.objects.get(username="coordinator.hanoi" if code == "01" else "coordinator.haiphong")
        support.create_rate(
            actor=coordinator,
            data={
                "province": province,
                "regime": "ESS",
                "item": "Tiền ăn",
                "unit_label": "day",
                "amount": Decimal(50000),
                "max_units": 120,
                "valid_from": today.replace(month=1, day=1),
                "legal_basis": "Nghị quyết minh họa (số liệu giả định)",
            },
        )
        support.create_rate(
            actor=coordinator,
            data={
                "province": province,
                "regime": "TRV",
                "item": "Tiền xe về nơi cư trú",
                "unit_label": "once",
                "amount": Decimal(300000),
                "valid_from": today.replace(month=1, day=1),
                "legal_basis": "Nghị quyết minh họa (số liệu giả định)",
            },
        )
    made = 0
    for name, code, unit_name, agency_name, channel, days_ago, steps in CASES:
        commune_user, worker_user = ACTORS[code]
        if unit_name:
            unit = AdministrativeUnit.objects.get(parent__code=code, valid_to__isnull=True, name=unit_name)
            recorder = User.objects.get(username=COMMUNE_ACTORS.get(unit_name, commune_user))
        else:
            unit = AdministrativeUnit.objects.get(code=code, valid_to__isnull=True)
            recorder = User.objects.get(username=worker_user)
        worker = User.objects.get(username=worker_user)
        received = today - timedelta(days=days_ago)
        case = services.create_case(
            actor=recorder,
            person_data={
                "full_name": name,
                "sex": "male" if "Văn" in name else "female",
                "birth_year": today.year - 19 - days_ago % 9,
            },
            case_data={
                "intake_channel": channel,
                "reception_date": received,
                "unit": unit,
                "agency": Agency.objects.get(name=agency_name),
                "exploitation_forms": ["forced_crime"],
                "route": "vn_kh",
                "recruitment_method": "online_job_offer",
                "destination_country": "KHM",
            },
        )
        if channel == "mission_abroad":
            # The mission brought the person back through the border gate on the day received.
            case = services.record_return(
                actor=worker,
                case=case,
                version=case.version,
                returned_on=received,
                border_gate="Cửa khẩu quốc tế Mộc Bài (minh họa)",
                late_reason=_late_reason(received),
            )
        for target in steps:
            actor = {"received": recorder, "identified": User.objects.get(username=DECIDERS[code])}.get(target, worker)
            day = received + timedelta(days=STEP_DAYS[target])
            data = None
            if target == "identified":
                data = {**IDENTIFICATION, "decision_date": day, "document_date": day}
            case = services.transition_case(
                actor=actor,
                case=case,
                target=target,
                version=case.version,
                data=data,
                event_date=None if target in ("received", "identified") else day,
                late_reason=_late_reason(day),
            )
        made += 1
    return made
