"""Reaching it: the main page of every demonstration role and the public pages, at a desktop's width
and a phone's, pass axe-core with no critical or serious finding; a table wider than the phone is
reached and scrolled with the keyboard."""

import re

import pytest

from tests_e2e.axe import assert_no_serious_findings

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)
# What each demonstration user opens first for their daily work.
MAIN_PAGES = {
    "admin": "/users/",
    "analyst": "/statistics/?indicator=victims_received&period=2025&unit=&breakdown=sex"
    "&pivot_rows=unit&pivot_columns=sex",
    "auditor": "/audit/",
    "caseworker.haiphong": "/cases/",
    "caseworker.hanoi": "/cases/",
    "commune.haiphong.a": "/cases/new/",
    "commune.hanoi.a": "/cases/",
    "commune.hanoi.b": "/reports/",
    "coordinator.haiphong": "/statistics/releases/",
    "coordinator.hanoi": "/reports/directives/",
    "coordinator.national": "/statistics/",
    "police.haiphong": "/proceedings/",
    "police.hanoi": "/proceedings/",
    "prevention.haiphong": "/prevention/",
    "supervisor.hanoi": "/cases/",
}


def _check_at_both_widths(page, url: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(url)
        page.wait_for_load_state("networkidle")  # the charts are drawn, the tables measured
        assert page.url == url, f"{url} led to {page.url}"
        assert_no_serious_findings(page)
    assert page.console_errors == []


@pytest.mark.parametrize("username", sorted(MAIN_PAGES))
def test_the_main_page_of_each_role_has_no_serious_accessibility_finding(page_as, live_server_url, username):
    page = page_as(username)
    _check_at_both_widths(page, live_server_url + MAIN_PAGES[username])


def test_the_home_page_and_the_public_pages_have_no_serious_accessibility_finding(page_as, live_server_url):
    _check_at_both_widths(page_as("coordinator.hanoi"), live_server_url + "/")
    page = page_as(None)
    for path in ("/account/login/", "/statistics/public/"):
        _check_at_both_widths(page, live_server_url + path)
    release = page.locator("main table a").first.get_attribute("href")
    assert re.fullmatch(r"/statistics/public/[0-9a-f-]{36}/", release)
    _check_at_both_widths(page, live_server_url + release)


def test_a_table_wider_than_a_phone_is_reached_and_scrolled_with_the_keyboard(page_as, live_server_url):
    page = page_as("analyst", 390)
    page.goto(live_server_url + MAIN_PAGES["analyst"])
    pivot = page.locator(".table-wrap", has=page.locator("#pivot"))
    assert pivot.evaluate("wrap => wrap.scrollWidth > wrap.clientWidth")  # it does not fit
    # Tab from the top of the page until the pivot's frame has the focus: no mouse needed.
    for _ in range(80):
        page.keyboard.press("Tab")
        if pivot.evaluate("wrap => wrap === document.activeElement"):
            break
    else:
        pytest.fail("the table's frame never took the keyboard focus")
    assert pivot.get_attribute("aria-labelledby") == "pivot-heading"  # announced by its heading
    page.keyboard.press("ArrowRight")
    # Chromium scrolls smoothly: wait for the frame to have moved.
    page.wait_for_function("() => document.activeElement.scrollLeft > 0", timeout=5000)
    # A table only some pages have (the audit log's) is made reachable the same way by the shared script.
    page = page_as("auditor", 390)
    page.goto(live_server_url + "/audit/")
    wrap = page.locator("main .table-wrap").first
    assert wrap.evaluate("wrap => wrap.scrollWidth > wrap.clientWidth")
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
    assert wrap.get_attribute("aria-label")
