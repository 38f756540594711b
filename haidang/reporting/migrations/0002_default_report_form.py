"""The counter-trafficking report form every installation starts with, version 1, published.

The definition is copied here as it stood when this migration was written (a migration never
imports application code); later changes go out as new versions through the services.
"""

from django.db import migrations
from django.utils import timezone

COUNTER_TRAFFICKING = {
    "code": "CTMBN",
    "name": "Báo cáo kết quả công tác phòng, chống mua bán người",
    "description": "Số liệu tiếp nhận, xác định, hỗ trợ nạn nhân và công tác phòng ngừa trong kỳ báo cáo.",
    "period_type": "quarter",
    "indicators": [
        {"code": "V1", "name": "Số nạn nhân được tiếp nhận", "measure": "persons", "source": "cases.received",
         "breakdowns": ["sex", "age_band"]},
        {"code": "V2", "name": "Số nạn nhân được xác định", "measure": "persons", "source": "cases.identified",
         "breakdowns": ["sex", "age_band"]},
        {"code": "V3", "name": "Số nạn nhân được hỗ trợ", "measure": "persons", "source": "cases.supported",
         "breakdowns": ["sex", "age_band"]},
        {"code": "V4", "name": "Số nạn nhân được giới thiệu đến cơ sở cung cấp dịch vụ", "measure": "persons",
         "source": "cases.referred", "breakdowns": ["sex", "age_band"]},
        {"code": "V5", "name": "Số nạn nhân trở về địa phương", "measure": "persons", "source": "cases.returned",
         "breakdowns": ["sex", "age_band"]},
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
         "message": "Số nạn nhân được xác định không vượt quá số được tiếp nhận"},
    ],
}  # fmt: skip


def create_default_form(apps, schema_editor):
    ReportForm = apps.get_model("reporting", "ReportForm")
    ReportFormVersion = apps.get_model("reporting", "ReportFormVersion")
    Indicator = apps.get_model("reporting", "Indicator")
    NarrativeSection = apps.get_model("reporting", "NarrativeSection")
    ValidationRule = apps.get_model("reporting", "ValidationRule")
    definition = COUNTER_TRAFFICKING
    if ReportForm.objects.filter(code=definition["code"]).exists():
        return
    form = ReportForm.objects.create(
        code=definition["code"], name=definition["name"], description=definition["description"]
    )
    version = ReportFormVersion.objects.create(
        form=form, number=1, status="published", period_type=definition["period_type"], published_at=timezone.now()
    )
    made = {}
    for position, item in enumerate(definition["indicators"], start=1):
        made[item["code"]] = Indicator.objects.create(
            version=version,
            code=item["code"],
            name=item["name"],
            position=position,
            measure=item["measure"],
            source=item.get("source", ""),
            breakdowns=list(item.get("breakdowns", [])),
        )
    for position, item in enumerate(definition["sections"], start=1):
        NarrativeSection.objects.create(
            version=version,
            code=item["code"],
            title=item["title"],
            position=position,
            required=item.get("required", False),
        )
    for item in definition["rules"]:
        ValidationRule.objects.create(
            version=version,
            code=item["code"],
            left_indicator=made[item["left"]],
            operator=item["operator"],
            right_indicator=made[item["right"]],
            message=item["message"],
        )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(create_default_form, migrations.RunPython.noop)]
