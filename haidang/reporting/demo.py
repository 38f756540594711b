"""Demonstration data for reporting (synthetic): the 30 July directive in both demo provinces.

Each province's People's Committee asks its communes and departments to organise the month of
action (July 2026) and report by 05/08/2026. The reports show every state a coordinator meets:
approved, submitted on time, submitted late, still a draft, and missing. Everything is written
through the services, as the people would; afterwards the moments are set to July and August
2026 (issue, submission, approval), so the demo tells the story of that month whenever it is run.
A second run finds the directives by their numbers and creates nothing twice.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from haidang.access.models import Agency, AgencyType, User
from haidang.places.models import UnitLevel
from haidang.reporting import selectors, services, workflow
from haidang.reporting.default_forms import default_form_version
from haidang.reporting.dimensions import full_cells
from haidang.reporting.models import Directive, Notification, Report, ReportStatusChange

ISSUED_ON = date(2026, 7, 10)
PERIOD_ID = "2026-07-01_2026-07-31"  # the month of action, a custom range
DEADLINE = date(2026, 8, 5)
TITLE = "Về việc tổ chức các hoạt động hưởng ứng Ngày toàn quốc phòng, chống mua bán người 30/7 và báo cáo kết quả"
TEXT = (
    "Thực hiện Luật Phòng, chống mua bán người năm 2024 và Kế hoạch của Ban Chỉ đạo, Ủy ban nhân dân thành phố "
    "đề nghị các sở, ngành và Ủy ban nhân dân các xã, phường tổ chức các hoạt động hưởng ứng Tháng hành động "
    "phòng, chống mua bán người, báo cáo kết quả về Ủy ban nhân dân thành phố trước ngày 05/8/2026. "
    "(Văn bản minh họa, không phải văn bản thật.)"
)
ACTIVITIES = [
    "Tổ chức lễ mít tinh hưởng ứng Ngày toàn quốc phòng, chống mua bán người 30/7",
    "Treo băng rôn, khẩu hiệu; phát thanh trên hệ thống loa truyền thanh cơ sở",
    "Tuyên truyền tại khu dân cư, trường học và cho người lao động đi làm việc ở nước ngoài",
    "Rà soát, hỗ trợ nạn nhân trở về tái hòa nhập cộng đồng",
]
RULES = [
    (UnitLevel.COMMUNE, AgencyType.COMMUNE_PEOPLES_COMMITTEE),
    (UnitLevel.PROVINCE, AgencyType.DEPARTMENT_OF_HEALTH),
    (UnitLevel.PROVINCE, AgencyType.PROVINCIAL_POLICE),
    (UnitLevel.PROVINCE, AgencyType.BORDER_GUARD),
    (UnitLevel.PROVINCE, AgencyType.WOMENS_UNION),
]
NARRATIVES = {
    "results": "Đơn vị đã tổ chức mít tinh, treo băng rôn và tuyên truyền tại các khu dân cư (minh họa).",
    "difficulties": "Kinh phí cho hoạt động tuyên truyền còn hạn chế (minh họa).",
}


@dataclass(frozen=True)
class Story:
    """What one recipient did: by whom, and when (None: not done)."""

    agency: str
    filer: str | None
    submitted: datetime | None = None
    approved: datetime | None = None  # a story with neither stays a draft


def _at(day: int, month: int = 8, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(date(2026, month, day), time(hour, 0)))


# Province code -> (issuing agency, coordinator, directive number, the recipients' stories).
PROVINCES = {
    "01": (
        "Ủy ban nhân dân Thành phố Hà Nội",
        "coordinator.hanoi",
        "2145/UBND-KGVX (minh họa)",
        [
            Story("Ủy ban nhân dân Xã Thạch Thất", "commune.hanoi.a", _at(3), _at(6, hour=15)),
            Story("Ủy ban nhân dân Xã Tây Phương", "commune.hanoi.b", _at(8)),  # late, waiting for review
            Story("Sở Y tế Thành phố Hà Nội", "caseworker.hanoi", _at(5, hour=16)),  # on time, waiting
            Story("Công an Thành phố Hà Nội", "police.hanoi"),  # a draft,
            # Hội Liên hiệp Phụ nữ Thành phố Hà Nội: missing.
        ],
    ),
    "31": (
        "Ủy ban nhân dân Thành phố Hải Phòng",
        "coordinator.haiphong",
        "1520/UBND-VX (minh họa)",
        [
            Story("Ủy ban nhân dân Phường Hồng Bàng", "commune.haiphong.a", _at(4), _at(7, hour=10)),
            Story("Sở Y tế Thành phố Hải Phòng", "caseworker.haiphong", _at(9), _at(12, hour=14)),  # late, approved
            Story("Hội Liên hiệp Phụ nữ Thành phố Hải Phòng", "prevention.haiphong", _at(2)),  # on time, waiting
            # Công an and Bộ đội Biên phòng Thành phố Hải Phòng: missing.
        ],
    ),
}


def _consistent(report) -> list[dict]:
    """Figures that pass the form's blocking rules: where a pre-filled left side exceeds its right
    side, the filer corrects it down, with the reason. Warnings are left for the reviewer to see."""
    stored = selectors.values_by_indicator(report)
    values = []
    for rule in report.form_version.rules.select_related("left_indicator", "right_indicator"):
        left, right = rule.left_indicator, rule.right_indicator
        if rule.severity != "error" or rule.operator not in ("<=", "<") or left.breakdowns != right.breakdowns:
            continue
        for cell in full_cells(left.breakdowns):
            mine, theirs = stored.get(left.code, {}).get(cell), stored.get(right.code, {}).get(cell)
            limit = theirs.value if theirs is not None and theirs.value is not None else 0
            if mine is not None and mine.value is not None and mine.value > limit:
                values.append(
                    {
                        "indicator": left.code,
                        "dimensions": dict(cell),
                        "value": limit,
                        "override_reason": "Đối chiếu lại với hồ sơ tiếp nhận trong tháng (minh họa)",
                    }
                )
    return values


def _backdate(report: Report, story: Story) -> None:
    """Set the report's moments to the days of the story."""
    issued = _at(ISSUED_ON.day, ISSUED_ON.month, 8)
    Report.objects.filter(pk=report.pk).update(
        prefilled_at=issued, submitted_at=story.submitted, approved_at=story.approved
    )
    Notification.objects.filter(report=report).update(created_at=issued)
    for change in ReportStatusChange.objects.filter(report=report):
        if change.to_status in ("approved", "locked") and story.approved:
            moment = story.approved
        elif change.to_status == "submitted" and story.submitted:
            moment = story.submitted
        else:
            moment = (story.submitted or _at(DEADLINE.day - 2)).replace(hour=8)
        ReportStatusChange.objects.filter(pk=change.pk).update(at=moment)


