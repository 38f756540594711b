"""The notices inbox: each user sees and marks only their own, the menu counts the unread,
opening a notice marks it read and follows its link only when the link stays on this site."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haidang.reporting.models import Notification, NotificationKind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

BASE = "/api/v1"


def notice(user, title, url="/reports/", **fields):
    return Notification.objects.create(user=user, kind=NotificationKind.REMINDER, title=title, url=url, **fields)


def unread_badge(page) -> str | None:
    html = page.content.decode()
    marker = 'class="badge nav-unread" data-unread="'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split('"', 1)[0]


def test_the_inbox_lists_only_the_users_own_notices_newest_first(issued, sign_in, demo_users, clock):
    _directive, reports = issued()  # tells both communes' officers
    clock.shift(3600)
    mine = notice(demo_users["commune.hanoi.a"], "Nhắc hạn báo cáo (thử)")
    page = sign_in(demo_users["commune.hanoi.a"]).get("/reports/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nhắc hạn báo cáo (thử)" in html and "1368/UBND-VX" in html
    ids = [item.split('"', 1)[0] for item in html.split('data-notice="')[1:]]
    own = Notification.objects.filter(user=demo_users["commune.hanoi.a"]).order_by("-created_at", "-pk")
    assert ids == [str(n.pk) for n in own] and ids[0] == str(mine.pk)
    others = Notification.objects.exclude(user=demo_users["commune.hanoi.a"])
    assert others.exists() and not any(str(n.pk) in html for n in others)
    assert html.count("is-unread") == len(ids)


def test_the_menu_counts_unread_notices_and_mark_all_clears_it(issued, sign_in, demo_users):
    issued()
    officer = demo_users["commune.hanoi.a"]
    notice(officer, "Thông báo thứ hai (thử)")
    client = sign_in(officer)
    assert unread_badge(client.get("/reports/")) == "2"
    response = client.post("/reports/notifications/read-all/")
    assert response.status_code == 302 and response.url == "/reports/notifications/"
    assert not Notification.objects.filter(user=officer, read_at__isnull=True).exists()
    assert unread_badge(client.get("/reports/notifications/")) is None
    # Someone else's unread notices are untouched.
    assert Notification.objects.filter(user=demo_users["commune.hanoi.b"], read_at__isnull=True).exists()


def test_an_anonymous_visitor_gets_no_count_and_no_inbox(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        page = client.get("/account/login/")
    assert page.status_code == 200 and unread_badge(page) is None
    assert client.get("/reports/notifications/").status_code == 302  # to the sign-in page


def test_the_menu_count_is_one_query(issued, sign_in, demo_users):
    issued()
    client = sign_in(demo_users["commune.hanoi.a"])
    with CaptureQueriesContext(connection) as queries:
        client.get("/reports/notifications/?unread=1")
    counts = [q["sql"] for q in queries.captured_queries if "COUNT" in q["sql"] and "notification" in q["sql"]]
    # One for the menu, one for the page's paginator.
    assert len(counts) == 2


def test_opening_a_notice_marks_it_read_and_goes_to_the_report(issued, sign_in, demo_users):
    _directive, reports = issued()
    officer = demo_users["commune.hanoi.a"]
    item = Notification.objects.get(user=officer, report=reports["Xã Thạch Thất"])
    response = sign_in(officer).get(f"/reports/notifications/{item.pk}/")
    assert response.status_code == 302 and response.url == f"/reports/{reports['Xã Thạch Thất'].pk}/"
    item.refresh_from_db()
    assert item.read_at is not None


@pytest.mark.parametrize("url", ["https://evil.example/phish", "//evil.example/x", "javascript:alert(1)", "reports"])
def test_a_link_leaving_the_site_is_not_followed(sign_in, demo_users, url):
    officer = demo_users["commune.hanoi.a"]
    item = notice(officer, "Liên kết lạ (thử)", url=url)
    client = sign_in(officer)
    response = client.get(f"/reports/notifications/{item.pk}/")
    assert response.status_code == 302 and response.url == "/reports/notifications/"
    item.refresh_from_db()
    assert item.read_at is not None
    assert 'class="message warning"' in client.get(response.url).content.decode()


def test_another_users_notice_is_404_on_the_page_and_in_the_api(sign_in, api_client, demo_users):
    theirs = notice(demo_users["commune.hanoi.b"], "Của người khác (thử)")
    assert sign_in(demo_users["commune.hanoi.a"]).get(f"/reports/notifications/{theirs.pk}/").status_code == 404
    response = api_client(demo_users["commune.hanoi.a"]).post(f"{BASE}/notifications/{theirs.pk}/read")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_lists_own_notices_with_the_unread_filter_and_marks_one_read(issued, api_client, demo_users):
    issued()
    officer = demo_users["commune.hanoi.a"]
    read = notice(officer, "Đã đọc (thử)")
    api = api_client(officer)
    body = api.get(f"{BASE}/notifications").json()
    assert set(body) == {"items", "count", "page", "page_size"} and body["count"] == 2
    assert {item["id"] for item in body["items"]} == {str(n.pk) for n in Notification.objects.filter(user=officer)}

    marked = api.post(f"{BASE}/notifications/{read.pk}/read")
    assert marked.status_code == 200 and marked.json()["unread"] is False and marked.json()["read_at"]
    unread = api.get(f"{BASE}/notifications", {"unread": "true"}).json()
    assert unread["count"] == 1 and unread["items"][0]["kind"] == "directive_issued"
    assert api.get(f"{BASE}/notifications", {"page_size": 0}).status_code == 400
    assert api_client().get(f"{BASE}/notifications").status_code == 401
