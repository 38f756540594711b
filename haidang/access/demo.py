"""Demonstration agencies and users: synthetic, clearly fictional people on the real map.

Usernames are fixed so that guides and scripts can rely on them. Passwords come from
DEMO_PASSWORD and the TOTP secret of every user whose role needs a second factor from
DEMO_TOTP_SECRET, so a person with an authenticator app and an automated check can both
sign in. Running it again brings the same users back to that state and creates nothing twice.
"""

import base64
import binascii
import os
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from haidang.access import services
from haidang.access.models import Agency, AgencyType, Membership, User
from haidang.access.roles import Role, role_needs_two_factor
from haidang.places.models import AdministrativeUnit, UnitLevel

DEFAULT_DEMO_PASSWORD = "HaiDang-Demo-2026"
DEFAULT_DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# RFC 2606 reserves .invalid: the demo's mail goes to the console backend, and never to a real mailbox.
DEMO_EMAIL_DOMAIN = "example.invalid"

HANOI = "01"
HAIPHONG = "31"
# Communes of today's map; the first two were both part of the old Thạch Thất district.
HANOI_COMMUNE_A = ("01", "Xã Thạch Thất")
HANOI_COMMUNE_B = ("01", "Xã Tây Phương")
HAIPHONG_COMMUNE_A = ("31", "Phường Hồng Bàng")

# (key, name, type, where): where is "VN", a province code or a (province, commune name) pair.
AGENCIES = [
    ("mps", "Bộ Công an", AgencyType.MINISTRY, "VN"),
    ("moh", "Bộ Y tế", AgencyType.MINISTRY, "VN"),
    (
        "national_steering",
        "Ban Chỉ đạo phòng, chống tội phạm (minh họa)",
        AgencyType.STEERING_COMMITTEE,
        "VN",
    ),
    ("hn_committee", "Ủy ban nhân dân Thành phố Hà Nội", AgencyType.PROVINCIAL_PEOPLES_COMMITTEE, HANOI),
    ("hn_health", "Sở Y tế Thành phố Hà Nội", AgencyType.DEPARTMENT_OF_HEALTH, HANOI),
    ("hn_police", "Công an Thành phố Hà Nội", AgencyType.PROVINCIAL_POLICE, HANOI),
    ("hn_women", "Hội Liên hiệp Phụ nữ Thành phố Hà Nội", AgencyType.WOMENS_UNION, HANOI),
    ("hn_youth", "Thành đoàn Hà Nội", AgencyType.YOUTH_UNION, HANOI),
    ("hn_social_work", "Trung tâm Công tác xã hội Hà Nội (minh họa)", AgencyType.SOCIAL_WORK_CENTRE, HANOI),
    ("hn_shelter", "Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)", AgencyType.SUPPORT_FACILITY, HANOI),
    ("hn_jobs", "Trung tâm Dịch vụ việc làm Hà Nội (minh họa)", AgencyType.EMPLOYMENT_SERVICE, HANOI),
    ("hn_legal_aid", "Trung tâm Trợ giúp pháp lý Hà Nội (minh họa)", AgencyType.LEGAL_AID, HANOI),
    (
        "hn_a_committee",
        "Ủy ban nhân dân Xã Thạch Thất",
        AgencyType.COMMUNE_PEOPLES_COMMITTEE,
        HANOI_COMMUNE_A,
    ),
    ("hn_a_police", "Công an Xã Thạch Thất", AgencyType.COMMUNE_POLICE, HANOI_COMMUNE_A),
    (
        "hn_b_committee",
        "Ủy ban nhân dân Xã Tây Phương",
        AgencyType.COMMUNE_PEOPLES_COMMITTEE,
        HANOI_COMMUNE_B,
    ),
    ("hn_b_police", "Công an Xã Tây Phương", AgencyType.COMMUNE_POLICE, HANOI_COMMUNE_B),
    (
        "hp_committee",
        "Ủy ban nhân dân Thành phố Hải Phòng",
        AgencyType.PROVINCIAL_PEOPLES_COMMITTEE,
        HAIPHONG,
    ),
    ("hp_health", "Sở Y tế Thành phố Hải Phòng", AgencyType.DEPARTMENT_OF_HEALTH, HAIPHONG),
    ("hp_police", "Công an Thành phố Hải Phòng", AgencyType.PROVINCIAL_POLICE, HAIPHONG),
    ("hp_border", "Bộ đội Biên phòng Thành phố Hải Phòng", AgencyType.BORDER_GUARD, HAIPHONG),
    ("hp_women", "Hội Liên hiệp Phụ nữ Thành phố Hải Phòng", AgencyType.WOMENS_UNION, HAIPHONG),
    (
        "hp_a_committee",
        "Ủy ban nhân dân Phường Hồng Bàng",
        AgencyType.COMMUNE_PEOPLES_COMMITTEE,
        HAIPHONG_COMMUNE_A,
    ),
    ("hp_a_police", "Công an Phường Hồng Bàng", AgencyType.COMMUNE_POLICE, HAIPHONG_COMMUNE_A),
    # A mission abroad is a national body; its officers work on the cases of the provinces they
    # hand persons over to (their membership's unit), and only on the cases they handle.
    (
        "mission_kh",
        "Đại sứ quán Việt Nam tại Vương quốc Campuchia (minh họa)",
        AgencyType.MISSION_ABROAD,
        "VN",
    ),
    # A partner for case exchange (issue 12): an international organisation, with no users of its own.
    ("iom", "IOM Việt Nam (minh họa)", AgencyType.INTERNATIONAL_ORGANISATION, "VN"),
]

