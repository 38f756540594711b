"""Release pages for staff: build a draft, approve it as someone else, publish, withdraw."""

import pytest

from haidang.statistics.models import Release, ReleaseStatus
from haidang.statistics.tests.release_fixture import load_release_world

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def world(demo_users):
    return load_release_world(demo_users["caseworker.hanoi"])


FORM = {
    "title": "Hà Nội, quý I/2026",
    "audience": "public",
    "indicators": ["victims_received"],
    "breakdowns": ["sex"],
    "period": "2026Q1",
    "unit": "01",
    "level": "0",
    "note": "",
}


def test_build_approve_and_publish_through_the_pages(client, sign_in, world, demo_users):
    sign_in(demo_users["analyst"])
    response = client.post("/statistics/releases/new/", FORM)
    assert response.status_code == 302
    release = Release.objects.get()
    assert release.status == ReleaseStatus.DRAFT
    page = client.get(f"/statistics/releases/{release.pk}/").content.decode()
    assert "Hà Nội, quý I/2026" in page and "Approve" not in page  # an analyst does not release

    coordinator = demo_users["coordinator.hanoi"]
    client.logout()
    client.cookies["haidang_language"] = "en"
    sign_in(coordinator)
    page = client.get(f"/statistics/releases/{release.pk}/").content.decode()
    assert "Approve" in page
    client.post(f"/statistics/releases/{release.pk}/approve/")
    client.post(f"/statistics/releases/{release.pk}/publish/")
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED and release.approved_by == coordinator
    assert client.get(f"/statistics/public/{release.pk}/").status_code == 200
    client.post(f"/statistics/releases/{release.pk}/withdraw/", {"reason": ""})
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED  # no reason, no withdrawal
    client.post(f"/statistics/releases/{release.pk}/withdraw/", {"reason": "Số liệu cần sửa"})
    release.refresh_from_db()
    assert release.status == ReleaseStatus.WITHDRAWN


def test_the_form_names_what_is_wrong(client, sign_in, world, demo_users):
    sign_in(demo_users["analyst"])
    response = client.post("/statistics/releases/new/", {**FORM, "period": "2026M02", "level": "3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "at least a quarter" in html and "never by commune" in html
    response = client.post("/statistics/releases/new/", {**FORM, "unit": "99999"})
    assert response.status_code == 200
    assert not Release.objects.exists()


def test_a_release_outside_ones_area_is_missing(client, sign_in, world, demo_users):
    sign_in(demo_users["coordinator.hanoi"])
    client.post("/statistics/releases/new/", FORM)
    release = Release.objects.get()
    client.logout()
    client.cookies["haidang_language"] = "en"
    sign_in(demo_users["coordinator.haiphong"])
    assert client.get(f"/statistics/releases/{release.pk}/").status_code == 404
    assert client.post(f"/statistics/releases/{release.pk}/approve/").status_code == 404
    # And a role without statistics rights is refused outright.
    client.logout()
    client.cookies["haidang_language"] = "en"
    sign_in(demo_users["commune.hanoi.a"])
    assert client.get("/statistics/releases/").status_code == 403
