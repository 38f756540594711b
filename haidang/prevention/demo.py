"""Demonstration prevention work: the 30 July month of action 2026 in both demo provinces.

Synthetic and deterministic (a fixed random seed): the same campaigns, activities and models
come out of every run, and a second run creates nothing twice. Two activities from 2024 sit in
old communes of the former Thạch Thất district, so the summaries show old records counted in
today's Xã Thạch Thất. Everything is written through the services, as a person would.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from haidang.access.demo import AGENCIES, HISTORIC_AGENCIES, USERS
from haidang.access.models import Agency, User
from haidang.access.roles import Capability, role_can
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.prevention import services
from haidang.prevention.models import (
    Activity,
    ActivityType,
    Campaign,
    FundingSource,
    JointTopic,
    MaterialKind,
    ModelKind,
    PreventionModel,
    TargetGroup,
)

CAMPAIGN_NAME = "Tháng hành động phòng, chống mua bán người 2026"
CAMPAIGN_THEME = "Hưởng ứng Ngày toàn quốc phòng, chống mua bán người 30/7"
CAMPAIGN_START = date(2026, 7, 1)
CAMPAIGN_END = date(2026, 7, 31)
SEED = 2026

# Province code -> (issuing agency key, coordinator username, directive number).
PROVINCES = {
    "01": ("hn_committee", "coordinator.hanoi", "156/KH-UBND (minh họa)"),
    "31": ("hp_committee", "coordinator.haiphong", "98/KH-UBND (minh họa)"),
}

# Communes of today's map where provincial agencies worked (the demo agencies' own communes too).
COMMUNES = {
    "01": ["Xã Thạch Thất", "Xã Tây Phương", "Phường Ba Đình", "Phường Hà Đông", "Xã Ba Vì", "Xã Sóc Sơn"],
    "31": ["Phường Hồng Bàng", "Phường Lê Chân", "Phường Kiến An", "Xã Tiên Lãng", "Đặc khu Cát Hải", "Phường Đồ Sơn"],
}
OWN_COMMUNE = {
    "hn_a_committee": "Xã Thạch Thất",
    "hn_a_police": "Xã Thạch Thất",
    "hn_b_committee": "Xã Tây Phương",
    "hn_b_police": "Xã Tây Phương",
    "hp_a_committee": "Phường Hồng Bàng",
    "hp_a_police": "Phường Hồng Bàng",
}
# Joint work the demo shows: (organiser, co-organisers).
PARTNERS = {
    "hn_women": ["hn_youth"],
    "hn_a_committee": ["hn_a_police"],
    "hn_b_committee": ["hn_b_police", "hn_women"],
    "hn_police": ["hn_women"],
    "hp_women": ["hp_police"],
    "hp_border": ["hp_police"],
    "hp_a_committee": ["hp_a_police", "hp_women"],
}


@dataclass(frozen=True)
class Slot:
    """One demo activity before the dice: who organised it, in which province, in which month."""

    province: str
    organiser: str
    when: str  # "campaign", "year" (2026 outside July) or "2024" (an old commune)
    joint: bool = False


SLOTS = [
    # Hà Nội: 20 activities, two of them from 2024.
    Slot("01", "hn_committee", "campaign", joint=False),
    Slot("01", "hn_women", "campaign", joint=True),
    Slot("01", "hn_women", "campaign"),
    Slot("01", "hn_women", "year"),
    Slot("01", "hn_youth", "campaign"),
    Slot("01", "hn_youth", "campaign"),
    Slot("01", "hn_police", "campaign", joint=True),
    Slot("01", "hn_police", "year"),
    Slot("01", "hn_legal_aid", "campaign"),
    Slot("01", "hn_jobs", "year"),
    Slot("01", "hn_a_committee", "campaign", joint=True),
    Slot("01", "hn_a_committee", "campaign"),
    Slot("01", "hn_a_committee", "year"),
    Slot("01", "hn_a_police", "campaign"),
    Slot("01", "hn_b_committee", "campaign", joint=True),
    Slot("01", "hn_b_committee", "campaign"),
    Slot("01", "hn_b_police", "year"),
    Slot("01", "hn_social_work", "campaign"),
    # 2024: organised by the bodies of the old Thạch Thất district, which existed then.
    Slot("01", "tt_women", "2024"),
    Slot("01", "tt_committee", "2024"),
    # Hải Phòng: 16 activities.
    Slot("31", "hp_committee", "campaign"),
    Slot("31", "hp_women", "campaign", joint=True),
    Slot("31", "hp_women", "campaign"),
    Slot("31", "hp_women", "campaign"),
    Slot("31", "hp_women", "year"),
    Slot("31", "hp_police", "campaign"),
    Slot("31", "hp_police", "year"),
    Slot("31", "hp_border", "campaign", joint=True),
    Slot("31", "hp_border", "campaign"),
    Slot("31", "hp_health", "campaign"),
    Slot("31", "hp_a_committee", "campaign", joint=True),
    Slot("31", "hp_a_committee", "campaign"),
    Slot("31", "hp_a_committee", "year"),
    Slot("31", "hp_a_police", "campaign"),
    Slot("31", "hp_a_police", "year"),
    Slot("31", "hp_women", "year"),
]

TITLES = {
    ActivityType.COMMUNICATION_SESSION: "Tuyên truyền phòng, chống mua bán người tại {place}",
    ActivityType.TALK: "Nói chuyện chuyên đề: nhận diện thủ đoạn “việc nhẹ lương cao” tại {place}",
    ActivityType.CONFERENCE: "Hội nghị triển khai công tác phòng, chống mua bán người tại {place}",
    ActivityType.TRAINING: "Tập huấn nhận diện, xác minh nạn nhân cho cán bộ cơ sở tại {place}",
    ActivityType.PARADE: "Diễu hành hưởng ứng Ngày toàn quốc phòng, chống mua bán người tại {place}",
    ActivityType.MOBILE_CAMPAIGN: "Tuyên truyền lưu động bằng xe loa tại {place}",
    ActivityType.LOUDSPEAKER: "Phát thanh trên hệ thống loa truyền thanh cơ sở {place}",
    ActivityType.PRESS_ARTICLE: "Bài viết về phòng, chống mua bán người ở {place}",
    ActivityType.RADIO_TV: "Phóng sự phát thanh, truyền hình về mua bán người ở {place}",
    ActivityType.ONLINE_POST: "Đăng tin cảnh báo mua bán người qua mạng xã hội ({place})",
    ActivityType.LEAFLET: "Phát tờ rơi cảnh báo thủ đoạn mua bán người tại {place}",
    ActivityType.BANNER: "Treo băng rôn, khẩu hiệu hưởng ứng Tháng hành động tại {place}",
    ActivityType.POSTER: "Dán áp phích phòng, chống mua bán người tại {place}",
    ActivityType.PLEDGE_SIGNING: "Ký cam kết không vi phạm pháp luật về mua bán người tại {place}",
    ActivityType.SCHOOL_ACTIVITY: "Ngoại khóa cho học sinh về phòng, chống mua bán người tại {place}",
    ActivityType.CONTEST: "Hội thi tìm hiểu pháp luật phòng, chống mua bán người tại {place}",
    ActivityType.VIDEO_CLIP: "Clip ngắn cảnh báo lừa đảo đi làm việc ở nước ngoài ({place})",
    ActivityType.LEGAL_DOCUMENTS: "Niêm yết văn bản pháp luật về phòng, chống mua bán người tại {place}",
}
IN_PERSON = (
    ActivityType.COMMUNICATION_SESSION,
    ActivityType.TALK,
    ActivityType.CONFERENCE,
    ActivityType.TRAINING,
    ActivityType.PARADE,
    ActivityType.MOBILE_CAMPAIGN,
    ActivityType.PLEDGE_SIGNING,
    ActivityType.SCHOOL_ACTIVITY,
    ActivityType.CONTEST,
)
MEDIA = (
    ActivityType.LOUDSPEAKER,
    ActivityType.PRESS_ARTICLE,
    ActivityType.RADIO_TV,
    ActivityType.ONLINE_POST,
    ActivityType.VIDEO_CLIP,
)
PRINT = (ActivityType.LEAFLET, ActivityType.BANNER, ActivityType.POSTER, ActivityType.LEGAL_DOCUMENTS)

MODELS = [
    {
        "name": "Câu lạc bộ “Phòng, chống mua bán người” Xã Thạch Thất (minh họa)",
        "kind": ModelKind.PREVENTION,
        "agency": "hn_a_committee",
        "unit": ("01", "Xã Thạch Thất"),
        "start_date": date(2025, 9, 15),
        "beneficiaries": 48,
        "description": "Sinh hoạt hằng tháng cho phụ nữ và thanh niên chuẩn bị đi làm việc xa.",
    },
    {
        "name": "Mô hình hỗ trợ tái hòa nhập cộng đồng cho người bị mua bán trở về (minh họa)",
        "kind": ModelKind.REINTEGRATION,
        "agency": "hp_women",
        "unit": ("31", "Phường Hồng Bàng"),
        "start_date": date(2026, 3, 1),
        "beneficiaries": 12,
        "description": "Vay vốn, học nghề và tư vấn tâm lý cho người trở về.",
    },
]


def _agencies() -> dict[str, Agency]:
    names = {key: name for key, name, _type, _where in AGENCIES}
    # The old district's bodies, for the activities of 2024 (their true organisers).
    names.update({key: name for key, name, _type, _where, _last in HISTORIC_AGENCIES})
    found = {a.name: a for a in Agency.objects.filter(name__in=names.values()).select_related("unit")}
    missing = [name for name in names.values() if name not in found]
    if missing:
        raise ImproperlyConfigured("Create the demonstration agencies first: manage.py seed_demo")
    return {key: found[name] for key, name in names.items()}


def _commune(province: str, name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(
        parent__code=province, parent__valid_to__isnull=True, valid_to__isnull=True, name=name
    )


def _province(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code=code, level=UnitLevel.PROVINCE, valid_to__isnull=True)


def _recorders() -> dict[str, User]:
    """Agency key -> the demo user who records its work (one whose role may record prevention work)."""
    recorders = {}
    for spec in USERS:
        if role_can(spec.role, Capability.MANAGE_PREVENTION) and spec.agency not in recorders:
            recorders[spec.agency] = User.objects.get(username=spec.username)
    return recorders


def _split(rng: random.Random, participants: int) -> tuple[int | None, int | None]:
    if rng.random() < 0.2:
        return None, None  # not recorded by sex
    female = round(participants * rng.uniform(0.4, 0.7))
    return female, participants - female


def _measures(rng: random.Random, activity_type: str) -> dict:
    data: dict = {"materials": []}
    if activity_type in IN_PERSON:
        sessions = rng.randint(1, 4)
        participants = rng.randint(30, 120) * sessions
        data.update(sessions=sessions, participants=participants)
        data["participants_female"], data["participants_male"] = _split(rng, participants)
        if activity_type == ActivityType.PLEDGE_SIGNING:
            data["pledges"] = rng.randint(participants // 2, participants)
            data["materials"].append({"kind": MaterialKind.PLEDGE_FORM, "produced": participants, "distributed": None})
        if activity_type in (ActivityType.MOBILE_CAMPAIGN, ActivityType.COMMUNICATION_SESSION) or rng.random() < 0.4:
            produced = rng.randint(2, 20) * 100
            data["materials"].append(
                {"kind": MaterialKind.LEAFLET, "produced": produced, "distributed": produced - rng.randint(0, 5) * 20}
            )
        if activity_type == ActivityType.MOBILE_CAMPAIGN:
            data["broadcast_minutes"] = rng.randint(6, 24) * 10
    elif activity_type == ActivityType.LOUDSPEAKER:
        data.update(sessions=rng.randint(8, 30), broadcast_minutes=rng.randint(6, 36) * 10)
    elif activity_type == ActivityType.RADIO_TV:
        data.update(sessions=rng.randint(1, 3), broadcast_minutes=rng.randint(5, 30))
    elif activity_type == ActivityType.PRESS_ARTICLE:
        data.update(articles=rng.randint(1, 4))
    elif activity_type == ActivityType.ONLINE_POST:
        data.update(posts=rng.randint(2, 12), page_visits=rng.randint(5, 200) * 100)
    elif activity_type == ActivityType.VIDEO_CLIP:
        clips = rng.randint(1, 3)
        data.update(posts=clips, page_visits=rng.randint(20, 400) * 100)
        data["materials"].append({"kind": MaterialKind.VIDEO, "produced": clips, "distributed": clips})
    else:  # printed matter
        kind = {
            ActivityType.LEAFLET: MaterialKind.LEAFLET,
            ActivityType.BANNER: MaterialKind.BANNER,
            ActivityType.POSTER: MaterialKind.POSTER,
            ActivityType.LEGAL_DOCUMENTS: MaterialKind.BOOKLET,
        }[activity_type]
        produced = rng.randint(5, 30) * (100 if kind == MaterialKind.LEAFLET else 1)
        data["materials"].append({"kind": kind, "produced": produced, "distributed": produced})
    if rng.random() < 0.6:
        data["cost"] = rng.randint(2, 60) * 500_000
        data["funding_source"] = rng.choice(
            [FundingSource.LOCAL_BUDGET, FundingSource.LOCAL_BUDGET, FundingSource.NATIONAL_PROGRAMME]
        )
    return data


def _day(rng: random.Random, when: str) -> date:
    if when == "campaign":
        return CAMPAIGN_START + timedelta(days=rng.randint(0, (CAMPAIGN_END - CAMPAIGN_START).days))
    if when == "2024":
        return date(2024, rng.randint(3, 11), rng.randint(1, 28))
    month = rng.choice([2, 3, 4, 5, 6, 8, 9, 10])
    return date(2026, month, rng.randint(1, 28))


def _old_communes() -> list[AdministrativeUnit]:
    """Communes of the map before 01/07/2025 that are counted in today's Xã Thạch Thất."""
    today_unit = _commune("01", "Xã Thạch Thất")
    return list(
        AdministrativeUnit.objects.filter(
            placement=today_unit, valid_to__isnull=False, level=UnitLevel.COMMUNE
        ).order_by("code")
    )


