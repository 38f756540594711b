"""A province issues a directive to its communes; one commune reports on time, the other late; the
province approves both and downloads the consolidated XLSX, whose figures are checked.

Two commune officers of their own (second factor included) are added to the server's database
for this test, so no other browser test competes for their one-time codes. Commune B is late the
honest way the clock allows in one run: its report's deadline is moved to yesterday (as if the
deadline had passed) before its officer submits.
"""

import io
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from haidang.access.demo import DEFAULT_DEMO_PASSWORD
from tests_e2e.test_sign_in_journey import current_code

pytestmark = pytest.mark.browser

COMMUNE_A = "Xã Thạch Thất"
COMMUNE_B = "Xã Tây Phương"
OFFICERS = {COMMUNE_A: "e2e.reports.thachthat", COMMUNE_B: "e2e.reports.tayphuong"}
TRAINED = {COMMUNE_A: 4, COMMUNE_B: 6}


@pytest.fixture(scope="module")
def officers(server_python):
    """Two commune officers (People's Committee, second factor on the demo secret), one per commune."""
    lines = [
        "import base64",
        "from django_otp.plugins.otp_totp.models import TOTPDevice",
        "from haidang.access import services",
        "from haidang.access.demo import demo_totp_secret",
        "from haidang.access.models import Agency, User",
        "from haidang.access.roles import Role",
        "secret = demo_totp_secret()",
        "key = base64.b32decode(secret + '=' * (-len(secret) % 8)).hex()",
    ]
    for commune, username in OFFICERS.items():
        lines += [
            f"agency = Agency.objects.get(name='Ủy ban nhân dân {commune}')",
            f"user = User.objects.filter(username='{username}').first()",
            "if user is None:",
            f"    user = services.create_user(actor=None, username='{username}', password='{DEFAULT_DEMO_PASSWORD}',"
            f" full_name='Cán bộ báo cáo {commune} (minh họa)')",
            "    services.add_membership(actor=None, user=user, agency=agency, unit=agency.unit,"
            " role=Role.COMMUNE_OFFICER)",
            "    TOTPDevice.objects.create(user=user, key=key, name='e2e', confirmed=True)",
        ]
    server_python("\n".join(lines))
    return OFFICERS


def signed_in(browser, base_url: str, username: str, two_factor: bool):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())  # the "are you sure?" of issuing
    page.console_errors = errors
    page.goto(base_url + "/account/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEFAULT_DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    if two_factor:
        page.wait_for_url(base_url + "/account/two-factor/")
        page.locator("input[name=otp]").fill(current_code())
        page.locator("input[name=otp]").press("Enter")
    page.wait_for_url(base_url + "/")
    return context, page


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def file_report(browser, base: str, commune: str, number: str) -> str:
    """The commune's officer opens the task, enters the trained officers, writes the results and submits."""
    context, page = signed_in(browser, base, OFFICERS[commune], two_factor=True)
    try:
        page.locator("nav.main-nav a[href='/reports/']").click()
        page.wait_for_url(base + "/reports/")
        task = page.locator("table.rp-tasks tbody tr", has_text=number)
        assert task.count() == 1
        task.get_by_role("link").click()
        page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}/$"))
        form = page.locator("form.rp-fill")
        # A pre-filled indicator shows what the records give.
        assert form.locator("#indicator-V1 .rp-computed").count() > 0
        form.locator("input[name='v:M1:']").fill(str(TRAINED[commune]))
        form.locator("textarea[name='n:results']").fill(f"{commune} đã tổ chức mít tinh và tuyên truyền (minh họa).")
        submit(page, form.locator("button[name=action][value=submit]"))
        assert page.locator(".rp-head-status [data-status=submitted]").count() == 1
        timeliness = page.locator(".rp-head-status [data-timeliness]").get_attribute("data-timeliness")
        assert page.console_errors == []
        return timeliness
    finally:
        context.close()


