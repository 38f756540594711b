"""The report forms every installation starts with. Migration 0002 creates them on `migrate`;
`ensure_default_forms()` is idempotent and makes any that is missing (after a flush, say) and leaves
an existing one alone: a published version never changes, a changed definition goes out as a new
version through the services."""

from django.db import transaction

from haidang.reporting.models import ReportForm
from haidang.reporting.periods import PeriodType
from haidang.reporting.services import define_form

COUNTER_TRAFFICKING_CODE = "CTMBN"

PERSONS = ["sex", "age_band"]

# Names are Vietnamese: a report form is an official document's content, in the state language.
COUNTER_TRAFFICKING = {
    "code": COUNTER_TRAFFICKING_CODE,
    "name": "Báo cáo kết quả công tác phòng, chống mua bán người",
    "description": "Số liệu tiếp nhận, xác định, hỗ trợ nạn nhân và công tác phòng ngừa trong kỳ báo cáo.",
    "period_type": PeriodType.QUARTER,
    "indicators": [
        {"code": "V1", "name": "Số nạn nhân được tiếp nhận", "measure": "persons", "source": "cases.received",
         "breakdowns": PERSONS},
        {"code": "V2", "name": "Số nạn nhân được xác định", "measure": "persons", "source": "cases.identified",
         "breakdowns": PERSONS},
        {"code": "V3", "name": "Số nạn nhân được hỗ trợ", "measure": "persons", "source": "cases.supported",
         "breakdowns": PERSONS},
        {"code": "V4", "name": "Số nạn nhân được giới thiệu đến cơ sở cung cấp dịch vụ", "measure": "persons",
         "source": "cases.referred", "breakdowns": PERSONS},
        {"code": "V5", "name": "Số nạn nhân trở về địa phương", "measure": "persons", "source": "cases.returned",
         "breakdowns": PERSONS},
        {"code": "P1", "name": "Số hoạt động tuyên truyền, phòng ngừa", "measure": "activities",
         "source": "prevention.activities", "breakdowns": ["activity_type"]},
        {"code": "P2", "name": "Số buổi tuyên truyền", "measure": "sessions", "source": "prevention.sessions"},
        {"code": "P3", "name": "Số lượt người tham dự", "measure": "participants", "source": "prevention.participants",
         "breakdowns": ["sex"]},
        {"code": "P4", "name": "Số tài liệu, ấn phẩm đã phát", "measure": "materials",
         "source": "prevention.materials", "breakdowns": ["material_kind"]},
        {"code": "M1", "name": "Số cán bộ được tập huấn nghiệp vụ", "measure": "persons"},
        {"code": "M2", "name": "Số vụ việc nghi mua bán người được phát hiện, trình báo", "measure": "cases"},
    ],
    "sections": [
        {"code": "results", "title": "Kết quả thực hiện", "required": True},
        {"code": "difficulties", "title": "Khó khăn, vướng mắc"},
        {"code": "proposals", "title": "Đề xuất, kiến nghị"},
    ],
    "rules": [
        {"code": "R1", "left": "V2", "operator": "<=", "right": "V1",
         "message": "Số nạn nhân được xác định không vượt quá số được tiếp nhận",
         # A warning: a person received last period and identified in this one breaks it legitimately.
         "severity": "warning"},
    ],
}  # fmt: skip

DEFAULT_FORMS = (COUNTER_TRAFFICKING,)


@transaction.atomic
def ensure_default_forms() -> list[str]:
    """Create the default forms that do not exist yet (published); returns the codes created."""
    created = []
    for definition in DEFAULT_FORMS:
        if ReportForm.objects.filter(code=definition["code"]).exists():
            continue
        define_form(actor=None, publish=True, **definition)
        created.append(definition["code"])
    return created


def default_form_version():
    """The published version of the counter-trafficking report form (made if missing)."""
    ensure_default_forms()
    form = ReportForm.objects.get(code=COUNTER_TRAFFICKING_CODE)
    return form.versions.filter(status="published").order_by("-number").first()