def _plan(agencies: dict[str, Agency]) -> list[dict]:
    """The demo activities as service input, drawn from a fixed seed (the same on every run)."""
    rng = random.Random(SEED)
    types = [t for t in ActivityType.values if t != ActivityType.OTHER]
    old_communes = _old_communes()
    plan = []
    for index, slot in enumerate(SLOTS):
        activity_type = types[index % len(types)] if index < len(types) else rng.choice(types)
        day = _day(rng, slot.when)
        if slot.when == "2024":
            unit = old_communes[index % len(old_communes)]
        elif slot.organiser in OWN_COMMUNE:
            unit = _commune(slot.province, OWN_COMMUNE[slot.organiser])
        elif activity_type in (ActivityType.CONFERENCE, ActivityType.PRESS_ARTICLE, ActivityType.RADIO_TV):
            unit = _province(slot.province)
        else:
            unit = _commune(slot.province, rng.choice(COMMUNES[slot.province]))
        groups = rng.sample(
            [g for g in TargetGroup.values if g != TargetGroup.OTHER],
            rng.randint(1, 3),
        )
        if activity_type == ActivityType.SCHOOL_ACTIVITY:
            groups = [TargetGroup.STUDENTS, *[g for g in groups if g != TargetGroup.STUDENTS]][:3]
        topics = rng.sample(JointTopic.values, rng.randint(1, 2)) if rng.random() < 0.3 else []
        data = {
            "activity_type": activity_type,
            "title": TITLES[activity_type].format(place=unit.name),
            "start_date": day,
            "end_date": day + timedelta(days=rng.randint(1, 6)) if activity_type == ActivityType.LOUDSPEAKER else day,
            "unit": unit,
            "place": "",
            "organiser": agencies[slot.organiser],
            "co_organisers": [agencies[key] for key in PARTNERS.get(slot.organiser, [])] if slot.joint else [],
            "joint_topics": topics,
            "target_groups": groups,
            "language": "Tiếng Việt",
            "notes": "Dữ liệu minh họa.",
            **_measures(rng, activity_type),
        }
        if data["end_date"] > CAMPAIGN_END and slot.when == "campaign":
            data["end_date"] = CAMPAIGN_END
        plan.append({"slot": slot, "data": data})
    return plan


