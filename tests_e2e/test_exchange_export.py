"""HTCDS exports in the browser: a case exchange with IOM shows how many cases consent left out and sends only
the consented ones; a research extract asked for by one person is approved by another, downloaded once (a
second download is refused) and holds no direct identifier."""

import csv
import io
import re
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

IOM = "IOM Việt Nam (minh họa)"
LEGAL_AID = "Trung tâm Trợ giúp pháp lý Hà Nội (minh họa)"

MAKE_CASES = """
from datetime import date
from haidang.access.models import Agency, User
from haidang.cases import services
from haidang.places.models import AdministrativeUnit
from haidang.exchange.services.exports import consent_gate
worker = User.objects.get(username="caseworker.hanoi")
hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
home = AdministrativeUnit.objects.get(parent__code="01", valid_to__isnull=True, name="Xã Thạch Thất")
iom = Agency.objects.get(name="{iom}")
for key, recipient in (("A", iom), ("B", iom), ("C", None)):
    case = services.create_case(
        actor=worker,
        person_data={{"full_name": "Đỗ Thị {tag}{{}} (minh họa)".format(key), "sex": "female", "birth_year": 2001,
                      "residence_unit": home, "address": "Thôn {tag} (minh họa)"}},
        case_data={{"intake_channel": "border_handover", "reception_date": date(2026, 4, 2), "unit": hanoi,
                    "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"), "destination_country": "KHM",
                    "exploitation_forms": ["forced_labour"]}},
    )
    if recipient is not None:
        services.record_consent(actor=worker, case=case, data={{"given_by": "person", "purpose": "export",
            "recipient": recipient, "given_on": date(2026, 4, 3), "method": "written"}})
    print(key, case.number)
print("left_out", consent_gate(User.objects.get(username="supervisor.hanoi"), iom).left_out)
"""


def ask_for_export(page, base_url: str, *, audience: str, recipient: str, purpose: str) -> None:
    page.goto(base_url + "/exchange/exports/")
    page.get_by_label("Đối tượng sử dụng").select_option(audience)
    page.get_by_label("Bên nhận thông tin").select_option(label=recipient)
    page.get_by_label("Mục đích").fill(purpose)
    page.get_by_label("Định dạng").select_option("csv")
    page.get_by_role("button", name="Chuẩn bị dữ liệu xuất").click()
    page.wait_for_url(re.compile(r"/exchange/exports/[0-9a-f-]+/$"))


def download(page) -> tuple[str, list[str], list[dict]]:
    """The downloaded CSV: its text, its header and its rows."""
    with page.expect_download() as taken:
        page.get_by_role("button", name="Tải về (một lần)").click()
    text = Path(taken.value.path()).read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    return text, header, list(csv.DictReader(io.StringIO(text)))


def test_partner_exchange_leaves_out_cases_without_consent(page_as, live_server_url, server_python):
    tag = uuid.uuid4().hex[:6]
    output = server_python(MAKE_CASES.format(iom=IOM, tag=tag)).splitlines()
    made = dict(line.split(" ", 1) for line in output if line.split(" ", 1)[0] in ("A", "B", "C", "left_out"))
    page = page_as("supervisor.hanoi", 1280)
    ask_for_export(page, live_server_url, audience="partner", recipient=IOM, purpose=f"Hỗ trợ tái hòa nhập {tag}")

    facts = page.locator("dl.facts").inner_text()
    assert "Số hồ sơ không xuất vì chưa có sự đồng ý" in facts
    left_out = page.locator("dt", has_text="Số hồ sơ không xuất vì chưa có sự đồng ý").locator(
        "xpath=following-sibling::dd[1]"
    )
    assert left_out.inner_text().replace(".", "") == made["left_out"]
    assert int(made["left_out"]) >= 1  # at least case C, which has no consent

    _text, _header, rows = download(page)
    numbers = {row["x_case_number"] for row in rows}
    assert {made["A"], made["B"]} <= numbers and made["C"] not in numbers
    sent = next(row for row in rows if row["x_case_number"] == made["A"])
    assert sent["prs_SecondName"] == "Đỗ" and sent["con_Consent"] == "true" and sent["hte_Country"] == "KH"


def test_research_extract_approved_by_another_and_downloaded_once(page_as, live_server_url):
    tag = uuid.uuid4().hex[:6]
    requester = page_as("supervisor.hanoi", 1280)
    ask_for_export(requester, live_server_url, audience="research", recipient=LEGAL_AID, purpose=f"Nghiên cứu {tag}")
    assert "Chờ phê duyệt" in requester.locator("dl.facts").inner_text()
    assert requester.get_by_role("button", name="Tải về (một lần)").count() == 0
    assert requester.get_by_role("button", name="Phê duyệt việc cung cấp").count() == 0  # not by the requester
    export_url = requester.url

    approver = page_as("coordinator.hanoi", 1280)
    approver.goto(export_url)
    approver.get_by_role("button", name="Phê duyệt việc cung cấp").click()
    approver.wait_for_url(export_url)
    assert "Sẵn sàng tải về" in approver.locator("dl.facts").inner_text()
    assert approver.get_by_role("button", name="Tải về (một lần)").count() == 0  # only the requester downloads

    requester.goto(export_url)
    text, header, rows = download(requester)
    assert "x_pseudonym" in header and "x_age_band" in header
    assert "minh họa" not in text  # no demonstration person's name or address
    for identifier in (
        "prs_FirstName",
        "prs_MiddleName",
        "prs_SecondName",
        "prs_Birthdate",
        "prs_MailingStreet",
        "prs_MailingCity",
        "x_case_id",
        "x_case_number",
    ):
        assert identifier not in header
    assert all(re.fullmatch(r"[0-9a-f]{16,}", row["x_pseudonym"]) for row in rows)
    # Dates to the month at most (to the year when k = 11 needs it).
    assert all(re.fullmatch(r"\d{4}(-\d{2})?", row["x_registered_month"]) for row in rows if row["x_registered_month"])

    # The same page, its download button pressed again: refused, the export is already taken.
    requester.get_by_role("button", name="Tải về (một lần)").click()
    requester.wait_for_url(export_url)
    assert "Dữ liệu này đã được tải về; hãy đề nghị một lần xuất mới." in requester.locator("main").inner_text()
    assert "Đã tải về" in requester.locator("dl.facts").inner_text()
    assert requester.get_by_role("button", name="Tải về (một lần)").count() == 0
