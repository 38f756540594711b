"""The API's token endpoint, /me, agencies, and the one error shape."""

import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import TOTP

from haidang.access.demo import demo_password, demo_totp_secret

pytestmark = pytest.mark.django_db


def otp_now() -> str:
    secret = demo_totp_secret()
    return f"{TOTP(base64.b32decode(secret + '=' * (-len(secret) % 8))).token():06d}"


def token_for(client, username, otp=""):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": demo_password(), "otp": otp},
        content_type="application/json",
    )


def assert_error(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def test_token_and_me_for_a_role_without_second_factor(client, demo_users):
    response = token_for(client, "coordinator.hanoi")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "coordinator.hanoi"
    assert body["memberships"][0]["unit_code"] == "01"
    assert "issue_directives" in body["capabilities"]
    assert body["two_factor_required"] is False


def test_token_needs_the_second_factor_for_identity_roles(client, demo_users):
    assert_error(token_for(client, "caseworker.hanoi"), 401, "otp_required")
    wrong = "000000" if otp_now() != "000000" else "111111"
    error = assert_error(token_for(client, "caseworker.hanoi", wrong), 401, "invalid_otp")
    assert "otp" in error["fields"]
    # django-otp makes the device wait a moment after a failure (throttling); then a code works.
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        assert token_for(client, "caseworker.hanoi", otp_now()).status_code == 200


def test_bad_credentials_and_missing_fields_use_the_error_shape(client, demo_users):
    bad = client.post(
        "/api/v1/auth/token",
        {"username": "coordinator.hanoi", "password": "nope"},
        content_type="application/json",
    )
    assert_error(bad, 401, "invalid_credentials")
    missing = client.post("/api/v1/auth/token", {"username": "coordinator.hanoi"}, content_type="application/json")
    error = assert_error(missing, 400, "invalid")
    assert "password" in error["fields"]
    not_json = client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert 400 <= not_json.status_code < 500


def test_token_endpoint_locks_out_after_repeated_failures(client, demo_users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token", {"username": "analyst", "password": "nope"}, content_type="application/json")
    assert_error(token_for(client, "analyst"), 429, "locked_out")


def test_a_token_issued_clears_the_failed_attempts(client, demo_users, settings):
    """4 failures, a success, then 1 failure: the account is not locked (the count starts again)."""
    assert settings.AXES_FAILURE_LIMIT == 5

    def fail():
        response = client.post(
            "/api/v1/auth/token", {"username": "analyst", "password": "nope"}, content_type="application/json"
        )
        assert_error(response, 401, "invalid_credentials")

    for _ in range(4):
        fail()
    assert token_for(client, "analyst").status_code == 200
    fail()
    assert token_for(client, "analyst").status_code == 200
    # And the count really starts again from zero: four more failures still do not lock.
    for _ in range(4):
        fail()
    assert token_for(client, "analyst").status_code == 200


def test_calls_without_a_valid_token_are_refused(client, demo_users):
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer hd_forged"}), 401, "unauthenticated")


def test_agencies_list_shape_filters_and_validation(demo_users, api_client):
    api = api_client(demo_users["coordinator.haiphong"])
    response = api.get("/api/v1/agencies", {"page_size": 5})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count", "page", "page_size"}
    assert body["page_size"] == 5 and len(body["items"]) <= 5
    names = {item["name"] for item in api.get("/api/v1/agencies", {"page_size": 200}).json()["items"]}
    assert "Sở Y tế Thành phố Hải Phòng" in names
    assert not any("Hà Nội" in name for name in names)
    found = api.get("/api/v1/agencies", {"q": "so y te"}).json()["items"]
    assert [item["name"] for item in found] == ["Sở Y tế Thành phố Hải Phòng"]
    error = assert_error(api.get("/api/v1/agencies", {"page_size": 0}), 400, "invalid")
    assert "page_size" in error["fields"]
    error = assert_error(api.get("/api/v1/agencies", {"page": "x"}), 400, "invalid")
    assert "page" in error["fields"]


def test_role_without_agency_access_gets_403(demo_users, api_client):
    assert_error(api_client(demo_users["analyst"]).get("/api/v1/agencies"), 403, "forbidden")


def test_openapi_document_and_docs_page(client, demo_users):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for expected in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/agencies", "/api/v1/units"):
        assert expected in paths
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "/api/v1/auth/token" in docs.content.decode()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_revoked_token_no_longer_works(client, demo_users):
    token = token_for(client, "coordinator.hanoi").json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthenticated")


def test_an_expired_token_no_longer_works(client, demo_users, settings):
    token = token_for(client, "coordinator.hanoi").json()["token"]
    later = timezone.now() + timedelta(hours=settings.API_TOKEN_HOURS, minutes=1)
    with time_machine.travel(later):
        assert_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401, "unauthenticated")


def test_a_deactivated_users_token_no_longer_works(client, demo_users):
    token = token_for(client, "coordinator.hanoi").json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).json()["username"] == "coordinator.hanoi"
    demo_users["coordinator.hanoi"].is_active = False
    demo_users["coordinator.hanoi"].save(update_fields=["is_active"])
    assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthenticated")


def test_a_token_records_its_last_use_at_most_once_a_minute(client, demo_users):
    from haidang.access.models import ApiToken

    token = token_for(client, "coordinator.hanoi").json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    stored = ApiToken.objects.get(user=demo_users["coordinator.hanoi"])
    assert stored.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=50), tick=False):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=70), tick=False):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at == start + timedelta(seconds=70)
    # The token is still good one second before it expires, and refused one second after.
    with time_machine.travel(stored.expires_at - timedelta(seconds=1), tick=False):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    with time_machine.travel(stored.expires_at + timedelta(seconds=1), tick=False):
        assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthenticated")
