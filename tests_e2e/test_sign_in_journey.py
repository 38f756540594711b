"""A person signs in with a second factor, switches language and reads their home page."""

import base64

import pytest
from django_otp.oath import TOTP

from haidang.access.demo import DEFAULT_DEMO_PASSWORD, DEFAULT_DEMO_TOTP_SECRET

pytestmark = pytest.mark.browser


def current_code() -> str:
    key = base64.b32decode(DEFAULT_DEMO_TOTP_SECRET)
    return f"{TOTP(key).token():06d}"


def test_sign_in_with_second_factor_switch_language_and_open_home(live_server_url, page):
    page.goto(live_server_url + "/")
    assert "/account/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_label("Tên đăng nhập").fill("police.hanoi")
    page.get_by_label("Mật khẩu").fill(DEFAULT_DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.url.endswith("/account/two-factor/")
    page.locator("input[name=otp]").fill(current_code())
    page.locator("input[name=otp]").press("Enter")
    page.wait_for_url(live_server_url + "/")
    assert "Thành phố Hà Nội" in page.locator("main").inner_text()

    page.get_by_role("button", name="EN").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    main = page.locator("main").inner_text()
    assert "Your area of responsibility" in main
    assert "Police investigator" in main
    assert "Thành phố Hà Nội" in main
    # Strict CSP: nothing on the page was blocked or failed to load.
    assert page.console_errors == []


def test_wrong_password_is_answered_in_vietnamese(live_server_url, page):
    page.goto(live_server_url + "/account/login/")
    page.locator("input[name=username]").fill("analyst")
    page.locator("input[name=password]").fill("sai-mat-khau")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()
    assert "không đúng" in page.locator("main").inner_text()
