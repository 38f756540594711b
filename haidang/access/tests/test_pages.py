"""The UI shell: home page scope, language switch, headers, administration pages."""

import re

import pytest

from haidang.access.models import Agency, Membership, User

pytestmark = pytest.mark.django_db


def test_home_shows_a_commune_officer_their_commune_and_its_former_units(demo_users, sign_in):
    html = sign_in(demo_users["commune.hanoi.a"]).get("/").content.decode()
    assert "Xã Thạch Thất" in html
    assert "Ủy ban nhân dân Xã Thạch Thất" in html
    # Old communes of the former Thạch Thất district whose records now count here.
    assert "Thị trấn Liên Quan" in html
    assert "Xã Tây Phương" not in html


def test_home_shows_a_coordinator_their_province(demo_users, sign_in):
    html = sign_in(demo_users["coordinator.haiphong"]).get("/").content.decode()
    assert "Thành phố Hải Phòng" in html
    assert re.search(r"\b114\b", html)  # communes, wards and special zones of today's Hải Phòng


def test_home_shows_national_roles_the_whole_country(demo_users, sign_in):
    html = sign_in(demo_users["analyst"]).get("/").content.decode()
    assert "Việt Nam" in html and re.search(r"\b34\b", html)


def test_vietnamese_by_default_and_english_on_request(demo_users, sign_in):
    client = sign_in(demo_users["coordinator.hanoi"])
    # An English browser still gets Vietnamese until the user picks English.
    vi = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert 'lang="vi"' in vi and "Trang chủ" in vi
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = client.get("/").content.decode()
    assert 'lang="en"' in en and "Home" in en and "Trang chủ" not in en


def test_pages_send_a_strict_content_security_policy_and_no_inline_script(demo_users, sign_in):
    response = sign_in(demo_users["coordinator.hanoi"]).get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "style=" not in html


def test_only_administrators_manage_agencies_and_users(demo_users, sign_in):
    client = sign_in(demo_users["coordinator.hanoi"])
    assert client.get("/agencies/").status_code == 200
    assert client.get("/agencies/new/").status_code == 403
    assert client.get("/users/").status_code == 403


def test_administrator_creates_an_agency_and_a_user_with_a_membership(demo_users, sign_in):
    client = sign_in(demo_users["admin"])
    bad = client.post("/agencies/new/", {"name": "Trường THCS thử", "agency_type": "school", "unit": "276"})
    assert bad.status_code == 200 and "276" in bad.content.decode()  # an old district code: refused, named
    response = client.post(
        "/agencies/new/",
        {
            "name": "Trường THCS Thạch Thất (minh họa)",
            "agency_type": "school",
            "unit": demo_users["commune.hanoi.a"].memberships.get().unit.code,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    school = Agency.objects.get(name="Trường THCS Thạch Thất (minh họa)")
    response = client.post(
        "/users/new/",
        {
            "username": "teacher.demo",
            "full_name": "Giáo viên (minh họa)",
            "password": "a-Long-pass-phrase-42",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    teacher = User.objects.get(username="teacher.demo")
    response = client.post(
        f"/users/{teacher.pk}/", {"action": "membership", "agency": school.pk, "role": "prevention_officer"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=teacher).unit == school.unit


def test_user_form_rejects_a_weak_password_naming_the_field(demo_users, sign_in):
    response = sign_in(demo_users["admin"]).post("/users/new/", {"username": "weak", "password": "123"})
    assert response.status_code == 200
    assert not User.objects.filter(username="weak").exists()
    assert 'id="id_password"' in response.content.decode()
    assert "errorlist" in response.content.decode()


def test_unknown_page_is_a_friendly_404(demo_users, sign_in):
    response = sign_in(demo_users["coordinator.hanoi"]).get("/agencies/00000000-0000-0000-0000-000000000000/")
    assert response.status_code in (403, 404)
