"""The reporting API end to end: each endpoint's success, 400 naming the field, 404 outside the
user's area (like missing), 403 for a role without the right, 409 for a stale version."""

import uuid

import pytest

from haidang.reporting.tests.conftest import agency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

BASE = "/api/v1"


@pytest.fixture
def patch(client):
    def _patch(api, path, payload):
        return client.patch(path, payload, content_type="application/json", headers=api.headers)

    return _patch


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    return body["error"]


@pytest.fixture
def apis(api_client, demo_users):
    return {name: api_client(demo_users[name]) for name in demo_users}


def directive_payload(form_version, **overrides):
    payload = {
        "number": "1368/UBND-VX",
        "issued_on": "2026-07-15",
        "issuing_agency": str(agency("Ủy ban nhân dân Thành phố Hà Nội").pk),
        "title": "Báo cáo kết quả Tháng hành động phòng, chống mua bán người",
        "form_version": str(form_version.pk),
        "period_id": "2026Q3",
        "deadline": "2026-10-05",
        "activities": ["Mít tinh hưởng ứng ngày 30/7"],
        "recipient_rules": [{"level": 3, "agency_type": "commune_committee"}],
        "recipients": [{"agency": str(agency("Sở Y tế Thành phố Hà Nội").pk)}],
    }
    payload.update(overrides)
    return payload


def test_report_forms_list_and_detail(apis, form_version):
    body = apis["commune.hanoi.a"].get(f"{BASE}/report-forms").json()
    assert body["count"] >= 1 and {"items", "count", "page", "page_size"} <= set(body)
    form = next(item for item in body["items"] if item["code"] == "CTMBN")
    detail = apis["commune.hanoi.a"].get(f"{BASE}/report-forms/{form['id']}").json()
    assert detail["version"]["status"] == "published"
    v1 = next(i for i in detail["indicators"] if i["code"] == "V1")
    assert v1["source"] == "cases.received" and v1["breakdowns"] == ["sex", "age_band"]
    assert [d["code"] for d in v1["dimensions"]["sex"]] == ["female", "male", "unknown"]
    assert detail["rules"][0]["left"] == "V2" and detail["sections"][0]["required"] is True
    assert_error(apis["commune.hanoi.a"].get(f"{BASE}/report-forms/{uuid.uuid4()}"), 404, "not_found")
    assert_error(apis["auditor"].get(f"{BASE}/report-forms"), 403, "forbidden")


def test_create_issue_and_read_a_directive(apis, form_version):
    coordinator = apis["coordinator.hanoi"]
    response = coordinator.post(f"{BASE}/directives", directive_payload(form_version))
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft" and draft["period_label"] == "Quý III/2026"
    assert draft["recipients"][0]["agency"]["name"] == "Sở Y tế Thành phố Hà Nội"
    # A draft is the issuer's own business.
    assert_error(apis["commune.hanoi.a"].get(f"{BASE}/directives/{draft['id']}"), 404, "not_found")

    issued = coordinator.post(f"{BASE}/directives/{draft['id']}/issue", {"version": draft["version"]}).json()
    assert issued["reports"] == 3 and issued["directive"]["status"] == "issued"
    listed = apis["commune.hanoi.a"].get(f"{BASE}/directives").json()
    assert [item["id"] for item in listed["items"]] == [draft["id"]] and listed["items"][0]["reports"] == 1
    assert apis["coordinator.haiphong"].get(f"{BASE}/directives").json()["count"] == 0
    assert_error(apis["coordinator.haiphong"].get(f"{BASE}/directives/{draft['id']}"), 404, "not_found")
    again = coordinator.post(f"{BASE}/directives/{draft['id']}/issue", {})
    assert "status" in assert_error(again, 400, "invalid")["fields"]


def test_directive_input_refused_naming_the_field(apis, form_version):
    coordinator = apis["coordinator.hanoi"]
    response = coordinator.post(
        f"{BASE}/directives",
        directive_payload(
            form_version, period_id="2026Q9", deadline="2026-07-01", recipients=[{"unit": "99999"}], number=""
        ),
    )
    fields = assert_error(response, 400, "invalid")["fields"]
    assert "recipients[0].unit" in fields
    response = coordinator.post(
        f"{BASE}/directives", directive_payload(form_version, period_id="2026Q9", deadline="2026-07-01", number="")
    )
    assert {"period_id", "deadline", "number"} <= set(assert_error(response, 400, "invalid")["fields"])
    forbidden = apis["commune.hanoi.a"].post(f"{BASE}/directives", directive_payload(form_version))
    assert_error(forbidden, 403, "forbidden")


def test_completeness_and_consolidated(apis, issued, demo_users):
    directive, reports = issued()
    coordinator = apis["coordinator.hanoi"]
    body = coordinator.get(f"{BASE}/directives/{directive.pk}/completeness").json()
    assert body["total"]["expected"] == 2 and body["total"]["rate"] == 0.0
    assert {row["label"] for row in body["rows"]} == {"Xã Thạch Thất", "Xã Tây Phương"}
    down = coordinator.get(
        f"{BASE}/directives/{directive.pk}/completeness", {"unit": reports["Xã Tây Phương"].unit.code}
    )
    assert down.json()["reports"][0]["recipient"] == "Ủy ban nhân dân Xã Tây Phương"
    bad = coordinator.get(f"{BASE}/directives/{directive.pk}/completeness", {"unit": "99999"})
    assert "unit" in assert_error(bad, 400, "invalid")["fields"]
    # A commune cannot look at its neighbour.
    neighbour = apis["commune.hanoi.a"].get(
        f"{BASE}/directives/{directive.pk}/completeness", {"unit": reports["Xã Tây Phương"].unit.code}
    )
    assert_error(neighbour, 404, "not_found")

    table = coordinator.get(f"{BASE}/consolidated", {"directive": str(directive.pk)}).json()
    assert table["columns"] == [{"key": "total", "label": "Tổng cộng", "unit": table["unit"], "approved": 0}]
    assert {p["recipient"] for p in table["pending"]} == {
        "Ủy ban nhân dân Xã Thạch Thất",
        "Ủy ban nhân dân Xã Tây Phương",
    }
    assert_error(
        apis["coordinator.haiphong"].get(f"{BASE}/consolidated", {"directive": str(directive.pk)}), 404, "not_found"
    )
    assert_error(apis["coordinator.hanoi"].get(f"{BASE}/consolidated", {"directive": "x"}), 400, "invalid")