@transaction.atomic
def seed_prevention_demo() -> dict:
    """Create what is missing of the demo campaigns, activities and models; say what was made."""
    agencies = _agencies()
    recorders = _recorders()
    coordinators = {code: User.objects.get(username=username) for code, (_a, username, _d) in PROVINCES.items()}

    campaigns = {}
    for code, (agency_key, _username, directive) in PROVINCES.items():
        issuing = agencies[agency_key]
        campaign = Campaign.objects.filter(name=CAMPAIGN_NAME, issuing_agency=issuing).first()
        if campaign is None:
            campaign = services.create_campaign(
                actor=coordinators[code],
                data={
                    "name": CAMPAIGN_NAME,
                    "theme": CAMPAIGN_THEME,
                    "start_date": CAMPAIGN_START,
                    "end_date": CAMPAIGN_END,
                    "issuing_agency": issuing,
                    "directive_number": directive,
                    "target_units": [],
                },
            )
        campaigns[code] = campaign

    created = 0
    for item in _plan(agencies):
        slot, data = item["slot"], item["data"]
        data["campaign"] = campaigns[slot.province] if slot.when == "campaign" else None
        exists = Activity.objects.filter(
            title=data["title"], organiser=data["organiser"], start_date=data["start_date"]
        ).exists()
        if exists:
            continue
        actor = recorders.get(slot.organiser) or coordinators[slot.province]
        services.create_activity(actor=actor, data=data)
        created += 1

    for spec in MODELS:
        agency = agencies[spec["agency"]]
        if PreventionModel.objects.filter(name=spec["name"], agency=agency).exists():
            continue
        province = spec["unit"][0]
        actor = recorders.get(spec["agency"]) or coordinators[province]
        services.create_prevention_model(
            actor=actor,
            data={
                "name": spec["name"],
                "kind": spec["kind"],
                "unit": _commune(*spec["unit"]),
                "agency": agency,
                "start_date": spec["start_date"],
                "beneficiaries": spec["beneficiaries"],
                "description": spec["description"],
            },
        )
    return {"campaigns": list(campaigns.values()), "activities_created": created}
