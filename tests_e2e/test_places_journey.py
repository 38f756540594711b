"""Places typed by name and periods chosen in words, at 390 px, in Vietnamese, by people who know no codes.

A case worker records a case, a prevention officer an activity and a police investigator a criminal
case, each typing the names of places (with or without accents) — never a code — and never meeting an
error about a code. With script the picker suggests units for the record's date; without script the
server reads the name and offers a choice when it is not sure. A coordinator chooses a period on the
statistics dashboard by its type and number ("9 tháng đầu năm", a year) and an area by name.
"""

import re

import pytest

from haidang.access.demo import DEFAULT_DEMO_PASSWORD
from tests_e2e.test_sign_in_journey import current_code

pytestmark = pytest.mark.browser

# The words of the old answer to a name typed where a code was expected: they must never appear again.
CODE_ERROR = "Không có đơn vị hành chính nào mang mã"
HAIPHONG = "Thành phố Hải Phòng"


def signed_in(browser, base_url: str, username: str, *, two_factor: bool = False, script: bool = True):
    """A phone-sized browser context in Vietnamese (the default language), with `username` signed in."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", java_script_enabled=script)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    page.goto(base_url + "/account/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEFAULT_DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    if two_factor:
        page.locator("input[name=otp]").fill(current_code())
        with page.expect_navigation():
            page.locator("input[name=otp]").press("Enter")
    assert page.url == base_url + "/", page.url
    return context, page


def choose_suggestion(form, field: str, typed: str, label: str) -> None:
    """Type into a place picker as a person does, then tap the suggestion whose text starts with `label`."""
    box = form.locator(f"input[name={field}]")
    box.fill("")
    box.press_sequentially(typed, delay=40)
    option = form.get_by_role("option", name=re.compile("^" + re.escape(label)))
    option.first.click()
    assert box.input_value() == label


def test_names_not_codes_for_a_case_an_activity_and_a_criminal_case(live_server_url, browser):
    base = live_server_url
    contexts = []
    try:
        # The case worker's intake: the responsible unit picked from the suggestions, the residence typed in
        # full without picking ("Hưng Đạo" is a commune in Hà Nội, Hải Phòng and Cao Bằng).
        context, worker = signed_in(browser, base, "caseworker.haiphong", two_factor=True)
        contexts.append(context)
        worker.goto(base + "/cases/new/")
        form = worker.locator("form.case-form")
        box = form.locator("input[name=unit]")
        assert box.get_attribute("inputmode") == "text"  # names are letters: the ordinary keyboard
        assert form.locator("input[name=reception_date]").get_attribute("inputmode") == "text"
        form.locator("input[name=full_name]").fill("Đinh Thị Ngọc Lan (minh họa)")  # not a demonstration name
        form.locator("select[name=sex]").select_option("female")
        form.locator("input[name=birth_year]").fill("2003")
        form.locator("select[name=intake_channel]").select_option("self_report")
        form.locator("input[name=reception_date]").fill("02.03.2026")  # a phone keypad's way of writing it
        form.locator("select[name=agency]").select_option(index=1)
        choose_suggestion(form, "unit", "hong bang", "Phường Hồng Bàng — Thành phố Hải Phòng")
        assert form.locator("input[name=unit__code]").input_value() == "11311"
        form.locator("input[name=residence_unit]").fill("Hưng Đạo")
        with worker.expect_navigation():
            form.locator("button[type=submit]").first.click()
        page_text = worker.locator("main").inner_text()
        assert CODE_ERROR not in page_text
        assert "Có nhiều đơn vị mang tên “Hưng Đạo”" in page_text
        # The choice lists the unit of the worker's own province first, each with its province.
        choices = worker.locator(".unit-picker-choices label")
        assert "Phường Hưng Đạo — Thành phố Hải Phòng" in choices.first.inner_text()
        choices.first.locator("input[type=radio]").check()
        with worker.expect_navigation():
            worker.locator("form.case-form button[type=submit]").first.click()
        assert re.search(r"/cases/[0-9a-f-]{36}/$", worker.url), worker.url
        overview = worker.locator("main").inner_text()
        assert "Phường Hồng Bàng" in overview and CODE_ERROR not in overview
        assert worker.console_errors == []

        # The prevention officer's quick entry: the unit comes filled in by name; another is typed by name.
        context, officer = signed_in(browser, base, "prevention.haiphong")
        contexts.append(context)
        officer.goto(base + "/prevention/activities/quick/")
        form = officer.locator("form.quick-form")
        assert form.locator("input[name=unit]").input_value() == HAIPHONG
        form.locator("select[name=activity_type]").select_option("communication_session")
        form.locator("input[name=title]").fill("Truyền thông tại phường (minh họa)")
        form.locator("input[name=date]").fill("03/03/2026")
        choose_suggestion(form, "unit", "Hồng Bàng", "Phường Hồng Bàng — Thành phố Hải Phòng")
        form.locator("input[name=participants]").fill("45")
        with officer.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "?saved=" in officer.url and CODE_ERROR not in officer.locator("main").inner_text()
        assert officer.console_errors == []

        # The investigator's criminal case: the unit typed without accents and not picked — the server reads it.
        context, police = signed_in(browser, base, "police.haiphong", two_factor=True)
        contexts.append(context)
        police.goto(base + "/proceedings/new/")
        form = police.locator("main form").first
        form.locator("input[name=number]").fill("21/VA (minh họa)")
        form.locator("input[name=detected_on]").fill("04032026")
        form.locator("select[name=investigating_agency]").select_option(index=1)
        form.locator("input[name=unit]").fill("phuong hong bang")
        form.locator("input[name=exploitation_forms][value=forced_labour]").check()
        with police.expect_navigation():
            form.locator("button[type=submit]").first.click()
        assert re.search(r"/proceedings/[0-9a-f-]{36}/$", police.url), police.locator("main").inner_text()
        detail = police.locator("main").inner_text()
        assert "Phường Hồng Bàng" in detail and "04/03/2026" in detail and CODE_ERROR not in detail
        assert police.console_errors == []
    finally:
        for context in contexts:
            context.close()


def test_without_script_a_name_is_read_on_the_server_and_an_unsure_one_offers_a_choice(live_server_url, browser):
    context, page = signed_in(browser, live_server_url, "prevention.haiphong", script=False)
    try:
        page.goto(live_server_url + "/prevention/activities/quick/")
        form = page.locator("form.quick-form")
        form.locator("select[name=activity_type]").select_option("talk")
        form.locator("input[name=title]").fill("Nói chuyện chuyên đề không cần script (minh họa)")
        form.locator("input[name=date]").fill("5/3/2026")
        form.locator("input[name=unit]").fill("Hưng Đạo")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert CODE_ERROR not in page.locator("main").inner_text()
        choice = page.locator(".unit-picker-choices label", has_text="Phường Hưng Đạo — Thành phố Hải Phòng")
        choice.locator("input[type=radio]").check()
        with page.expect_navigation():
            page.locator("form.quick-form button[type=submit]").click()
        assert "?saved=" in page.url
        assert "Phường Hưng Đạo" in page.locator(".saved-note").inner_text()
    finally:
        context.close()


def test_a_period_in_words_and_an_area_by_name_on_the_dashboard(live_server_url, browser):
    context, page = signed_in(browser, live_server_url, "coordinator.haiphong")
    try:
        page.goto(live_server_url + "/statistics/")
        form = page.locator("main form").first
        # No code to type: the period is a choice of type and number, a year and the form of the period.
        form.locator("select[name=period]").select_option(label="9 tháng đầu năm")
        form.locator("select[name=period_year]").select_option("2026")
        form.locator("select[name=period_form]").select_option("calendar")
        assert form.locator("input[name=period_start]").is_hidden()  # only for a custom range
        choose_suggestion(form, "unit", "hong bang", "Phường Hồng Bàng — Thành phố Hải Phòng")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        text = page.locator("main").inner_text()
        assert "Phường Hồng Bàng" in page.locator("h1").inner_text()
        assert "9 tháng đầu năm 2026 so với 9 tháng đầu năm 2025" in text
        # A custom range: its first and last day appear when it is chosen, typed as people type them.
        form = page.locator("main form").first
        form.locator("select[name=period]").select_option("custom")
        assert form.locator("input[name=period_start]").is_visible()
        assert form.locator("select[name=period_year]").is_hidden()
        form.locator("input[name=period_start]").fill("01-07-2026")
        form.locator("input[name=period_end]").fill("31.07.2026")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "01/07/2026" in page.locator("main").inner_text()
        assert page.console_errors == []
    finally:
        context.close()
