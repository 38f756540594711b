"""Demonstration criminal proceedings and victims for 2023–2026 in Hà Nội (01) and Hải Phòng (31).

Synthetic throughout: every person's name ends in "(minh họa)". Records before 01/07/2025 are
made under the old (pre-2025) communes that the crosswalk places in these provinces, so a
2024 half-year compares with the 2026 one on today's map. Victim cases go through the cases
services (intake and transitions), then their steps are dated as they would have happened;
criminal cases and suspects go through this app's services and are linked to victims of the
same province and half-year. Hải Phòng's first half of 2023 mirrors the published figure: 3 criminal cases,
4 victims, 3 of them from other provinces.

Runs once: a database that already holds the demonstration criminal cases is left alone.
"""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from haidang.access.models import Agency, User
from haidang.cases import services as case_services
from haidang.cases.models import CaseStatus
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.proceedings import services
from haidang.proceedings.models import CriminalCase

MARK = "MH"  # demonstration case numbers start with it
FIRST_YEAR = 2023
NEW_MAP = date(2025, 7, 1)
PROVINCES = {
    "01": {
        "police": ("police.hanoi", "Công an Thành phố Hà Nội"),
        "worker": ("caseworker.hanoi", "Sở Y tế Thành phố Hà Nội"),
        "communes": ("Xã Thạch Thất", "Xã Tây Phương"),
    },
    "31": {
        "police": ("police.haiphong", "Công an Thành phố Hải Phòng"),
        "worker": ("caseworker.haiphong", "Sở Y tế Thành phố Hải Phòng"),
        "communes": ("Phường Hồng Bàng",),
    },
}
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Lò", "Giàng", "Vàng", "Đinh", "Hà")
FEMALE = ("Thị Hoa", "Thị Mai", "Thị Lan", "Thị Sim", "Thị Dợ", "Thị Nga", "Thị Mỷ", "Thu Hà")
MALE = ("Văn Páo", "Văn Tình", "A Sử", "Văn Nam", "Seo Chứ", "Đức Minh")
# Codes of the official list (haidang.common.ethnicities): Kinh, Mông, Thái, Dao, Tày.
ETHNICITIES = (("01", 60), ("08", 15), ("03", 10), ("09", 8), ("02", 7))
PATTERNS = (
    {"route": "vn_cn", "destination_country": "CHN", "exploitation_forms": ["forced_marriage"]},
    {"route": "vn_cn", "destination_country": "CHN", "exploitation_forms": ["sexual", "forced_marriage"]},
    {"route": "vn_kh", "destination_country": "KHM", "exploitation_forms": ["forced_crime"]},
    {"route": "vn_kh", "destination_country": "KHM", "exploitation_forms": ["forced_labour"]},
    {"route": "vn_la", "destination_country": "LAO", "exploitation_forms": ["sexual"]},
    {"route": "domestic", "destination_country": "", "exploitation_forms": ["forced_labour"]},
)
IDENTIFICATION = {"evidence_sources": ["a", "e"], "document_type": "police_certificate", "document_number": "XN-MH"}
# Identification and "not a victim" are the Department of Health's decisions, recorded by its supervisor.
DECIDERS = {"01": "supervisor.hanoi", "31": "supervisor.haiphong"}
LATE = "Nhập lại từ hồ sơ giấy (minh họa)"


def _half_years(today: date) -> list[tuple[date, date]]:
    halves = []
    for year in range(FIRST_YEAR, today.year + 1):
        for start, end in ((date(year, 1, 1), date(year, 6, 30)), (date(year, 7, 1), date(year, 12, 31))):
            if start <= today:
                halves.append((start, min(end, today - timedelta(days=1))))
    return halves


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _police_user(code: str) -> User:
    """The province's investigator, made by the access demo."""
    return User.objects.get(username=PROVINCES[code]["police"][0])


def _units(code: str) -> dict:
    province = AdministrativeUnit.objects.get(code=code, valid_to__isnull=True)
    communes = list(
        AdministrativeUnit.objects.filter(
            parent=province, valid_to__isnull=True, name__in=PROVINCES[code]["communes"]
        ).order_by("code")
    )
    # Old communes placed in those communes (so commune figures compare across the reform).
    old = list(
        AdministrativeUnit.objects.filter(
            placement__in=communes, valid_to__isnull=False, level=UnitLevel.COMMUNE
        ).order_by("code")[:6]
    )
    old_province = AdministrativeUnit.objects.filter(
        code=code, level=UnitLevel.PROVINCE, valid_to__isnull=False
    ).first()
    return {"province": province, "old_province": old_province or province, "communes": communes, "old": old}


def _pick_unit(rng: random.Random, units: dict, day: date):
    if rng.random() < 0.35:
        return units["province"] if day >= NEW_MAP else units["old_province"]
    pool = units["communes"] if day >= NEW_MAP else (units["old"] or [units["province"]])
    return rng.choice(pool)


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([value for value, _w in pairs], weights=[w for _v, w in pairs])[0]


