"""Two application servers side by side against one PostgreSQL: the journeys went through both (the
round-robin proxy stands in for the load balancer), and what one server decides holds on the other:
a lockout, and a sign-out."""

import os

import pytest

from haidang.operations.tests.installation import WebClient

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="two servers share a database in the PostgreSQL pass (DATABASE_URL=postgres://…)",
    ),
]

PASSWORD = os.environ.get("DEMO_PASSWORD", "HaiDang-Demo-2026")


def test_the_journeys_were_served_by_both_servers(proxy, live_server_url):
    # Run last (file order): the browser journeys before it went through the proxy.
    WebClient(live_server_url).request("/account/login/")
    assert proxy is not None
    assert all(count > 0 for count in proxy.served.values()), proxy.served


def test_a_lockout_on_one_server_holds_on_the_other(app_servers):
    first, second = app_servers
    attacker = WebClient(first)
    for _ in range(4):
        assert attacker.sign_in("coordinator.haiphong", "not-the-password") == 401
    assert attacker.sign_in("coordinator.haiphong", "not-the-password") == 429  # The fifth failure locks.
    # The right password, on the other server: locked out (429), not signed in.
    person = WebClient(second)
    assert person.sign_in("coordinator.haiphong", PASSWORD) == 429
    status, _, _ = person.request("/", base=second)
    assert status == 302  # Not signed in: sent to the sign-in page.
    assert person.cookie("sessionid") is None


def test_a_sign_out_on_one_server_holds_on_the_other(app_servers):
    first, second = app_servers
    client = WebClient(first)
    assert client.sign_in("analyst", PASSWORD) == 302
    session = client.cookie("sessionid")
    assert session
    assert client.request("/", base=second)[0] == 200  # One session, whichever server answers.
    status, _, _ = client.request("/account/logout/", {}, base=second)
    assert status == 302
    # The old session cookie, replayed on the first server, opens nothing any more.
    replayed = WebClient(first)
    status, headers, _ = replayed.request("/", headers={"Cookie": f"sessionid={session}"})
    assert status == 302 and "/account/login/" in headers["Location"]


def test_a_token_revoked_on_one_server_is_refused_by_the_other(app_servers):
    import json
    import urllib.request

    first, second = app_servers
    request = urllib.request.Request(  # noqa: S310 (loopback)
        first + "/api/v1/auth/token",
        data=json.dumps({"username": "analyst", "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        token = json.loads(response.read())["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    client = WebClient(second)
    assert client.request("/api/v1/me", headers=bearer)[0] == 200
    revoke = urllib.request.Request(second + "/api/v1/auth/token", headers=bearer, method="DELETE")  # noqa: S310
    with urllib.request.urlopen(revoke, timeout=30) as response:  # noqa: S310
        assert response.status == 204
    assert WebClient(first).request("/api/v1/me", headers=bearer)[0] == 401
