"""The reporting pages as their users meet them: issue, fill in, submit, review, follow, export."""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from haidang.audit.models import AuditEntry
from haidang.places.models import AdministrativeUnit
from haidang.reporting.dimensions import cell_key
from haidang.reporting.models import Directive, DirectiveStatus, Report, ReportStatus, ReportValue
from haidang.reporting.tests.conftest import at

pytestmark = pytest.mark.django_db

PERSONS_CELL = (("sex", "female"), ("age_band", "18_plus"))


def _get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response


def _fill_data(report, **changes) -> dict:
    """What the fill page sends back unchanged: every figure as shown, plus `changes`."""
    data = {"version": report.version, "action": "save"}
    for row in ReportValue.objects.filter(report=report).select_related("indicator"):
        breakdowns = row.indicator.breakdowns
        cell = tuple((code, getattr(row, code)) for code in breakdowns if getattr(row, code))
        if len(cell) == len(breakdowns) and row.value is not None:
            data[f"v:{row.indicator.code}:{cell_key(cell)}"] = str(row.value)
    data["n:results"] = "Đã tổ chức tuyên truyền tại các thôn."
    data.update(changes)
    return data


def test_coordinator_issues_a_directive_after_checking_the_recipients(clock, sign_in, demo_users, form_version, places):
    client = sign_in(demo_users["coordinator.hanoi"])
    page = _get(client, "/reports/directives/new/")
    assert "Hải Phòng" not in page.content.decode().split('name="recipient_agencies"')[0]

    response = client.post(
        "/reports/directives/new/",
        {
            "number": "1368/UBND-VX",
            "issued_on": "15/07/2026",
            "issuing_agency": page.context["form"]
            .fields["issuing_agency"]
            .queryset.get(name="Ủy ban nhân dân Thành phố Hà Nội")
            .pk,
            "title": "Tổ chức Tháng hành động phòng, chống mua bán người",
            "text": "Đề nghị các xã, phường báo cáo kết quả.",
            "activities": "Mít tinh hưởng ứng\n- Treo băng rôn, khẩu hiệu",
            "form_version": form_version.pk,
            "period": "custom",
            "period_start": "01/07/2026",
            "period_end": "31/07/2026",
            "deadline": "05/08/2026",
            "recipient_rules": ["3:commune_committee"],
        },
    )
    directive = Directive.objects.get(number="1368/UBND-VX")
    assert response.status_code == 302 and response["Location"].endswith(f"/reports/directives/{directive.pk}/")
    assert directive.status == DirectiveStatus.DRAFT
    assert directive.period_id == "2026-07-01_2026-07-31"
    assert list(directive.activities.values_list("text", flat=True)) == [
        "Mít tinh hưởng ứng",
        "Treo băng rôn, khẩu hiệu",
    ]

    preview = _get(client, f"/reports/directives/{directive.pk}/").content.decode()
    assert "Ủy ban nhân dân Xã Thạch Thất" in preview and "Ủy ban nhân dân Xã Tây Phương" in preview
    assert "Phường Hồng Bàng" not in preview

    response = client.post(f"/reports/directives/{directive.pk}/issue/", {"version": directive.version})
    assert response.status_code == 302
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.ISSUED
    assert Report.objects.filter(directive=directive).count() == 2