def test_province_issues_communes_report_on_time_and_late_province_approves_and_exports(
    live_server_url, browser, officers, server_python
):
    base = live_server_url
    number = f"{uuid.uuid4().hex[:4].upper()}/UBND-VX"
    today = timezone.localdate()
    coordinator_context, coordinator = signed_in(browser, base, "coordinator.hanoi", two_factor=False)
    try:
        # The province issues the directive to every commune People's Committee.
        coordinator.goto(base + "/reports/directives/new/")
        form = coordinator.locator("form.rp-directive-form")
        form.locator("input[name=number]").fill(number)
        form.locator("input[name=title]").fill("Về việc hưởng ứng Tháng hành động phòng, chống mua bán người")
        form.locator("textarea[name=activities]").fill("Tổ chức mít tinh\nTreo băng rôn, khẩu hiệu")
        form.locator("select[name=form_version]").select_option(index=1)
        form.locator("select[name=period]").select_option("custom")
        form.locator("input[name=period_start]").fill("01/07/2026")
        form.locator("input[name=period_end]").fill("31/07/2026")
        form.locator("input[name=deadline]").fill((today + timedelta(days=7)).strftime("%d/%m/%Y"))
        form.locator("input[name=recipient_rules][value='3:commune_committee']").check()
        submit(coordinator, form.locator("button[type=submit]"))
        preview = coordinator.locator(".rp-preview").inner_text()
        assert f"Ủy ban nhân dân {COMMUNE_A}" in preview and f"Ủy ban nhân dân {COMMUNE_B}" in preview
        submit(coordinator, coordinator.locator("button[name=issue]"))
        assert coordinator.locator("[data-status=issued]").count() == 1
        directive_url = coordinator.url

        # Commune A reports within the deadline.
        assert file_report(browser, base, COMMUNE_A, number) == "on_time"

        # Commune B's deadline passes (moved to yesterday), then it reports: late.
        server_python(
            "from datetime import timedelta\n"
            "from django.utils import timezone\n"
            "from haidang.reporting.models import Report\n"
            f"Report.objects.filter(directive__number='{number}', unit__name='{COMMUNE_B}')"
            ".update(deadline=timezone.localdate() - timedelta(days=1))"
        )
        assert file_report(browser, base, COMMUNE_B, number) == "late"

        # The province sees who reported and when, and approves both.
        coordinator.goto(directive_url + "completeness/")
        counts = {
            key: coordinator.locator(f"#main .totals-box [data-count={key}]").first.inner_text()
            for key in ("expected", "submitted", "on_time", "late")
        }
        assert counts == {"expected": "2", "submitted": "2", "on_time": "1", "late": "1"}
        for _commune in (COMMUNE_A, COMMUNE_B):
            coordinator.goto(base + "/reports/reviews/")
            rows = coordinator.locator("table.rp-reviews tbody tr", has_text=_commune)
            mine = [r for r in rows.all() if number in r.inner_text()]
            assert len(mine) == 1
            mine[0].get_by_role("link").first.click()
            coordinator.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}/$"))
            submit(coordinator, coordinator.locator("form.rp-review-form button[value=approve]"))
            assert coordinator.locator(".messages .success").count() == 1

        # The consolidated report, downloaded as XLSX and read back.
        coordinator.goto(directive_url + "consolidated/")
        assert coordinator.locator("table.rp-consolidated [data-indicator=M1] [data-cell='']").inner_text() == "10"
        with coordinator.expect_download() as download:
            coordinator.locator("button[data-download=xlsx]").click()
        content = Path(download.value.path()).read_bytes()
        book = load_workbook(io.BytesIO(content))
        sheet = book["Báo cáo"]
        rows = {row[1].value: [cell.value for cell in row] for row in sheet.iter_rows() if row[1].value}
        header = rows["Chỉ tiêu"]
        trained = rows["Số cán bộ được tập huấn nghiệp vụ"]
        assert trained[header.index("Tổng số")] == 10
        assert trained[header.index(COMMUNE_A)] == 4 and trained[header.index(COMMUNE_B)] == 6
        texts = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts
        assert any(number in text for text in texts)
        assert coordinator.console_errors == []
    finally:
        coordinator_context.close()
