"""Sign-in: password, second factor, enrolment, lockout, inactivity, private by default."""

import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from haidang.access.demo import demo_password, demo_totp_secret

pytestmark = pytest.mark.django_db


def current_code(secret_b32: str) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    return f"{TOTP(key).token():06d}"


def sign_in_with_password(client, username, password=None):
    return client.post("/account/login/", {"username": username, "password": password or demo_password()})


def test_pages_are_private_by_default(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert client.get("/agencies/").status_code == 302


def test_sign_in_without_second_factor_for_a_role_that_does_not_need_it(client, demo_users):
    response = sign_in_with_password(client, "prevention.haiphong")
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Thành phố Hải Phòng" in home.content.decode()


def test_wrong_password_is_refused_with_a_message(client, demo_users):
    response = sign_in_with_password(client, "prevention.haiphong", "wrong-password")
    assert response.status_code == 401
    assert client.get("/").status_code == 302
    # Said once, as an alert, in Vietnamese by default.
    page = response.content.decode()
    assert page.count("Tên đăng nhập hoặc mật khẩu không đúng.") == 1
    assert 'role="alert"' in page


def test_the_sign_in_page_leads_to_the_public_statistics(client, db):
    page = client.get("/account/login/").content.decode()
    assert 'href="/statistics/public/"' in page
    assert client.get("/statistics/public/").status_code == 200  # open without signing in


def test_identity_role_must_pass_the_second_factor(client, demo_users):
    response = sign_in_with_password(client, "caseworker.hanoi")
    assert response.status_code == 302
    # Every page leads to the code step until the code is given.
    for path in ("/", "/agencies/", "/units/"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked["Location"] == "/account/two-factor/"
    wrong = client.post(
        "/account/two-factor/",
        {"otp": "000000" if current_code(demo_totp_secret()) != "000000" else "111111"},
    )
    assert wrong.status_code == 200
    assert wrong.content.decode().count('class="errorlist') == 1  # under the field, once
    assert client.get("/").status_code == 302
    # After a failure django-otp throttles the device for a moment.
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        ok = client.post("/account/two-factor/", {"otp": current_code(demo_totp_secret())})
        assert ok.status_code == 302
        assert client.get("/").status_code == 200


def test_enrolment_shows_a_qr_code_and_confirms_with_a_first_code(client, demo_users):
    user = demo_users["caseworker.hanoi"]
    TOTPDevice.objects.filter(user=user).delete()
    sign_in_with_password(client, "caseworker.hanoi")
    assert client.get("/").headers["Location"] == "/account/two-factor/setup/"
    page = client.get("/account/two-factor/setup/")
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    secret = html.split('id="totp-secret">')[1].split("<")[0]
    assert len(secret) >= 16
    # The same unconfirmed device is kept across reloads, so the scanned secret stays valid.
    assert secret in client.get("/account/two-factor/setup/").content.decode()
    response = client.post("/account/two-factor/setup/", {"otp": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


def test_lockout_after_repeated_failures_even_with_the_right_password(client, demo_users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_with_password(client, "prevention.haiphong", "not-the-password")
    locked = sign_in_with_password(client, "prevention.haiphong")
    assert locked.status_code == 429
    assert client.get("/").status_code == 302
    # Another account is not affected.
    assert sign_in_with_password(client, "coordinator.haiphong").status_code == 302


def test_lockout_ends_after_the_cool_off(client, demo_users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_with_password(client, "prevention.haiphong", "not-the-password")
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert sign_in_with_password(client, "prevention.haiphong").status_code == 302


def test_session_ends_after_inactivity(client, demo_users, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in_with_password(client, "prevention.haiphong")
        assert client.get("/").status_code == 200
    # Activity pushes the expiry forward...
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        assert client.get("/").status_code == 200
    # ...and 31 idle minutes end the session.
    with time_machine.travel(start + timedelta(minutes=45 + 31), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_sign_out_needs_post_and_ends_the_session(client, demo_users):
    sign_in_with_password(client, "prevention.haiphong")
    assert client.get("/account/logout/").status_code == 405
    client.post("/account/logout/")
    assert client.get("/").status_code == 302


def test_passwords_are_hashed_with_argon2(demo_users, settings):
    from haidang.access.services import create_user

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = create_user(actor=None, username="argon.user", password="a-Long-pass-phrase-42")
    assert user.password.startswith("argon2$")


def test_next_parameter_cannot_send_the_user_to_another_site(client, demo_users):
    response = client.post(
        "/account/login/?next=https://evil.example/",
        {"username": "prevention.haiphong", "password": demo_password()},
    )
    assert response["Location"] == "/"