def test_fill_submit_return_and_approve_a_report(apis, issued, patch):
    directive, reports = issued()
    officer, coordinator = apis["commune.hanoi.a"], apis["coordinator.hanoi"]
    report_id = str(reports["Xã Thạch Thất"].pk)
    listed = officer.get(f"{BASE}/reports", {"status": "not_started", "period": "2026Q3"}).json()
    assert [item["id"] for item in listed["items"]] == [report_id]
    detail = officer.get(f"{BASE}/reports/{report_id}").json()
    assert detail["can_edit"] is True and detail["can_review"] is False
    total = next(v for v in detail["values"] if v["indicator"] == "V1" and v["dimensions"] == {})
    assert total["computed_value"] == 0

    url = f"{BASE}/reports/{report_id}"
    change = {"indicator": "V1", "dimensions": {"sex": "female", "age_band": "under_16"}, "value": 1}
    refused = patch(officer, url, {"version": detail["version"], "values": [change]})
    assert "values[V1][sex=female|age_band=under_16]" in assert_error(refused, 400, "invalid")["fields"]
    change["override_reason"] = "Tiếp nhận tại trạm y tế xã, chưa nhập hệ thống"
    saved = patch(
        officer, url, {"version": detail["version"], "values": [change], "narratives": {"results": "Đã làm."}}
    )
    assert saved.status_code == 200, saved.content
    saved = saved.json()
    cell = next(v for v in saved["values"] if v["dimensions"] == {"sex": "female", "age_band": "under_16"})
    assert (cell["computed_value"], cell["value"]) == (0, 1) and saved["status"] == "draft"
    stale = patch(officer, url, {"version": detail["version"], "values": []})
    assert assert_error(stale, 409, "conflict")["fields"]["current_version"] == [str(saved["version"])]
    assert_error(patch(apis["commune.hanoi.b"], url, {"version": saved["version"]}), 404, "not_found")
    assert_error(patch(coordinator, url, {"version": saved["version"]}), 403, "forbidden")

    assert_error(coordinator.post(f"{url}/submit", {}), 403, "forbidden")
    submitted = officer.post(f"{url}/submit", {})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert_error(officer.post(f"{url}/approve", {}), 403, "forbidden")
    no_comment = coordinator.post(f"{url}/return", {"comment": ""})
    assert "comment" in assert_error(no_comment, 400, "invalid")["fields"]
    returned = coordinator.post(f"{url}/return", {"comment": "Ghi rõ nguồn số liệu"}).json()
    assert returned["status"] == "returned" and returned["history"][-1]["comment"] == "Ghi rõ nguồn số liệu"
    officer.post(f"{url}/submit", {})
    approved = coordinator.post(f"{url}/approve", {}).json()
    assert approved["status"] == "locked" and approved["on_time"] is True

    table = coordinator.get(f"{BASE}/consolidated", {"directive": str(directive.pk)}).json()
    v1 = next(row for row in table["rows"] if row["code"] == "V1")
    assert v1["cells"][0]["values"] == [1, 1] and table["approved"] == 1


@pytest.mark.usefixtures("strict_rules")
def test_a_submission_that_breaks_a_rule_names_indicator_and_breakdown(apis, issued, patch):
    _directive, reports = issued()
    officer = apis["commune.hanoi.a"]
    url = f"{BASE}/reports/{reports['Xã Thạch Thất'].pk}"
    version = officer.get(url).json()["version"]
    change = {
        "indicator": "V2",
        "dimensions": {"sex": "male", "age_band": "18_plus"},
        "value": 2,
        "override_reason": "Theo quyết định xác định",
    }
    patch(officer, url, {"version": version, "values": [change], "narratives": {"results": "Đã làm."}})
    fields = assert_error(officer.post(f"{url}/submit", {}), 400, "invalid")["fields"]
    assert set(fields) == {"values[V2][]", "values[V2][sex=male|age_band=18_plus]"}


def test_report_list_filters_and_errors(apis, issued, places):
    directive, _reports = issued()
    coordinator = apis["coordinator.hanoi"]
    body = coordinator.get(
        f"{BASE}/reports", {"directive": str(directive.pk), "unit": places["tay_phuong"].code}
    ).json()
    assert body["count"] == 1 and body["items"][0]["unit"]["name"] == "Xã Tây Phương"
    assert_error(coordinator.get(f"{BASE}/reports", {"unit": "99999"}), 400, "invalid")
    assert_error(coordinator.get(f"{BASE}/reports/{uuid.uuid4()}"), 404, "not_found")
    assert_error(apis["auditor"].get(f"{BASE}/reports"), 403, "forbidden")
    assert_error(
        apis["coordinator.haiphong"].get(f"{BASE}/reports", {"directive": str(directive.pk)}), 404, "not_found"
    )