# The bodies of the old Thạch Thất district (map before 01/07/2025), for the seed's own 2024 directive
# No. 1368 and the 2024 prevention activities: (key, name, type, old unit, last day).
OLD_DISTRICT = ("01", "huyen thach that")
HISTORIC_AGENCIES = [
    (
        "tt_committee",
        "Ủy ban nhân dân huyện Thạch Thất",
        AgencyType.DISTRICT_PEOPLES_COMMITTEE,
        "district",
        date(2025, 6, 30),
    ),
    (
        "tt_labour",
        "Phòng Lao động – Thương binh và Xã hội huyện Thạch Thất",
        AgencyType.DISTRICT_LABOUR_OFFICE,
        "district",
        date(2025, 2, 28),
    ),
    ("tt_police", "Công an huyện Thạch Thất", AgencyType.DISTRICT_POLICE, "district", date(2025, 2, 28)),
    ("tt_women", "Hội Liên hiệp Phụ nữ huyện Thạch Thất", AgencyType.WOMENS_UNION, "district", date(2025, 6, 30)),
    (
        "hn_labour_department",
        "Sở Lao động – Thương binh và Xã hội Thành phố Hà Nội",
        AgencyType.PROVINCIAL_LABOUR_DEPARTMENT,
        "province",
        date(2025, 2, 28),
    ),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    agency: str
    # The membership's unit when it is not the agency's own (a province code).
    unit: str = ""


# Fictional people; "(minh họa)" marks every one of them as a demonstration.
USERS = [
    DemoUser("admin", "Quản trị hệ thống (minh họa)", Role.SYSTEM_ADMIN, "mps"),
    DemoUser("coordinator.national", "Vũ Hoàng Nam (minh họa)", Role.NATIONAL_COORDINATOR, "national_steering"),
    DemoUser("coordinator.hanoi", "Lê Thu Hà (minh họa)", Role.PROVINCE_COORDINATOR, "hn_committee"),
    DemoUser("coordinator.haiphong", "Phạm Văn Hải (minh họa)", Role.PROVINCE_COORDINATOR, "hp_committee"),
    DemoUser("caseworker.hanoi", "Nguyễn Thị Lan (minh họa)", Role.CASE_WORKER, "hn_health"),
    DemoUser("caseworker.haiphong", "Vũ Thị Mai (minh họa)", Role.CASE_WORKER, "hp_health"),
    DemoUser("supervisor.hanoi", "Trần Quốc Bảo (minh họa)", Role.CASE_SUPERVISOR, "hn_health"),
    DemoUser("supervisor.haiphong", "Lương Thị Thảo (minh họa)", Role.CASE_SUPERVISOR, "hp_health"),
    DemoUser("border.haiphong", "Mạc Văn Dũng (minh họa)", Role.CASE_SUPERVISOR, "hp_border"),
    DemoUser("mission.cambodia", "Tạ Minh Châu (minh họa)", Role.CASE_SUPERVISOR, "mission_kh", HANOI),
    DemoUser("police.hanoi", "Đỗ Minh Quân (minh họa)", Role.POLICE_INVESTIGATOR, "hn_police"),
    DemoUser("police.haiphong", "Cao Văn Sơn (minh họa)", Role.POLICE_INVESTIGATOR, "hp_police"),
    DemoUser("prevention.haiphong", "Hoàng Thị Yến (minh họa)", Role.PREVENTION_OFFICER, "hp_women"),
    DemoUser("commune.hanoi.a", "Bùi Văn An (minh họa)", Role.COMMUNE_OFFICER, "hn_a_committee"),
    DemoUser("commune.hanoi.b", "Đặng Thị Bình (minh họa)", Role.COMMUNE_OFFICER, "hn_b_committee"),
    DemoUser("commune.haiphong.a", "Ngô Văn Cường (minh họa)", Role.COMMUNE_OFFICER, "hp_a_committee"),
    DemoUser("analyst", "Phân tích viên (minh họa)", Role.ANALYST, "national_steering"),
    DemoUser("auditor", "Kiểm tra viên (minh họa)", Role.AUDITOR, "moh"),
]


def demo_email(username: str) -> str:
    return f"{username}@{DEMO_EMAIL_DOMAIN}"


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def demo_totp_secret() -> str:
    secret = (os.environ.get("DEMO_TOTP_SECRET") or DEFAULT_DEMO_TOTP_SECRET).replace(" ", "").upper()
    try:
        raw = base64.b32decode(secret + "=" * (-len(secret) % 8))
    except binascii.Error:
        raise ImproperlyConfigured("DEMO_TOTP_SECRET must be base32 (letters A-Z and digits 2-7).") from None
    if len(raw) < 10:
        raise ImproperlyConfigured("DEMO_TOTP_SECRET must be at least 16 base32 characters (80 bits).")
    return secret


def _unit(where) -> AdministrativeUnit:
    current = AdministrativeUnit.objects.filter(valid_to__isnull=True)
    if where == "VN":
        return current.get(code="VN")
    if isinstance(where, str):
        return current.get(code=where, level=1)
    province_code, name = where
    return current.get(parent__code=province_code, parent__valid_to__isnull=True, name=name)


def old_district() -> AdministrativeUnit | None:
    """The Thạch Thất district of the map before 01/07/2025 (None on a map without it)."""
    province, folded = OLD_DISTRICT
    return AdministrativeUnit.objects.filter(
        level=UnitLevel.DISTRICT, valid_to__isnull=False, parent__code=province, name_folded=folded
    ).first()


def _historic_agencies() -> dict[str, Agency]:
    """The old district's bodies and the communes' People's Committees under it, each with its last day."""
    district = old_district()
    if district is None:
        return {}
    made = {}
    for key, name, agency_type, where, last_day in HISTORIC_AGENCIES:
        unit = district if where == "district" else district.parent
        made[key] = _historic(name, agency_type, unit, last_day)
    for commune in AdministrativeUnit.objects.filter(parent=district).order_by("code"):
        _historic(f"Ủy ban nhân dân {commune.name}", AgencyType.COMMUNE_PEOPLES_COMMITTEE, commune, commune.valid_to)
    return made


def _historic(name: str, agency_type: str, unit: AdministrativeUnit, last_day) -> Agency:
    agency = Agency.objects.filter(unit=unit, name=name).first()
    if agency is None:
        agency = services.create_agency(
            actor=None, name=name, agency_type=agency_type, unit=unit, valid_to=last_day or unit.valid_to
        )
    return agency


@transaction.atomic
def seed_demo() -> list[dict]:
    """Create or refresh the demonstration agencies and users; return the logins to print."""
    if not AdministrativeUnit.objects.filter(code="VN").exists():
        raise ImproperlyConfigured("Load the administrative map first: manage.py load_admin_map")
    agencies: dict[str, Agency] = {}
    for key, name, agency_type, where in AGENCIES:
        unit = _unit(where)
        agency = Agency.objects.filter(unit=unit, name=name).first()
        if agency is None:
            agency = services.create_agency(actor=None, name=name, agency_type=agency_type, unit=unit)
        agencies[key] = agency
    agencies.update(_historic_agencies())

    password = demo_password()
    secret = demo_totp_secret()
    key_hex = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    logins = []
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = services.create_user(
                actor=None,
                username=spec.username,
                password=password,
                full_name=spec.full_name,
                email=demo_email(spec.username),
            )
        else:
            changed = []
            if not user.check_password(password):
                # Follow DEMO_PASSWORD if it changed since the last run.
                user.set_password(password)
                changed.append("password")
            if user.email != demo_email(spec.username):
                # Users made before demo addresses existed get one, so reminders reach the console.
                user.email = demo_email(spec.username)
                changed.append("email")
            if changed:
                user.save(update_fields=changed)
        agency = agencies[spec.agency]
        unit = _unit(spec.unit) if spec.unit else agency.unit
        if not Membership.objects.filter(user=user, agency=agency, unit=unit, role=spec.role).exists():
            services.add_membership(actor=None, user=user, agency=agency, unit=unit, role=spec.role)
        two_factor = role_needs_two_factor(spec.role)
        if two_factor:
            TOTPDevice.objects.filter(user=user).exclude(key=key_hex).delete()
            TOTPDevice.objects.get_or_create(
                user=user, key=key_hex, defaults={"name": "demo authenticator", "confirmed": True}
            )
        logins.append(
            {
                "username": spec.username,
                "role": Role(spec.role).label,
                "agency": agency.name,
                "unit": unit.name,
                "two_factor": two_factor,
            }
        )
    return logins
