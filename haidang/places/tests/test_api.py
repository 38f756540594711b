"""GET /api/v1/units and /api/v1/units/{code}: filters, as-of dates, crosswalk and errors."""

import pytest

pytestmark = pytest.mark.django_db


def test_units_need_a_token(client):
    response = client.get("/api/v1/units")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert client.get("/api/v1/units/01", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


def test_list_provinces_today_and_before_1_july(api):
    today = api.get("/api/v1/units", {"level": 1, "page_size": 100}).json()
    assert today["count"] == 34 and len(today["items"]) == 34
    assert set(today) == {"items", "count", "page", "page_size"}
    hanoi = next(item for item in today["items"] if item["code"] == "01")
    assert hanoi == {
        "code": "01",
        "name": "Thành phố Hà Nội",
        "unit_type": "municipality",
        "unit_type_label": "Centrally-run city",
        "level": 1,
        "parent": {"code": "VN", "name": "Việt Nam", "level": 0},
        "valid_from": "2025-07-01",
        "valid_to": None,
        "is_current": True,
    }
    before = api.get("/api/v1/units", {"level": 1, "as_of": "2025-06-30"}).json()
    assert before["count"] == 63
    assert all(item["valid_to"] == "2025-06-30" for item in before["items"])


def test_list_children_of_a_parent_code_as_of_a_date(api):
    old = api.get("/api/v1/units", {"parent": "01", "as_of": "2025-06-30", "page_size": 200}).json()
    assert old["count"] == 30
    assert "Huyện Thạch Thất" in [item["name"] for item in old["items"]]
    new = api.get("/api/v1/units", {"parent": "01", "page": 2, "page_size": 100}).json()
    assert (new["count"], new["page"], len(new["items"])) == (126, 2, 26)
    assert all(item["level"] == 3 for item in new["items"])


def test_list_search_with_or_without_diacritics(api):
    plain = api.get("/api/v1/units", {"q": "thach that"}).json()
    marked = api.get("/api/v1/units", {"q": "Thạch Thất"}).json()
    assert [i["name"] for i in plain["items"]] == [i["name"] for i in marked["items"]] == ["Xã Thạch Thất"]
    old = api.get("/api/v1/units", {"q": "thach that", "as_of": "2024-01-01", "level": 2}).json()
    assert [i["code"] for i in old["items"]] == ["276"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "2023-11-31"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"level": 7}, "level"),
        ({"level": "x"}, "level"),
        ({"page_size": 500}, "page_size"),
        ({"page": 0}, "page"),
    ],
)
def test_list_rejects_bad_filters_naming_the_field(api, params, field):
    response = api.get("/api/v1/units", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


def test_list_with_an_old_parent_today_is_a_400_naming_the_successors(api):
    response = api.get("/api/v1/units", {"parent": "276"})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "Xã Thạch Thất" in fields["parent"][0]
    assert "09955" in fields["successors"]


def test_detail_of_an_old_district(api):
    body = api.get("/api/v1/units/276", {"as_of": "2025-06-30"}).json()
    assert (body["name"], body["unit_type"], body["level"], body["valid_to"]) == (
        "Huyện Thạch Thất",
        "rural_district",
        2,
        "2025-06-30",
    )
    assert body["parent"]["name"] == "Thành phố Hà Nội"
    assert [a["code"] for a in body["ancestors"]] == ["VN", "01"]
    assert {"Xã Thạch Thất", "Xã Tây Phương", "Xã Hạ Bằng", "Xã Yên Xuân"} <= {s["name"] for s in body["successors"]}
    assert body["current_unit"] == {"code": "01", "name": "Thành phố Hà Nội", "level": 1}
    assert body["predecessors"] == []


def test_detail_of_a_new_commune_with_predecessors(api):
    body = api.get("/api/v1/units/09955").json()
    assert body["name"] == "Xã Thạch Thất" and body["is_current"]
    assert body["current_unit"]["code"] == "09955"
    assert {"Huyện Thạch Thất", "Thị trấn Liên Quan"} <= {p["name"] for p in body["predecessors"]}
    assert body["successors"] == []


def test_detail_of_a_split_commune_marks_the_default(api):
    body = api.get("/api/v1/units/09619", {"as_of": "2025-06-30"}).json()
    assert [(s["name"], s["is_default"]) for s in body["successors"]] == [
        ("Xã Minh Châu", True),
        ("Xã Quảng Oai", False),
    ]
    assert body["current_unit"]["name"] == "Xã Minh Châu"


def test_detail_errors(api):
    unknown = api.get("/api/v1/units/99999")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_unit"
    gone = api.get("/api/v1/units/276", {"as_of": "2025-08-15"})
    assert gone.status_code == 404
    error = gone.json()["error"]
    assert error["code"] == "unit_not_valid"
    assert error["message"].startswith("Huyện Thạch Thất (code 276) was not valid on 15/08/2025; since 01/07/2025")
    assert {"09955", "10006"} <= set(error["fields"]["successors"])
    assert api.get("/api/v1/units/276", {"as_of": "15/08/2024"}).status_code == 200  # read as the forms read it
    bad_date = api.get("/api/v1/units/276", {"as_of": "31/11/2025"})
    assert bad_date.status_code == 400 and "as_of" in bad_date.json()["error"]["fields"]


def test_openapi_describes_the_unit_schemas(api):
    document = api.get("/api/v1/openapi.json").json()
    detail = document["paths"]["/api/v1/units/{code}"]["get"]
    assert {"200", "404"} <= set(detail["responses"])
    assert "UnitDetailOut" in document["components"]["schemas"]
    assert "successors" in document["components"]["schemas"]["UnitDetailOut"]["properties"]
    listing = document["paths"]["/api/v1/units"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "level",
        "parent",
        "q",
        "as_of",
        "page",
        "page_size",
    }


def test_resolve_a_typed_name_on_a_date(api):
    found = api.get("/api/v1/units/resolve", {"name": "thach that", "as_of": "2026-03-01"}).json()
    assert (found["status"], found["unit"]["code"], found["label"]) == (
        "resolved",
        "09955",
        "Xã Thạch Thất — Thành phố Hà Nội",
    )
    assert found["confidence"] == 0.95 and found["message"] == ""
    old = api.get("/api/v1/units/resolve", {"name": "Kim Quan, Thạch Thất, Hà Nội", "as_of": "15/03/2024"}).json()
    assert old["unit"]["code"] == "09976" and old["unit"]["valid_to"] == "2025-06-30"
    ambiguous = api.get("/api/v1/units/resolve", {"name": "Tân Lập", "as_of": "2026-03-01"}).json()
    assert ambiguous["status"] == "ambiguous" and ambiguous["unit"] is None
    assert "Xã Tân Lập — Tỉnh Quảng Trị" in [item["label"] for item in ambiguous["alternatives"]]
    moved = api.get("/api/v1/units/resolve", {"name": "Huyện Thạch Thất", "as_of": "2026-03-01"}).json()
    assert moved["status"] == "not_valid" and "since 01/07/2025 it belongs to" in moved["message"]
    assert {"09955", "10006"} <= {item["unit"]["code"] for item in moved["alternatives"]}
    assert all(item["how"] == "successor" for item in moved["alternatives"])
    assert api.get("/api/v1/units/resolve", {"name": "Xyz"}).json()["status"] == "unknown"
    assert api.get("/api/v1/units/resolve", {"name": " "}).status_code == 400
    bad = api.get("/api/v1/units/resolve", {"name": "Thạch Thất", "as_of": "2026-02-30"})
    assert bad.status_code == 400 and "as_of" in bad.json()["error"]["fields"]


def test_a_search_lists_the_closest_names_first(api):
    items = api.get("/api/v1/units", {"q": "thach"}).json()["items"]
    assert items
    exact = api.get("/api/v1/units", {"q": "Thạch Thất"}).json()["items"]
    assert exact[0]["code"] == "09955"


def test_resolve_a_whole_address_on_a_date(api):
    url = "/api/v1/units/resolve"
    found = api.get(url, {"address": "thôn 3, xa binh yen, thach that, ha noi", "as_of": "2024-05-01"}).json()
    assert (found["status"], found["unit"]["code"], found["unit"]["valid_to"]) == ("resolved", "09982", "2025-06-30")
    assert found["confidence"] >= 0.9
    assert found["set_aside"] == ["thôn 3"]
    assert found["current_unit"]["code"] != "09982"  # its place on today's map, through the crosswalk
    later = api.get(url, {"address": "X. Bình Yên, H. Thạch Thất, TP Hà Nội", "as_of": "2026-05-01"}).json()
    assert later["status"] == "not_valid" and later["unit"] is None
    assert found["current_unit"]["code"] in {item["unit"]["code"] for item in later["alternatives"]}
    choice = api.get(url, {"address": "Bình Yên", "as_of": "2024-05-01"}).json()
    assert choice["status"] == "ambiguous" and len(choice["alternatives"]) >= 3
    assert api.get(url, {"address": " "}).status_code == 400
    assert api.get(url, {"address": "x" * 301}).status_code == 400