def test_a_period_in_words_and_recipient_units_by_name(clock, sign_in, demo_users, form_version, places):
    client = sign_in(demo_users["coordinator.hanoi"])
    page = _get(client, "/reports/directives/new/")
    html = page.content.decode()
    # The period is chosen by type and number, never typed as a code.
    assert '<option value="N9">9 tháng đầu năm</option>' in html and '<option value="Q3">Quý III</option>' in html
    response = client.post(
        "/reports/directives/new/",
        {
            "number": "15/UBND-VX",
            "issued_on": "15.07.2026",
            "issuing_agency": page.context["form"]
            .fields["issuing_agency"]
            .queryset.get(name="Ủy ban nhân dân Thành phố Hà Nội")
            .pk,
            "title": "Báo cáo quý III (minh họa)",
            "form_version": form_version.pk,
            "period": "Q3",
            "period_year": "2026",
            "period_form": "cutoff",
            "deadline": "20092026",
            "recipient_units": "thach that\nXã Tây Phương — Thành phố Hà Nội",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    directive = Directive.objects.get(number="15/UBND-VX")
    assert (directive.period_id, directive.period_start, directive.deadline) == (
        "2026Q3C",
        date(2026, 6, 15),
        date(2026, 9, 20),
    )
    names = set(directive.recipients.values_list("unit__name", flat=True))
    assert names == {"Xã Thạch Thất", "Xã Tây Phương"}
    # Editing shows the choice back in words and the units by name.
    edit = _get(client, f"/reports/directives/{directive.pk}/edit/").content.decode()
    assert '<option value="Q3" selected>' in edit and '<option value="cutoff" selected>' in edit
    assert "Xã Thạch Thất — Thành phố Hà Nội" in edit


def test_directive_form_names_the_field_that_is_wrong(clock, sign_in, demo_users, form_version):
    client = sign_in(demo_users["coordinator.hanoi"])
    response = client.post(
        "/reports/directives/new/",
        {
            "number": "",
            "issued_on": "31/11/2026",
            "title": "x",
            "form_version": form_version.pk,
            "period": "custom",
            "period_start": "31/07/2026",
            "period_end": "01/07/2026",
            "deadline": "05/08/2026",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"number", "issued_on", "period", "issuing_agency"} <= set(errors)
    assert "kết thúc trước ngày bắt đầu" in errors["period"][0]  # the page speaks Vietnamese
    assert Directive.objects.count() == 0


def test_a_commune_officer_cannot_issue_directives(sign_in, demo_users):
    client = sign_in(demo_users["commune.hanoi.a"])
    assert client.get("/reports/directives/new/").status_code == 403


def test_recipient_sees_the_task_and_fills_in_prefilled_figures_with_a_reason(clock, issued, sign_in, demo_users):
    directive, reports = issued()
    report = reports["Xã Thạch Thất"]
    client = sign_in(demo_users["commune.hanoi.a"])

    tasks = _get(client, "/reports/").content.decode()
    assert directive.number in tasks and f"/reports/{report.pk}/" in tasks
    assert "Xã Tây Phương" not in tasks

    page = _get(client, f"/reports/{report.pk}/")
    entry = page.context["entry"]
    received = next(block for block in entry.blocks if block.code == "V1")
    assert received.is_computed and received.layout == "grid"
    cell = next(c for c in received.cells if c.cell == PERSONS_CELL)
    computed = cell.computed
    assert computed is not None

    # Changing a pre-filled figure without a reason is refused, naming the indicator and cell.
    name = f"v:V1:{cell_key(PERSONS_CELL)}"
    response = client.post(f"/reports/{report.pk}/", _fill_data(report, **{name: str(computed + 3)}))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Số nạn nhân được tiếp nhận" in text and "Nữ" in text
    assert (
        ReportValue.objects.get(report=report, indicator__code="V1", sex="female", age_band="18_plus").value == computed
    )

    # With a reason, both figures are kept.
    report.refresh_from_db()
    response = client.post(
        f"/reports/{report.pk}/",
        _fill_data(report, **{name: str(computed + 3), "r:V1": "Hai người tự đến trình báo, chưa nhập hồ sơ"}),
    )
    assert response.status_code == 302
    value = ReportValue.objects.get(report=report, indicator__code="V1", sex="female", age_band="18_plus")
    assert (value.computed_value, value.value) == (computed, computed + 3)
    assert value.override_reason == "Hai người tự đến trình báo, chưa nhập hồ sơ"
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


@pytest.mark.usefixtures("strict_rules")
def test_submission_stops_on_a_failed_rule_and_keeps_the_draft(clock, issued, sign_in, demo_users):
    _directive, reports = issued()
    report = reports["Xã Thạch Thất"]
    client = sign_in(demo_users["commune.hanoi.a"])
    identified = f"v:V2:{cell_key(PERSONS_CELL)}"
    received = ReportValue.objects.get(report=report, indicator__code="V1", sex="female", age_band="18_plus").value
    data = _fill_data(
        report, **{identified: str((received or 0) + 5), "r:V2": "Số liệu của Công an xã", "action": "submit"}
    )
    response = client.post(f"/reports/{report.pk}/", data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "saved as a draft" in text or "lưu" in text.lower()
    problem = response.context["entry"].blocks[1]
    assert problem.code == "V2" and problem.errors
    assert any("Số nạn nhân được xác định" in e for e in problem.errors)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_a_stale_page_saves_nothing_and_keeps_the_input(clock, issued, sign_in, demo_users):
    _directive, reports = issued()
    report = reports["Xã Thạch Thất"]
    client = sign_in(demo_users["commune.hanoi.a"])
    stale = _fill_data(report, **{"v:M1:": "7"})
    client.post(f"/reports/{report.pk}/", _fill_data(report, **{"v:M1:": "4"}))
    response = client.post(f"/reports/{report.pk}/", stale)
    assert response.status_code == 200
    assert response.context["stale"]
    assert ReportValue.objects.get(report=report, indicator__code="M1").value == 4
    assert 'value="7"' in response.content.decode()


def test_submit_on_time_then_review_return_and_approve(clock, issued, sign_in, demo_users, client):
    _directive, reports = issued()
    report = reports["Xã Thạch Thất"]
    sign_in(demo_users["commune.hanoi.a"])
    response = client.post(f"/reports/{report.pk}/", _fill_data(report, action="submit"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.on_time

    client.logout()
    sign_in(demo_users["coordinator.hanoi"])
    waiting = _get(client, "/reports/reviews/").content.decode()
    assert f"/reports/{report.pk}/" in waiting
    page = _get(client, f"/reports/{report.pk}/")
    assert page.context["review_form"] is not None and not page.context["editing"]

    # Returning needs a comment.
    client.post(f"/reports/{report.pk}/review/", {"version": report.version, "action": "return", "comment": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    client.post(
        f"/reports/{report.pk}/review/",
        {"version": report.version, "action": "return", "comment": "Bổ sung phần khó khăn"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED

    client.logout()
    sign_in(demo_users["commune.hanoi.a"])
    page = _get(client, f"/reports/{report.pk}/").content.decode()
    assert "Bổ sung phần khó khăn" in page
    client.post(f"/reports/{report.pk}/", _fill_data(report, action="submit", **{"n:difficulties": "Thiếu kinh phí"}))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    client.logout()
    sign_in(demo_users["coordinator.hanoi"])
    client.post(f"/reports/{report.pk}/review/", {"version": report.version, "action": "approve", "comment": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.LOCKED
    history = [c.to_status for c in report.status_changes.order_by("at", "pk")]
    assert history[-2:] == [ReportStatus.APPROVED, ReportStatus.LOCKED]
    # A locked report can no longer be changed by its recipient.
    client.logout()
    sign_in(demo_users["commune.hanoi.a"])
    assert client.post(f"/reports/{report.pk}/", _fill_data(report)).status_code == 403


def test_completeness_counts_on_time_late_and_missing_with_drill_down(clock, issued, sign_in, demo_users, client):
    directive, reports = issued(deadline=date(2026, 7, 20))
    sign_in(demo_users["commune.hanoi.a"])
    client.post(f"/reports/{reports['Xã Thạch Thất'].pk}/", _fill_data(reports["Xã Thạch Thất"], action="submit"))
    client.logout()
    clock.move_to(at(date(2026, 7, 22)))
    sign_in(demo_users["commune.hanoi.b"])
    client.post(f"/reports/{reports['Xã Tây Phương'].pk}/", _fill_data(reports["Xã Tây Phương"], action="submit"))
    client.logout()

    sign_in(demo_users["coordinator.hanoi"])
    result = _get(client, f"/reports/directives/{directive.pk}/completeness/").context["result"]
    total = result.total
    assert (total.expected, total.submitted, total.on_time, total.late, total.missing) == (
        total.expected,
        2,
        1,
        1,
        total.expected - 2,
    )
    assert total.rate <= 100
    thach_that = next(row for row in result.rows if row.label == "Xã Thạch Thất")
    drill = _get(client, f"/reports/directives/{directive.pk}/completeness/", unit=thach_that.unit.pk).context
    assert [r.unit.name for r in drill["result"].reports] == ["Xã Thạch Thất"]
    # A unit outside the directive's area answers like a missing page.
    outside = AdministrativeUnit.objects.get(code="31", valid_to__isnull=True)
    assert client.get(f"/reports/directives/{directive.pk}/completeness/", {"unit": outside.pk}).status_code == 404
    assert client.get(f"/reports/directives/{directive.pk}/completeness/", {"unit": "x"}).status_code == 404


OFFICERS = {"Xã Thạch Thất": "commune.hanoi.a", "Xã Tây Phương": "commune.hanoi.b"}


def _approve_both(client, sign_in, demo_users, reports, trained=(4, 6)):
    """Both communes submit (with `trained` officers trained, a figure entered by hand); the province approves."""
    for (name, report), figure in zip(reports.items(), trained, strict=True):
        sign_in(demo_users[OFFICERS[name]])
        client.post(f"/reports/{report.pk}/", _fill_data(report, action="submit", **{"v:M1:": str(figure)}))
        client.logout()
    sign_in(demo_users["coordinator.hanoi"])
    for report in reports.values():
        report.refresh_from_db()
        assert report.status == ReportStatus.SUBMITTED
        client.post(f"/reports/{report.pk}/review/", {"version": report.version, "action": "approve"})


def test_consolidated_figures_and_the_official_documents(clock, issued, sign_in, demo_users, client):
    directive, reports = issued()
    _approve_both(client, sign_in, demo_users, reports)
    page = _get(client, f"/reports/directives/{directive.pk}/consolidated/")
    table = page.context["table"]
    trained = next(row for row in table.rows if row.code == "M1")
    assert trained.total.values[-1] == 10
    assert table.approved == 2

    before = AuditEntry.objects.filter(action="reporting.consolidated_exported").count()
    response = client.get(
        f"/reports/directives/{directive.pk}/consolidated.xlsx",
        {"number": "45/BC-UBND", "signer_name": "Lê Thu Hà", "recipients": "Ban Chỉ đạo thành phố"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content))["Báo cáo"]
    rows = {row[1].value: [cell.value for cell in row] for row in sheet.iter_rows() if row[1].value}
    assert rows["Số cán bộ được tập huấn nghiệp vụ"][3] == 10
    header = rows["Chỉ tiêu"]
    assert header[3] == "Tổng số" and {"Xã Thạch Thất", "Xã Tây Phương"} <= set(header[4:])
    texts = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "Số: 45/BC-UBND" in texts
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI" in texts

    response = client.get(f"/reports/directives/{directive.pk}/consolidated.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Số cán bộ được tập huấn nghiệp vụ" in text
    assert AuditEntry.objects.filter(action="reporting.consolidated_exported").count() == before + 2
    assert client.get(f"/reports/directives/{directive.pk}/consolidated.exe").status_code == 404


def test_out_of_scope_answers_404(clock, issued, sign_in, demo_users, client):
    directive, reports = issued()
    sign_in(demo_users["coordinator.haiphong"])
    assert client.get(f"/reports/directives/{directive.pk}/").status_code == 404
    assert client.get(f"/reports/{reports['Xã Thạch Thất'].pk}/").status_code == 404
    assert client.get(f"/reports/directives/{directive.pk}/consolidated.xlsx").status_code == 404
    client.logout()
    # One commune does not see the other's report.
    sign_in(demo_users["commune.hanoi.b"])
    assert client.get(f"/reports/{reports['Xã Thạch Thất'].pk}/").status_code == 404
    assert client.get(f"/reports/directives/{directive.pk}/completeness/").status_code == 404
    assert client.get("/reports/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_menu_leads_each_user_to_their_reporting_page(sign_in, demo_users, client):
    sign_in(demo_users["coordinator.hanoi"])
    home = client.get("/").content.decode()
    assert re.search(r'href="/reports/directives/"', home)
    client.logout()
    sign_in(demo_users["commune.hanoi.a"])
    home = client.get("/").content.decode()
    assert 'href="/reports/"' in home


def test_a_directive_file_is_downloaded_with_no_store(sign_in, demo_users, make_directive, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from haidang.reporting import services

    settings.MEDIA_ROOT = tmp_path
    directive = make_directive()
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    attachment = services.add_directive_attachment(
        actor=demo_users["coordinator.hanoi"], directive=directive, uploaded_file=SimpleUploadedFile("cv.pdf", pdf)
    )
    client = sign_in(demo_users["coordinator.hanoi"])
    response = client.get(f"/reports/directives/{directive.pk}/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == pdf
    # The directive's page itself is not kept either.
    assert _get(client, f"/reports/directives/{directive.pk}/")["Cache-Control"] == "private, no-store"
