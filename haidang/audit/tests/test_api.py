"""GET /api/v1/audit-events: the same log, filters and refusals as the page."""

import pytest

from haidang.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit-events"


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["object_id"] for item in response.json()["items"]}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def test_an_auditor_lists_the_log_newest_first(auditor, api_client, story):
    response = api_client(auditor).get(URL, {"page_size": 5})
    body = response.json()
    assert set(body) == {"items", "count", "page", "page_size"}
    assert (body["page"], body["page_size"]) == (1, 5)
    assert body["count"] == AuditEntry.objects.count() and len(body["items"]) == 5
    item = body["items"][0]
    assert item["action"] == "audit.log_viewed"  # This very reading, recorded first.
    assert [i["id"] for i in body["items"]] == sorted((i["id"] for i in body["items"]), reverse=True)
    assert set(item) >= {
        "id",
        "occurred_at",
        "actor_username",
        "role",
        "ip",
        "action",
        "object_type",
        "object_id",
        "unit_code",
        "changes",
        "reason",
        "prev_hash",
        "entry_hash",
    }


def test_filters(auditor, api_client, story):
    api = api_client(auditor)
    assert ids(api.get(URL, {"user": "worker.hn"})) == {"case-aaa"}
    assert ids(api.get(URL, {"unit": "01", "action": "cases."})) == {"case-aaa"}
    assert ids(api.get(URL, {"object_type": "cases.case", "object_id": "case-bbb"})) == {"case-bbb"}
    assert ids(api.get(URL, {"since": "2025-08-01", "until": "2025-08-31"})) == {"case-bbb"}
    assert ids(api.get(URL, {"until": "2025-07-30T09:00:59+07:00", "action": "cases."})) == {"case-aaa"}
    items = api.get(URL, {"object_id": "case-aaa"}).json()["items"]
    assert items[0]["changes"] == {"phone": "***"}
    assert items[0]["occurred_at"].startswith("2025-07-30T02:00:30")


def test_bad_values_are_400_with_the_field_named(auditor, api_client):
    api = api_client(auditor)
    assert "since" in assert_error(api.get(URL, {"since": "31/11/2023"}), 400, "invalid")["fields"]
    assert "page_size" in assert_error(api.get(URL, {"page_size": 1000}), 400, "invalid")["fields"]


def test_others_are_refused(make_user, hanoi, api_client):
    worker = make_user("curious", "case_worker", hanoi)
    assert_error(api_client(worker).get(URL), 403, "forbidden")
    assert AuditEntry.objects.filter(action="audit.log_access_denied", actor=worker).exists()
    assert_error(api_client(None).get(URL), 401, "unauthenticated")


def test_reading_through_the_api_is_recorded(auditor, api_client):
    api_client(auditor).get(URL, {"action": "access.", "page": 1})
    viewed = AuditEntry.objects.filter(action="audit.log_viewed").latest("id")
    assert viewed.actor == auditor and viewed.changes == {"action": "access.", "page": 1, "via": "api"}
