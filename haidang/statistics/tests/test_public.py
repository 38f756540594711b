"""The public page and API: only published public releases, only the figures that passed the release step."""

import json
import re

import pytest

from haidang.statistics import services
from haidang.statistics.models import Audience
from haidang.statistics.tests.release_fixture import load_release_world, national_releaser

pytestmark = pytest.mark.usefixtures("english")


def build(actor, *, title, period="2026Q1", audience=Audience.PUBLIC):
    spec = services.check_spec(
        title=title,
        audience=audience,
        indicators=["victims_received"],
        breakdowns=["sex"],
        period=period,
        unit=None,
        level=1,
    )
    return services.create_release(actor=actor, spec=spec)


@pytest.fixture
def releases(demo_users):
    load_release_world(demo_users["caseworker.hanoi"])
    analyst, approver = demo_users["analyst"], national_releaser()
    draft = build(analyst, title="Draft Q2", period="2026Q2")
    approved = build(analyst, title="Approved S1", period="2026S1")
    services.approve_release(actor=approver, release=approved)
    published = build(analyst, title="Published Q1")
    services.approve_release(actor=approver, release=published)
    services.publish_release(actor=approver, release=published)
    partners = build(analyst, title="Partners Q1", audience=Audience.PARTNERS)
    services.approve_release(actor=approver, release=partners)
    services.publish_release(actor=approver, release=partners)
    return {"draft": draft, "approved": approved, "published": published, "partners": partners, "approver": approver}


def test_the_public_page_opens_without_signing_in_and_lists_only_what_is_published(client, releases):
    response = client.get("/statistics/public/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Published Q1" in html
    for absent in ("Draft Q2", "Approved S1", "Partners Q1"):
        assert absent not in html
    for name in ("draft", "approved", "partners"):
        assert client.get(f"/statistics/public/{releases[name].pk}/").status_code == 404
    # The rest of the statistics pages need a sign-in.
    assert client.get("/statistics/").status_code == 302


def test_a_withdrawn_release_disappears(client, releases):
    published = releases["published"]
    assert client.get(f"/statistics/public/{published.pk}/").status_code == 200
    services.withdraw_release(actor=releases["approver"], release=published, reason="Revised figures")
    assert "Published Q1" not in client.get("/statistics/public/").content.decode()
    assert client.get(f"/statistics/public/{published.pk}/").status_code == 404
    assert client.get(f"/statistics/public/{published.pk}/tables/0.csv").status_code == 404
    assert client.get("/api/v1/releases").json()["count"] == 0
    assert client.get(f"/api/v1/releases/{published.pk}").status_code == 404


def hidden_cells(release):
    table = release.tables.get()
    return {cell_id: inside for cell_id, inside in table.internal.items() if inside["reason"]}


def test_hidden_figures_never_reach_the_page(client, releases):
    published = releases["published"]
    hidden = hidden_cells(published)
    assert hidden
    html = client.get(f"/statistics/public/{published.pk}/").content.decode()
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">([^<]+)</th>(.*?)</tr>", html, re.S)
    texts = {label.strip(): re.findall(r"<td[^>]*>([^<]*)", cells) for label, cells in rows}
    # Hải Phòng's 4 women and its total: shown as the one symbol, never as a number.
    haiphong = next(cells for label, cells in texts.items() if "Hải Phòng" in label)
    assert set(haiphong) == {"—"}
    hanoi = next(cells for label, cells in texts.items() if "Hà Nội" in label)
    assert "3" not in [text.strip() for text in hanoi] and "23" not in [text.strip() for text in hanoi]
    for word in ("primary", "secondary", "reason", "internal"):
        assert word not in html


def test_the_api_lists_and_shows_only_published_public_releases_without_a_token(client, releases):
    listing = client.get("/api/v1/releases")
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 1 and [item["title"] for item in body["items"]] == ["Published Q1"]
    published = releases["published"]
    detail = client.get(f"/api/v1/releases/{published.pk}")
    assert detail.status_code == 200
    text = json.dumps(detail.json())
    for word in ("primary", "secondary", "reason", "internal", "audit_ranges"):
        assert word not in text
    table = detail.json()["tables"][0]
    codes = [column["code"] for column in table["columns"]]
    by_row = {row["code"]: row["cells"] for row in table["rows"]}
    assert by_row["31"][codes.index("*")]["value"] is None
    assert by_row["31"][codes.index("female")]["value"] is None
    assert by_row["01"][codes.index("male")]["value"] is None
    for name in ("draft", "approved", "partners"):
        assert client.get(f"/api/v1/releases/{releases[name].pk}").status_code == 404
    assert client.get("/api/v1/releases/not-a-uuid").status_code == 404


def test_a_published_table_downloads_as_csv_with_the_same_symbols(client, releases):
    published = releases["published"]
    response = client.get(f"/statistics/public/{published.pk}/tables/0.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    haiphong = next(line for line in text.splitlines() if "Hải Phòng" in line)
    assert set(haiphong.split(",")[1:]) == {"—"}
    assert client.get(f"/statistics/public/{published.pk}/tables/9.csv").status_code == 404


def test_building_and_approving_through_the_api(api_client, demo_users):
    load_release_world(demo_users["caseworker.hanoi"])
    analyst = api_client(demo_users["analyst"])
    payload = {
        "title": "Hà Nội Q1",
        "audience": "public",
        "indicators": ["victims_received"],
        "breakdowns": ["sex"],
        "period": "2026Q1",
        "unit": "01",
        "level": 0,
    }
    created = analyst.post("/api/v1/releases", payload)
    assert created.status_code == 201
    release_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert api_client().get(f"/api/v1/releases/{release_id}").status_code == 404
    assert analyst.post(f"/api/v1/releases/{release_id}/approve").status_code == 403
    bad = analyst.post("/api/v1/releases", {**payload, "period": "2026M01"})
    assert bad.status_code == 400 and "period" in bad.json()["error"]["fields"]
    assert api_client().post("/api/v1/releases", payload).status_code == 401
    coordinator = api_client(demo_users["coordinator.hanoi"])
    assert coordinator.post(f"/api/v1/releases/{release_id}/approve").json()["status"] == "approved"
    assert coordinator.post(f"/api/v1/releases/{release_id}/publish").json()["status"] == "published"
    assert api_client().get(f"/api/v1/releases/{release_id}").status_code == 200
    outside = api_client(demo_users["coordinator.haiphong"])
    assert outside.post(f"/api/v1/releases/{release_id}/withdraw", {"reason": "x"}).status_code in (403, 404)
