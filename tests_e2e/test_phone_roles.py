"""Each role's main job at a phone's width (390 px), in Vietnamese, typing names and never a code.

A commune officer records a case choosing places by name and is warned that the person may already be
recorded (the demonstration case of "Nguyễn Thị Hòa", typed without accents and in lower case); a case
worker works the worklist, takes the new case's next step, finds a person and sees what comes next on an
identified case; a coordinator chooses a statistics period in words; a prevention officer records an
activity and a police investigator a criminal case, each by the place's name. No page says a word about
a unit code. The users are signed in by `page_as` (no one-time code spent): one server, few page loads.
"""

import re

import pytest

from tests_e2e.axe import assert_no_serious_findings
from tests_e2e.test_places_journey import CODE_ERROR, choose_suggestion

pytestmark = pytest.mark.browser

DEMO_PERSON = "Nguyễn Thị Hòa (minh họa)"  # a demonstration case in Xã Thạch Thất


def no_code_error(page) -> str:
    text = page.locator("main").inner_text()
    assert CODE_ERROR not in text and "mã đơn vị" not in text.lower(), text
    return text


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def test_a_commune_officer_is_warned_of_a_duplicate_and_a_case_worker_takes_the_next_step(live_server_url, page_as):
    base = live_server_url
    officer = page_as("commune.hanoi.a")
    officer.goto(base + "/cases/new/")
    form = officer.locator("form.case-form")
    form.locator("input[name=full_name]").fill("nguyen thi hoa (minh hoa)")
    form.locator("select[name=sex]").select_option("female")
    form.locator("input[name=birth_year]").fill("2001")
    form.locator("select[name=intake_channel]").select_option("self_report")
    choose_suggestion(form, "unit", "thach that", "Xã Thạch Thất — Thành phố Hà Nội")
    choose_suggestion(form, "residence_unit", "tay phuong", "Xã Tây Phương — Thành phố Hà Nội")
    submit(officer, form.locator("button[type=submit]").last)

    # Nothing saved: the warning lists the case already recorded, with its name (the officer may see it).
    assert officer.url.endswith("/cases/new/")
    warning = officer.locator("#duplicates")
    assert warning.is_visible() and "Người này có thể đã được ghi nhận" in warning.inner_text()
    assert DEMO_PERSON in warning.inner_text()
    assert warning.get_by_role("link", name=re.compile("^Mở hồ sơ ")).count() >= 1
    no_code_error(officer)
    assert_no_serious_findings(officer)
    # What was typed is kept; the officer confirms it is someone else and records the case.
    assert form.locator("input[name=full_name]").input_value() == "nguyen thi hoa (minh hoa)"
    warning.locator("input[name=decision]").check()
    submit(officer, warning.locator("button[type=submit]"))
    assert re.search(r"/cases/[0-9a-f-]{36}/$", officer.url), no_code_error(officer)
    overview = no_code_error(officer)
    assert "Xã Thạch Thất" in overview and "Xã Tây Phương" in overview
    number = officer.locator(".case-head h1").inner_text().split()[-1]
    assert officer.console_errors == []

    # The case worker's worklist: overdue steps first and marked; the new case is waiting, due today.
    worker = page_as("caseworker.hanoi")
    worker.goto(base + "/cases/")
    work = worker.locator("table.case-work")
    assert worker.locator(".case-overdue-note").is_visible()
    assert "is-overdue" in (work.locator("tbody tr").first.get_attribute("class") or "")
    row = work.locator("tbody tr", has_text=number)
    assert "ngay lập tức" in row.inner_text() and "is-overdue" not in (row.get_attribute("class") or "")
    submit(worker, row.get_by_role("link", name=number))
    step = worker.locator("details#step-received")
    step.locator("summary").click()
    submit(worker, step.locator("button[type=submit]"))
    assert worker.locator(".case-status").first.inner_text() == "Đã tiếp nhận"
    assert worker.locator("details#step-initial_verification").count() == 1  # the next step is offered

    # The person search, from the menu: both records of the name are found, whatever the spelling.
    worker.locator("nav.main-nav").get_by_role("link", name="Tìm người").click()
    worker.wait_for_load_state()
    worker.locator("input[name=q]").fill("HOA NGUYEN THI minh hoa")
    submit(worker, worker.locator("main form button[type=submit]"))
    results = worker.locator("table.case-matches")
    assert results.locator("tbody tr").count() >= 2 and number in results.inner_text()
    assert_no_serious_findings(worker)

    # An identified case: consent, then support, then referral are offered, the consent first.
    worker.goto(base + "/cases/?status=identified")
    submit(worker, worker.locator("section[aria-labelledby=cases-heading] tbody a").first)
    what_next = worker.locator("#what-next")
    assert what_next.is_visible() and "Việc tiếp theo" in what_next.inner_text()
    submit(worker, what_next.locator("li.is-next a.button"))
    assert re.search(r"/cases/[0-9a-f-]{36}/(consent|support|referrals)/$", worker.url), worker.url
    assert worker.console_errors == []


def test_a_coordinator_chooses_a_period_in_words(live_server_url, page_as):
    coordinator = page_as("coordinator.hanoi")
    coordinator.goto(live_server_url + "/statistics/")
    form = coordinator.locator("main form").first
    form.locator("select[name=period]").select_option(label="6 tháng đầu năm")
    form.locator("select[name=period_year]").select_option("2026")
    submit(coordinator, form.locator("button[type=submit]"))
    text = no_code_error(coordinator)
    assert "6 tháng đầu năm 2026" in text and "2026S" not in text
    assert coordinator.console_errors == []


def test_a_prevention_officer_and_the_police_record_by_place_names(live_server_url, page_as):
    base = live_server_url
    officer = page_as("prevention.haiphong")
    officer.goto(base + "/prevention/activities/quick/")
    form = officer.locator("form.quick-form")
    form.locator("select[name=activity_type]").select_option("talk")
    form.locator("input[name=title]").fill("Nói chuyện ở trường học (minh họa)")
    form.locator("input[name=date]").fill("10-03-2026")
    choose_suggestion(form, "unit", "hong bang", "Phường Hồng Bàng — Thành phố Hải Phòng")
    form.locator("input[name=participants]").fill("60")
    submit(officer, form.locator("button[type=submit]"))
    assert "?saved=" in officer.url, no_code_error(officer)
    assert "Phường Hồng Bàng" in no_code_error(officer)

    police = page_as("police.hanoi")
    police.goto(base + "/proceedings/new/")
    form = police.locator("main form").first
    form.locator("input[name=number]").fill("7/VA (minh họa)")
    form.locator("input[name=detected_on]").fill("11/03/2026")
    form.locator("select[name=investigating_agency]").select_option(index=1)
    choose_suggestion(form, "unit", "thach that", "Xã Thạch Thất — Thành phố Hà Nội")
    form.locator("input[name=exploitation_forms][value=forced_labour]").check()
    submit(police, form.locator("button[type=submit]").first)
    assert re.search(r"/proceedings/[0-9a-f-]{36}/$", police.url), no_code_error(police)
    assert "Xã Thạch Thất" in no_code_error(police)
    assert officer.console_errors == [] and police.console_errors == []
