"""A signed-in page reads its session and its user by kept statements (common.sessions, access.backends):
the same decisions as Django's own reads, and nothing secret kept in the process."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from haidang.common import queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "kept_statements")]


def _signed_in_page(client) -> bool:
    response = client.get("/cases/")
    assert response.status_code in {200, 302}
    return response.status_code == 200


def test_two_users_share_the_statements_which_keep_neither_a_session_key_nor_a_user(demo_users, sign_in):
    seen = []
    for username in ("caseworker.hanoi", "caseworker.haiphong"):
        user = demo_users[username]
        client = sign_in(user)  # the same test client, signed in again: another session
        assert _signed_in_page(client)
        seen.append((client.session.session_key, user))
    assert seen[0][0] != seen[1][0]
    kept = {key: value for key, value in queries._STATEMENTS.items() if key[0] == "values-slots"}
    reads = {("by-pk", "session"), ("by-pk", "session-user"), ("by-pk", "session-device")}
    by_pk = [key for key in kept if key[-1] in reads]
    assert len(by_pk) == 3  # one statement each for the session, the user and the device, whoever signs in
    assert all(value[3] for key, value in kept.items() if key in by_pk)  # the values are placed, not built in
    text = repr(kept)
    for session_key, user in seen:
        assert session_key not in text
        assert str(user.pk) not in text and user.pk.hex not in text


def test_a_user_deactivated_while_signed_in_is_signed_out_at_the_next_page(as_user, demo_users):
    client = as_user("caseworker.hanoi")
    assert _signed_in_page(client)
    type(demo_users["caseworker.hanoi"]).objects.filter(username="caseworker.hanoi").update(is_active=False)
    assert not _signed_in_page(client)


def test_a_device_removed_or_unconfirmed_no_longer_proves_the_second_factor(as_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = as_user("caseworker.hanoi")
    assert _signed_in_page(client)
    TOTPDevice.objects.filter(user__username="caseworker.hanoi").update(confirmed=False)
    response = client.get("/cases/")
    assert response.status_code == 302 and "/account/two-factor/" in response["Location"]


def test_an_expired_session_is_no_session(as_user):
    client = as_user("caseworker.hanoi")
    assert _signed_in_page(client)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert not _signed_in_page(client)


def test_a_session_naming_a_user_who_is_not_there_is_no_user(as_user):
    client = as_user("caseworker.hanoi")
    session = client.session
    session[SESSION_KEY] = "00000000-0000-0000-0000-000000000000"
    assert session[BACKEND_SESSION_KEY] == "haidang.access.backends.AccountBackend"
    session.save()
    assert not _signed_in_page(client)
