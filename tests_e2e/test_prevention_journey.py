"""A prevention officer records an activity with the quick form and finds it in the province summary."""

import re
import time
import uuid

import pytest

from haidang.access.demo import DEFAULT_DEMO_PASSWORD

pytestmark = pytest.mark.browser

WOMENS_UNION = "Hội Liên hiệp Phụ nữ Thành phố Hải Phòng"
PARTICIPANTS = 137


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/account/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEFAULT_DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(base_url + "/")


def measure(page, row_text: str | None = None, key: str | None = None, name: str = "participants") -> int:
    rows = page.locator("table.summary tbody tr")
    row = rows.filter(has_text=row_text) if row_text else page.locator(f'table.summary tbody tr[data-key="{key}"]')
    if row.count() == 0:
        return 0
    # Figures are grouped the page's way (1,234 in English, 1.234 in Vietnamese).
    return int(re.sub(r"[.,]", "", row.first.locator(f'td[data-measure="{name}"]').inner_text().strip()))


def test_quick_entry_shows_up_in_the_province_summary(live_server_url, page):
    sign_in(page, live_server_url, "prevention.haiphong")
    page.get_by_role("button", name="EN").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"

    # The province summary before: by agency, and by unit at province level.
    page.goto(live_server_url + "/prevention/summary/?group_by=agency")
    assert page.locator("table.summary").is_visible()
    union_before = measure(page, row_text=WOMENS_UNION)
    assert union_before > 0  # the demonstration month of action is there
    page.goto(live_server_url + "/prevention/summary/?group_by=unit&level=1")
    province_before = measure(page, key="31")

    # The quick form: the unit and the organiser come filled in from the officer's membership.
    page.get_by_role("link", name="Quick entry").first.click()
    page.wait_for_url(re.compile(r"/prevention/activities/quick/$"))
    form = page.locator("form.quick-form")
    assert form.locator("input[name=unit]").input_value() == "Thành phố Hải Phòng"
    assert WOMENS_UNION in form.locator("select[name=organiser] option:checked").inner_text()
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", form.locator("input[name=date]").input_value())

    started = time.monotonic()
    title = f"Truyền thông cho công nhân khu công nghiệp {uuid.uuid4().hex[:6]}"
    form.locator("select[name=activity_type]").select_option("communication_session")
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=target_groups][value=workers_abroad]").check()
    form.locator("input[name=target_groups][value=women]").check()
    form.locator("input[name=sessions]").fill("2")
    form.locator("input[name=participants]").fill(str(PARTICIPANTS))
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/prevention/activities/quick/\?saved="))
    assert time.monotonic() - started < 60
    assert title in page.locator(".messages").inner_text()
    assert title in page.locator(".saved-note").inner_text()

    # The province sees who did it, where, and with what reach.
    page.goto(live_server_url + "/prevention/summary/?group_by=agency")
    assert measure(page, row_text=WOMENS_UNION) == union_before + PARTICIPANTS
    page.goto(live_server_url + "/prevention/summary/?group_by=unit&level=1")
    assert measure(page, key="31") == province_before + PARTICIPANTS

    # And the activity is in the list filtered by its type, opening to its facts.
    page.goto(live_server_url + "/prevention/?activity_type=communication_session")
    page.get_by_role("link", name=title).click()
    main = page.locator("main").inner_text()
    assert title in main and WOMENS_UNION in main and str(PARTICIPANTS) in main
    assert page.console_errors == []


def test_a_bad_quick_entry_is_answered_on_the_field(live_server_url, page):
    sign_in(page, live_server_url, "prevention.haiphong")
    page.goto(live_server_url + "/prevention/activities/quick/")
    form = page.locator("form.quick-form")
    form.locator("select[name=activity_type]").select_option("talk")
    form.locator("input[name=title]").fill("Nói chuyện chuyên đề")
    form.locator("input[name=date]").fill("31/11/2026")
    form.locator("input[name=sessions]").fill("5")
    form.locator("input[name=participants]").fill("3")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.locator('a[href="#id_date"]').count() == 1
    # The input is kept, so nothing typed is lost.
    assert page.locator("input[name=title]").input_value() == "Nói chuyện chuyên đề"
    assert page.locator("input[name=participants]").input_value() == "3"