def _play(report: Report, story: Story, users: dict, coordinator: User) -> None:
    filer = users[story.filer]
    trained = len(story.agency) % 5 + 2  # a small, steady figure entered by hand
    values = [*_consistent(report), {"indicator": "M1", "dimensions": {}, "value": trained}]
    narratives = {code: text for code, text in NARRATIVES.items() if report.form_version.sections.filter(code=code)}
    report = services.save_report(
        actor=filer, report=report, version=report.version, values=values, narratives=narratives
    )
    if story.submitted is not None:
        report = services.transition_report(actor=filer, report=report, action=workflow.Action.SUBMIT)
    if story.approved is not None:
        report = services.transition_report(actor=coordinator, report=report, action=workflow.Action.APPROVE)
    _backdate(report, story)


# The seed article's own directive: No. 1368 of the People's Committee of the old Thạch Thất district
# (map before 01/07/2025), 13/07/2024, to the district's departments and the People's Committees of its
# communes and township, reports due 05/08/2024 through the district's Phòng LĐ-TB&XH.
HISTORIC = {
    "number": "1368/UBND",
    "issued_on": date(2024, 7, 13),
    "deadline": date(2024, 8, 5),
    "period_id": "2024-07-01_2024-07-31",
    "issuer": "Ủy ban nhân dân huyện Thạch Thất",
    "title": (
        "Về việc tổ chức các hoạt động hưởng ứng Ngày thế giới phòng, chống mua bán người và "
        "Ngày toàn dân phòng, chống mua bán người 30/7 năm 2024"
    ),
    "text": (
        "Thực hiện Công văn của Ban Chỉ đạo 138 Chính phủ về triển khai hoạt động hưởng ứng năm 2024, "
        "Ủy ban nhân dân huyện đề nghị các phòng, ban, ngành và Ủy ban nhân dân các xã, thị trấn tổ chức "
        "các hoạt động tuyên truyền, rà soát, hỗ trợ nạn nhân trở về và báo cáo kết quả về Ủy ban nhân dân "
        "huyện qua Phòng Lao động – Thương binh và Xã hội huyện trước ngày 05/8/2024. "
        "(Tóm tắt theo bài báo gốc; dữ liệu minh họa.)"
    ),
    "activities": [
        "Tổ chức hội nghị tuyên truyền, diễu hành, tọa đàm, nói chuyện chuyên đề, tập huấn",
        "Tuyên truyền trên phương tiện thông tin đại chúng; treo pa-nô, áp phích; cấp phát tờ rơi; video clip",
        "Rà soát, thống kê nạn nhân bị mua bán trở về để hỗ trợ theo quy định; tư vấn, kết nối, chuyển tuyến",
        "Xây dựng mô hình hỗ trợ nạn nhân trở về hòa nhập cộng đồng",
    ],
    "rules": [
        (UnitLevel.COMMUNE, AgencyType.COMMUNE_PEOPLES_COMMITTEE),
        (UnitLevel.DISTRICT, AgencyType.DISTRICT_POLICE),
    ],
}


