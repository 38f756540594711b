"""One person's case from the commune to the Department of Health and on to the person's home commune.

A commune officer receives the person; the Department of Health case worker verifies and identifies
them, records their consent, support at the province's rate (added by the province coordinator) and
a referral, and transfers the case to Xã Tây Phương with consent; that commune accepts it and closes
it. Each user signs in in their own browser context, with the second factor where the role needs it.
"""

import re
import time
import uuid

import pytest

from haidang.access.demo import DEFAULT_DEMO_PASSWORD
from tests_e2e.test_sign_in_journey import current_code

pytestmark = pytest.mark.browser

PERSON = "Lò Thị Mai (minh họa)"
SHELTER = "Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)"
JOBS = "Trung tâm Dịch vụ việc làm Hà Nội (minh họa)"
RECEIVING_UNIT = "Xã Tây Phương"
RECEIVING_AGENCY = "Ủy ban nhân dân Xã Tây Phương"
TWO_FACTOR = {"commune.hanoi.a", "commune.hanoi.b", "caseworker.hanoi", "supervisor.hanoi"}


def signed_in(browser, base_url: str, username: str):
    """A new browser context (its own cookies) with `username` signed in and the pages in English."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    page.goto(base_url + "/account/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEFAULT_DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    if username in TWO_FACTOR:
        page.wait_for_url(base_url + "/account/two-factor/")
        page.locator("input[name=otp]").fill(current_code())
        page.locator("input[name=otp]").press("Enter")
    page.wait_for_url(base_url + "/")
    page.locator(".language-switch button[value=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    return context, page


def submit(page, form) -> None:
    """Submit `form` and wait for the page that answers (a redirect after a save)."""
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def take_step(page, target: str) -> None:
    step = page.locator(f"details#step-{target}")
    step.locator("summary").click()
    submit(page, step.locator("form"))


def status(page) -> str:
    return page.locator(".case-head .case-status").inner_text().strip()


def saved(page) -> str:
    return page.locator(".messages").inner_text()


def test_a_case_goes_from_the_commune_through_the_province_to_the_home_commune(live_server_url, browser):
    started = time.monotonic()
    base = live_server_url
    contexts = []
    try:
        # The province coordinator adds the rate the support will be paid at.
        context, coordinator = signed_in(browser, base, "coordinator.hanoi")
        contexts.append(context)
        item = f"Tiền ăn {uuid.uuid4().hex[:6]} (minh họa)"
        coordinator.goto(base + "/cases/rates/")
        coordinator.locator("details#rate-form summary").click()
        form = coordinator.locator("details#rate-form form")
        assert "Hà Nội" in form.locator("select[name=province] option:checked").inner_text()
        form.locator("select[name=regime]").select_option("ESS")
        form.locator("input[name=item]").fill(item)
        form.locator("select[name=unit_label]").select_option("day")
        form.locator("input[name=amount]").fill("50000")
        form.locator("input[name=max_units]").fill("120")
        form.locator("input[name=valid_from]").fill("01/07/2025")
        form.locator("input[name=legal_basis]").fill("Nghị quyết minh họa 01/2025/NQ-HĐND")
        submit(coordinator, form)
        assert "Rate recorded" in saved(coordinator)
        assert item in coordinator.locator("table.case-rates").inner_text()

        # The commune officer receives the person.
        context, officer = signed_in(browser, base, "commune.hanoi.a")
        contexts.append(context)
        officer.goto(base + "/cases/new/")
        form = officer.locator("form.case-form")
        assert form.locator("input[name=unit]").input_value()  # the officer's commune, filled in
        today = form.locator("input[name=reception_date]").input_value()  # the server's today, dd/mm/yyyy
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", today)
        form.locator("input[name=full_name]").fill(PERSON)
        form.locator("select[name=sex]").select_option("female")
        form.locator("input[name=birth_year]").fill("2002")
        form.locator("select[name=intake_channel]").select_option("self_report")
        submit(officer, form)
        assert re.search(r"/cases/[0-9a-f-]{36}/$", officer.url)
        case_url = officer.url
        number = officer.locator(".case-head h1").inner_text().split()[-1]
        assert status(officer) == "Reported"
        take_step(officer, "received")
        assert status(officer) == "Received"

        # The Department of Health verifies and identifies the person.
        context, worker = signed_in(browser, base, "caseworker.hanoi")
        contexts.append(context)
        worker.goto(case_url)
        assert PERSON in worker.locator("main").inner_text()
        take_step(worker, "initial_verification")
        assert status(worker) == "Initial verification"
        # Identification is the Department of Health's decision: its supervisor takes it, the case
        # worker is not offered the step (Art. 27(2) as amended).
        assert worker.locator("details#step-identified").count() == 0
        context, head = signed_in(browser, base, "supervisor.hanoi")
        contexts.append(context)
        head.goto(case_url)
        step = head.locator("details#step-identified")
        step.locator("summary").click()
        step.locator("input[name='step-identified-decision_date']").fill(today)
        step.locator("input[name='step-identified-evidence_sources'][value=b]").check()
        step.locator("input[name='step-identified-evidence_sources'][value=e]").check()
        step.locator("select[name='step-identified-document_type']").select_option("police_certificate")
        step.locator("input[name='step-identified-document_issuer']").fill("Công an Thành phố Hà Nội")
        step.locator("input[name='step-identified-document_number']").fill("15/XN-CAHN (minh họa)")
        step.locator("input[name='step-identified-document_date']").fill(today)
        submit(head, step.locator("form"))
        assert status(head) == "Identified as a victim"
        worker.goto(case_url)

        # Consent to a referral, and to the transfer to the home commune.
        worker.locator(".case-tabs").get_by_role("link", name="Consent", exact=True).click()
        worker.wait_for_url(case_url + "consent/")
        for purpose, recipient in (("referral", None), ("transfer", RECEIVING_AGENCY)):
            form = worker.locator("form.case-form")
            form.locator("input[name=given_by][value=person]").check()
            form.locator("select[name=purpose]").select_option(purpose)
            if recipient:
                form.locator("select[name=recipient]").select_option(label=recipient)
            form.locator("select[name=method]").select_option("written")
            submit(worker, form)
            assert "Consent recorded" in saved(worker)
        assert worker.locator("table.case-consents tbody tr").count() == 2

        # Support at the province's rate, with the eligibility it rests on.
        worker.locator(".case-tabs").get_by_role("link", name="Support", exact=True).click()
        worker.wait_for_url(case_url + "support/")
        assert worker.locator("table.case-regimes tbody tr").count() == 11
        assert "Art. 37(1)(a)" in worker.locator("table.case-regimes").inner_text()
        form = worker.locator("form.case-form")
        form.locator("select[name=regime]").select_option("ESS")
        form.locator("input[name=item]").fill(item)
        form.locator("select[name=provider]").select_option(label=SHELTER)
        form.locator("input[name=quantity]").fill("10")
        submit(worker, form)
        assert "Support recorded" in saved(worker)
        assert worker.locator("#support-total").inner_text().strip() == "500,000"

        # A referral, under the consent to referral.
        worker.locator(".case-tabs").get_by_role("link", name="Referrals", exact=True).click()
        worker.wait_for_url(case_url + "referrals/")
        form = worker.locator("form.case-form")
        form.locator("select[name=provider]").select_option(label=JOBS)
        form.locator("select[name=service_type]").select_option("employment")
        form.locator("textarea[name=reason]").fill("Tìm việc làm gần nhà (minh họa)")
        form.locator("select[name=consent]").select_option(index=1)
        submit(worker, form)
        assert "Referral sent" in saved(worker)
        assert "Sent" in worker.locator("table.case-referrals").inner_text()

        # The transfer to the person's home commune, under the consent to transfer.
        worker.locator(".case-tabs").get_by_role("link", name="Transfer", exact=True).click()
        worker.wait_for_url(case_url + "transfer/")
        form = worker.locator("form.case-form")
        # The receiving commune by name: the picker suggests it with its province, and keeps its code.
        form.locator("input[name=to_unit]").press_sequentially("tay phuong", delay=40)
        suggestion = form.get_by_role("option", name=re.compile(f"^{RECEIVING_UNIT} — Thành phố Hà Nội"))
        suggestion.click()
        assert form.locator("input[name=to_unit__code]").input_value() == "10006"
        form.locator("select[name=to_agency]").select_option(label=RECEIVING_AGENCY)
        form.locator("textarea[name=reason]").fill("Về sống cùng gia đình tại xã Tây Phương (minh họa)")
        form.locator("select[name=consent]").select_option(index=1)
        submit(worker, form)
        assert "Transfer requested" in saved(worker)
        assert RECEIVING_AGENCY in worker.locator("#transfer-pending").inner_text()

        # The home commune sees the request (no identity), accepts it and closes the case.
        context, receiver = signed_in(browser, base, "commune.hanoi.b")
        contexts.append(context)
        receiver.goto(base + "/cases/")
        row = receiver.locator("table.case-incoming tbody tr", has_text=number)
        assert "Xã Thạch Thất" in row.inner_text() and "Tây Phương" in row.inner_text()
        assert PERSON not in receiver.locator("main").inner_text()
        row.locator("summary").click()
        row.locator("textarea[name=note]").fill("Đồng ý tiếp nhận (minh họa)")
        with receiver.expect_navigation():
            row.locator("button[name=decision][value=accept]").click()
        assert receiver.url == case_url
        assert PERSON in receiver.locator("main").inner_text()
        assert "Transfer accepted" in receiver.locator(".case-timeline").inner_text()
        step = receiver.locator("details#step-closed")
        step.locator("summary").click()
        step.locator("input[name='step-closed-closure_reasons'][value=identification_recorded]").check()
        step.locator("input[name='step-closed-closure_reasons'][value=support_decided]").check()
        submit(receiver, step.locator("form"))
        assert status(receiver) == "Closed"
        timeline = receiver.locator(".case-timeline").inner_text()
        assert "Reasons for closing" in timeline and "Referral sent" in timeline

        for page in (coordinator, officer, worker, receiver):
            assert page.console_errors == []
        assert time.monotonic() - started < 60
    finally:
        for context in contexts:
            context.close()
