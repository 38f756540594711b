"""Release pages for staff: build a draft, approve it as someone else, publish, withdraw."""

import re

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
    # Publishing asks first, on a page of its own (no script needed): a bare request publishes nothing.
    asked = client.post(f"/statistics/releases/{release.pk}/publish/")
    assert asked.status_code == 302 and asked["Location"] == f"/statistics/releases/{release.pk}/publish/confirm/"
    release.refresh_from_db()
    assert release.status == ReleaseStatus.APPROVED
    question = client.get(asked["Location"]).content.decode()
    assert "Publish this release?" in question and "for anyone to read" in question
    assert 'name="confirmed" value="yes"' in question
    client.post(f"/statistics/releases/{release.pk}/publish/", {"confirmed": "yes"})
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


def _hidden_counts(html: str) -> tuple[int, int]:
    found = re.search(r'data-hidden="(\d+)" data-figures="(\d+)"', html)
    return int(found.group(1)), int(found.group(2))


def test_publishing_a_release_that_is_mostly_dashes_warns_first(client, sign_in, world, demo_users):
    # Hải Phòng alone in the first quarter: 4 women, a count that is hidden with what gives it away.
    sign_in(demo_users["analyst"])
    client.post("/statistics/releases/new/", {**FORM, "title": "Hải Phòng, quý I/2026", "unit": "31"})
    release = Release.objects.get()
    client.logout()
    client.cookies["haidang_language"] = "en"
    sign_in(demo_users["coordinator.haiphong"])
    client.post(f"/statistics/releases/{release.pk}/approve/")
    page = client.get(f"/statistics/releases/{release.pk}/publish/confirm/").content.decode()
    hidden, figures = _hidden_counts(page)
    assert 2 * hidden > figures
    assert 'id="mostly-hidden"' in page and "Most figures are hidden" in page and "Publish anyway" in page
    assert f"{hidden} of the {figures} figures" in page
    release.refresh_from_db()
    assert release.status == ReleaseStatus.APPROVED


def test_a_release_with_nothing_to_hide_says_so_in_words(client, sign_in, world, demo_users):
    # Hà Nội's first quarter by sex: 20 women and 3 men... the 3 is hidden, so take the whole half-year
    # without a breakdown, where every figure is large enough.
    sign_in(demo_users["analyst"])
    client.post("/statistics/releases/new/", {**FORM, "breakdowns": [], "period": "2026S1"})
    release = Release.objects.get()
    page = client.get(f"/statistics/releases/{release.pk}/").content.decode()
    assert release.audit["checked"] == 0
    assert "no small figure had to be hidden" in page
    assert "0 small figures" not in page and "No figure in the tables is hidden." in page
    assert _hidden_counts(page)[0] == 0
    # The Vietnamese page does not say "bị ẩn trong 0 số" either.
    client.cookies["haidang_language"] = "vi"
    page = client.get(f"/statistics/releases/{release.pk}/").content.decode()
    assert "trong 0" not in page and " 0 số" not in page


def test_an_audited_release_counts_its_hidden_figures_in_the_singular(client, sign_in, world, demo_users):
    # Hà Nội's first quarter by sex: the 3 men are hidden, and one more figure that would give them away.
    sign_in(demo_users["analyst"])
    client.post("/statistics/releases/new/", FORM)
    release = Release.objects.get()
    page = client.get(f"/statistics/releases/{release.pk}/").content.decode()
    assert release.audit["checked"] == 1
    assert "Disclosure audit passed: 1 small figure is hidden, and it can only be narrowed down" in page
    assert _hidden_counts(page) == (2, 5) and "2 of the 5 figures in the tables are hidden." in page