def _victim(rng, code, units, others, worker, agency, received, *, outside: bool | None = None):
    female = rng.random() < 0.8
    name = f"{rng.choice(FAMILY)} {rng.choice(FEMALE if female else MALE)} (minh họa)"
    outside = rng.random() < 0.3 if outside is None else outside
    residence = rng.choice(others) if outside else rng.choice(units["communes"])
    pattern = rng.choice(PATTERNS)
    unit = _pick_unit(rng, units, received)
    case = case_services.create_case(
        actor=worker,
        person_data={
            "full_name": name,
            "sex": "female" if female else "male",
            "birth_year": received.year - rng.randint(13, 34),
            "ethnicity": _weighted(rng, ETHNICITIES),
            "residence_unit": residence,
        },
        case_data={
            "intake_channel": "border_handover",
            "reception_date": received,
            "unit": unit,
            "agency": agency,
            **pattern,
        },
    )
    identified = received + timedelta(days=rng.randint(3, 12))
    today = timezone.localdate()
    steps = [(CaseStatus.RECEIVED, received), (CaseStatus.INITIAL_VERIFICATION, received + timedelta(days=1))]
    if identified < today and rng.random() < 0.85:
        steps.append((CaseStatus.IDENTIFIED, identified))
        returned = identified + timedelta(days=rng.randint(5, 20))
        if returned < today and rng.random() < 0.6:
            steps.append((CaseStatus.RETURNED_HOME, returned))
    elif identified < today:
        steps += [(CaseStatus.FURTHER_VERIFICATION, identified), (CaseStatus.NOT_VICTIM, identified)]
    decider = User.objects.get(username=DECIDERS[code])
    for target, day in steps:
        data, note = None, ""
        if target == CaseStatus.IDENTIFIED:
            data = {**IDENTIFICATION, "decision_date": day, "document_date": day, "document_issuer": agency.name}
        if target == CaseStatus.NOT_VICTIM:
            note = "Không đủ căn cứ xác định là nạn nhân (minh họa)"
        # Each step carries the day it happened; entered today from the paper file, it says so.
        case = case_services.transition_case(
            actor=decider if target in (CaseStatus.IDENTIFIED, CaseStatus.NOT_VICTIM) else worker,
            case=case,
            target=target,
            version=case.version,
            data=data,
            note=note,
            event_date=None if target in (CaseStatus.RECEIVED, CaseStatus.IDENTIFIED) else day,
            late_reason=LATE,
        )
    return case


def _criminal_case(rng, number, police, agency, units, detected, victims):
    today = timezone.localdate()
    opened = detected + timedelta(days=rng.randint(7, 40))
    pattern = rng.choice(PATTERNS)
    criminal_case = services.create_criminal_case(
        actor=police,
        data={
            "number": number,
            "article": "151" if rng.random() < 0.2 else "150",
            "detected_on": detected,
            "prosecution_opened_on": opened if opened < today and rng.random() < 0.85 else None,
            "investigating_agency": agency,
            "unit": _pick_unit(rng, units, detected),
            **pattern,
        },
    )
    for _index in range(rng.randint(1, 4)):
        female = rng.random() < 0.35
        prosecuted = None
        if criminal_case.prosecution_opened_on is not None:
            day = criminal_case.prosecution_opened_on + timedelta(days=rng.randint(0, 15))
            prosecuted = day if day < today and rng.random() < 0.9 else None
        services.add_suspect(
            actor=police,
            criminal_case=criminal_case,
            data={
                "full_name": f"{rng.choice(FAMILY)} {rng.choice(FEMALE if female else MALE)} (minh họa)",
                "sex": "female" if female else "male",
                "birth_year": detected.year - rng.randint(17, 55),
                "nationality": "CHN" if rng.random() < 0.12 else "VNM",
                "role": rng.choice(["recruiter", "recruiter", "broker", "transporter", "harbourer", "receiver"]),
                "prosecuted_on": prosecuted,
            },
        )
    for victim in victims:
        services.link_victim(actor=police, criminal_case=criminal_case, case=victim)
    return criminal_case


@transaction.atomic
def seed_proceedings_demo() -> int:
    """Idempotent; called by `manage.py seed_demo`. Returns the number of criminal cases made."""
    if CriminalCase.objects.filter(number__startswith=f"{MARK}-").exists():
        return 0
    if not AdministrativeUnit.objects.filter(code="VN").exists():
        return 0
    rng = random.Random(2026)
    today = timezone.localdate()
    others = list(
        AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, valid_to__isnull=True)
        .exclude(code__in=list(PROVINCES))
        .order_by("code")
    )
    made = 0
    for code, setup in PROVINCES.items():
        police = _police_user(code)
        worker = User.objects.get(username=setup["worker"][0])
        health = Agency.objects.get(name=setup["worker"][1])
        police_agency = Agency.objects.get(name=setup["police"][1])
        units = _units(code)
        for index, (start, end) in enumerate(_half_years(today)):
            mirror = code == "31" and start.year == 2023 and start.month == 1
            # A little more each year, so the same-period comparison shows a change.
            count = 4 if mirror else rng.randint(2, 3) + (start.year - FIRST_YEAR + 1) // 2
            victims = [
                _victim(
                    rng, code, units, others, worker, health, _day(rng, start, end), outside=(i < 3) if mirror else None
                )
                for i in range(count)
            ]
            cases = 3 if mirror else rng.randint(1, 2) + (start.year >= 2025)
            for number in range(cases):
                linked = victims[number::cases][:2]
                detected = min([v.reception_date for v in linked] or [_day(rng, start, end)])
                _criminal_case(
                    rng,
                    f"{MARK}-{index + 1:02d}{number + 1}/{start.year}",
                    police,
                    police_agency,
                    units,
                    detected,
                    linked,
                )
                made += 1
    return made