def _seed_historic_directive(version, coordinator: User) -> int:
    """Directive No. 1368 of 2024, under its true issuer; its reports were kept on paper then."""
    issuer = Agency.objects.filter(name=HISTORIC["issuer"]).select_related("unit").first()
    if issuer is None:  # a map without the old district
        return 0
    if Directive.objects.filter(issuing_agency=issuer, number=HISTORIC["number"]).exists():
        return 0
    directive = services.create_directive(
        actor=coordinator,
        number=HISTORIC["number"],
        issued_on=HISTORIC["issued_on"],
        issuing_agency=issuer,
        title=HISTORIC["title"],
        text=HISTORIC["text"],
        form_version=version,
        period_id=HISTORIC["period_id"],
        deadline=HISTORIC["deadline"],
        activities=HISTORIC["activities"],
        recipient_rules=[{"level": level, "agency_type": kind} for level, kind in HISTORIC["rules"]],
    )
    reports = services.issue_directive(actor=coordinator, directive=directive)
    issued = timezone.make_aware(datetime.combine(HISTORIC["issued_on"], time(8, 0)))
    Directive.objects.filter(pk=directive.pk).update(issued_at=issued)
    Report.objects.filter(directive=directive).update(prefilled_at=issued)
    Notification.objects.filter(report__directive=directive).update(created_at=issued)
    return len(reports)


@transaction.atomic
def seed_reporting_demo() -> dict:
    """Idempotent; called by `manage.py seed_demo`. Returns {province code: reports made}."""
    version = default_form_version()
    users = {user.username: user for user in User.objects.all()}
    made = {}
    for province, (agency_name, coordinator_name, number, stories) in PROVINCES.items():
        agency = Agency.objects.filter(name=agency_name).select_related("unit").first()
        coordinator = users.get(coordinator_name)
        if agency is None or coordinator is None:
            raise ImproperlyConfigured("Create the demonstration agencies and users first (access demo).")
        if Directive.objects.filter(issuing_agency=agency, number=number).exists():
            made[province] = 0
            continue
        directive = services.create_directive(
            actor=coordinator,
            number=number,
            issued_on=ISSUED_ON,
            issuing_agency=agency,
            title=TITLE,
            text=TEXT,
            form_version=version,
            period_id=PERIOD_ID,
            deadline=DEADLINE,
            activities=ACTIVITIES,
            recipient_rules=[{"level": level, "agency_type": kind} for level, kind in RULES],
        )
        reports = services.issue_directive(actor=coordinator, directive=directive)
        Directive.objects.filter(pk=directive.pk).update(issued_at=_at(ISSUED_ON.day, ISSUED_ON.month, 8))
        by_agency = {report.agency.name: report for report in reports if report.agency is not None}
        for story in stories:
            report = by_agency.get(story.agency)
            if report is not None and story.filer in users:
                _play(report, story, users, coordinator)
        made[province] = len(reports)
    made["thach_that_2024"] = _seed_historic_directive(version, users["coordinator.hanoi"])
    return made
