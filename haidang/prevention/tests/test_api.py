"""The prevention API: campaigns, activities (filters, totals, summaries, optimistic locking), models."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
from django.utils import timezone, translation

from haidang.access.models import Agency
from haidang.places.models import AdministrativeUnit
from haidang.places.selectors import UnitLookupError, resolve_unit
from haidang.prevention.models import Activity, ActivityMaterial

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DAY = date(2026, 7, 30)  # the 30 July month of action
OLD_DAY = date(2024, 7, 30)  # before the map of 01/07/2025
HANOI_A = "09955"  # Xã Thạch Thất (in 2024 the code of Thị trấn Liên Quan)
HANOI_B = "10006"  # Xã Tây Phương
HAIPHONG_A = "11311"  # Phường Hồng Bàng
OLD_IN_A = "09958"  # Xã Đại Đồng of the old Thạch Thất district, placed in Xã Thạch Thất

HN_COMMITTEE = "Ủy ban nhân dân Thành phố Hà Nội"
HN_WOMEN = "Hội Liên hiệp Phụ nữ Thành phố Hà Nội"
HN_YOUTH = "Thành đoàn Hà Nội"
HN_A_COMMITTEE = "Ủy ban nhân dân Xã Thạch Thất"
HN_B_COMMITTEE = "Ủy ban nhân dân Xã Tây Phương"
HP_WOMEN = "Hội Liên hiệp Phụ nữ Thành phố Hải Phòng"
HP_POLICE = "Công an Thành phố Hải Phòng"
HP_A_COMMITTEE = "Ủy ban nhân dân Phường Hồng Bàng"


@pytest.fixture
def patch(client):
    def _patch(api, path, payload):
        return client.patch(path, payload, content_type="application/json", headers=api.headers)

    return _patch


def agency_id(name: str) -> str:
    return str(Agency.objects.get(name=name).pk)


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def activity_payload(**overrides) -> dict:
    payload = {
        "activity_type": "communication_session",
        "title": "Truyền thông phòng, chống mua bán người",
        "start_date": DAY.isoformat(),
        "unit": HAIPHONG_A,
        "organiser": agency_id(HP_WOMEN),
        "sessions": 2,
        "participants": 120,
        "participants_female": 70,
        "participants_male": 50,
        "target_groups": ["women", "youth"],
        "materials": [{"kind": "leaflet", "produced": 300, "distributed": 250}],
    }
    payload.update(overrides)
    return payload


def create(api, **overrides) -> dict:
    response = api.post("/api/v1/activities", activity_payload(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


# --- Authentication and roles -----------------------------------------------------------------------


def test_without_a_token_every_endpoint_answers_401(api_client, demo_users):
    anonymous = api_client(None)
    for path in (
        "/api/v1/activities",
        "/api/v1/activities/summary?group_by=unit",
        f"/api/v1/activities/{uuid4()}",
        "/api/v1/campaigns",
        "/api/v1/prevention-models",
    ):
        assert_error(anonymous.get(path), 401, "unauthenticated")
    assert_error(anonymous.post("/api/v1/activities", activity_payload()), 401, "unauthenticated")
    assert Activity.objects.count() == 0


def test_analyst_gets_summaries_but_never_the_records(api):
    created = create(api("prevention.haiphong"))
    analyst = api("analyst")
    assert_error(analyst.get("/api/v1/activities"), 403, "forbidden")
    assert_error(analyst.get(f"/api/v1/activities/{created['id']}"), 403, "forbidden")
    assert_error(analyst.get("/api/v1/campaigns"), 403, "forbidden")
    assert_error(analyst.get("/api/v1/prevention-models"), 403, "forbidden")
    assert_error(analyst.post("/api/v1/activities", activity_payload()), 403, "forbidden")
    summary = analyst.get("/api/v1/activities/summary", {"group_by": "type"})
    assert summary.status_code == 200
    body = summary.json()
    assert body["totals"]["activities"] == 1
    assert body["rows"][0]["key"] == "communication_session"
    # Filtering by an agency works without the right to see agency records.
    by_agency = analyst.get("/api/v1/activities/summary", {"group_by": "unit", "agency": agency_id(HP_WOMEN)})
    assert by_agency.json()["totals"]["activities"] == 1


# --- Create and read --------------------------------------------------------------------------------


def test_create_and_read_an_activity(api):
    officer = api("prevention.haiphong")
    body = create(
        officer,
        co_organisers=[agency_id(HP_POLICE)],
        joint_topics=["drugs"],
        cost=1500000,
        funding_source="local_budget",
        place="Nhà văn hoá tổ dân phố 3",
    )
    assert body["version"] == 1
    assert body["can_edit"] is True
    assert body["unit"] == {"code": HAIPHONG_A, "name": "Phường Hồng Bàng", "level": 3}
    assert body["organiser"]["id"] == agency_id(HP_WOMEN)
    assert [a["id"] for a in body["co_organisers"]] == [agency_id(HP_POLICE)]
    assert body["end_date"] == body["start_date"] == "2026-07-30"
    assert body["target_groups"] == ["women", "youth"]
    assert body["joint_topics"] == ["drugs"]
    assert body["cost"] == 1500000
    assert body["materials"] == [
        {"kind": "leaflet", "kind_label": "Leaflets and flyers", "produced": 300, "distributed": 250}
    ]
    assert body["language"] == "Tiếng Việt"

    read = officer.get(f"/api/v1/activities/{body['id']}")
    assert read.status_code == 200
    assert read.json() == body
    listed = officer.get("/api/v1/activities")
    assert listed.status_code == 200
    page = listed.json()
    assert set(page) == {"items", "count", "page", "page_size", "totals"}
    assert page["count"] == 1 and page["items"][0]["id"] == body["id"]


def test_unknown_and_malformed_ids_answer_without_a_server_error(api):
    officer = api("prevention.haiphong")
    assert_error(officer.get(f"/api/v1/activities/{uuid4()}"), 404, "not_found")
    assert_error(officer.get(f"/api/v1/campaigns/{uuid4()}"), 404, "not_found")
    error = assert_error(officer.get("/api/v1/activities/not-a-uuid"), 400, "invalid")
    assert "activity_id" in error["fields"]


def test_campaigns_create_read_and_list(api):
    coordinator = api("coordinator.hanoi")
    response = coordinator.post(
        "/api/v1/campaigns",
        {
            "name": "Tháng hành động phòng, chống mua bán người 2026",
            "theme": "Chung tay vì cộng đồng an toàn",
            "start_date": "2026-07-01",
            "end_date": "2026-07-31",
            "issuing_agency": agency_id(HN_COMMITTEE),
            "directive_number": "12/KH-UBND",
            "target_units": [HANOI_A, HANOI_B],
        },
    )
    assert response.status_code == 201, response.content
    campaign = response.json()
    assert campaign["issuing_unit"]["code"] == "01"
    assert {u["code"] for u in campaign["target_units"]} == {HANOI_A, HANOI_B}

    assert coordinator.get(f"/api/v1/campaigns/{campaign['id']}").json() == campaign
    # A province's campaign reaches its communes, not another province.
    assert campaign["id"] in ids(api("commune.hanoi.a").get("/api/v1/campaigns"))
    assert_error(api("prevention.haiphong").get(f"/api/v1/campaigns/{campaign['id']}"), 404, "not_found")
    assert ids(coordinator.get("/api/v1/campaigns", {"active_on": "2026-07-15"})) == {campaign["id"]}
    assert ids(coordinator.get("/api/v1/campaigns", {"active_on": "2026-08-15"})) == set()


def test_campaign_validation_names_the_field(api):
    coordinator = api("coordinator.hanoi")
    base = {
        "name": "Chiến dịch",
        "start_date": "2026-07-01",
        "end_date": "2026-07-31",
        "issuing_agency": agency_id(HN_COMMITTEE),
    }
    error = assert_error(
        coordinator.post("/api/v1/campaigns", {**base, "issuing_agency": str(uuid4())}), 400, "invalid"
    )
    assert set(error["fields"]) == {"issuing_agency"}
    error = assert_error(coordinator.post("/api/v1/campaigns", {**base, "target_units": [OLD_IN_A]}), 400, "invalid")
    assert set(error["fields"]) == {"target_units"}
    error = assert_error(coordinator.post("/api/v1/campaigns", {**base, "end_date": "2026-06-01"}), 400, "invalid")
    assert "end_date" in error["fields"]
    error = assert_error(coordinator.post("/api/v1/campaigns", {**base, "name": ""}), 400, "invalid")
    assert "name" in error["fields"]
    # Another province's agency is not one this coordinator may name.
    other = {**base, "issuing_agency": agency_id(HP_WOMEN)}
    assert "issuing_agency" in assert_error(coordinator.post("/api/v1/campaigns", other), 400, "invalid")["fields"]


# --- Validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"participants": -5}, "participants"),
        ({"sessions": -1}, "sessions"),
        ({"participants": 3_000_000_000}, "participants"),
        ({"sessions": 10, "participants": 5, "participants_female": None, "participants_male": None}, "participants"),
        ({"end_date": "2026-07-29"}, "end_date"),
        ({"organiser": str(uuid4())}, "organiser"),
        ({"organiser": "not-an-id"}, "organiser"),
        ({"co_organisers": [str(uuid4())]}, "co_organisers"),
        ({"campaign": str(uuid4())}, "campaign"),
        ({"activity_type": "picnic"}, "activity_type"),
        ({"target_groups": ["aliens"]}, "target_groups"),
        ({"funding_source": "lottery"}, "funding_source"),
        ({"title": ""}, "title"),
        ({"title": "x" * 300}, "title"),
        ({"title": "nul\x00byte"}, "title"),
        ({"unit": "99999"}, "unit"),
        ({"unit": HANOI_A}, "unit"),  # valid on the date, but outside a Hải Phòng officer's area
        ({"cost": -1}, "cost"),
        ({"cost": 10**15}, "cost"),
        ({"start_date": "30/07/2026"}, "start_date"),
        ({"materials": [{"kind": "leaflet", "produced": 1}, {"kind": "leaflet", "produced": 2}]}, "materials"),
        ({"materials": [{"kind": "leaflet", "produced": -3}]}, "materials"),
        ({"materials": [{"kind": "balloon", "produced": 3}]}, "materials"),
    ],
)
def test_bad_input_is_refused_naming_the_field(api, overrides, field):
    response = api("prevention.haiphong").post("/api/v1/activities", activity_payload(**overrides))
    error = assert_error(response, 400, "invalid")
    assert any(name == field or name.startswith(f"{field}.") for name in error["fields"]), error["fields"]
    assert Activity.objects.count() == 0


def test_missing_fields_are_named(api):
    error = assert_error(api("prevention.haiphong").post("/api/v1/activities", {}), 400, "invalid")
    assert {"activity_type", "title", "start_date", "unit", "organiser"} <= set(error["fields"])


def test_a_date_far_in_the_future_is_refused(api):
    far = (timezone.localdate() + timedelta(days=400)).isoformat()
    error = assert_error(
        api("prevention.haiphong").post("/api/v1/activities", activity_payload(start_date=far)), 400, "invalid"
    )
    assert "start_date" in error["fields"]


def test_a_unit_not_valid_on_the_date_gets_the_places_message(api):
    with pytest.raises(UnitLookupError) as lookup:
        resolve_unit(OLD_IN_A, DAY)
    response = api("commune.hanoi.a").post(
        "/api/v1/activities", activity_payload(unit=OLD_IN_A, organiser=agency_id(HN_A_COMMITTEE))
    )
    error = assert_error(response, 400, "invalid")
    assert error["fields"]["unit"] == [lookup.value.message]
    # On its own date the old commune is accepted.
    created = create(
        api("commune.hanoi.a"), unit=OLD_IN_A, organiser=agency_id(HN_A_COMMITTEE), start_date=OLD_DAY.isoformat()
    )
    assert created["unit"]["code"] == OLD_IN_A


def test_errors_name_the_field_in_vietnamese_too(api, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    with translation.override("vi"):
        error = assert_error(
            api("prevention.haiphong").post("/api/v1/activities", activity_payload(participants=-5)), 400, "invalid"
        )
    assert "participants" in error["fields"]


def test_malformed_bodies_never_cause_a_server_error(api, client):
    officer = api("prevention.haiphong")
    for body in ("{not json", "[]", '"text"', "null", '{"materials": "many"}', '{"co_organisers": [1, 2]}'):
        response = client.post("/api/v1/activities", body, content_type="application/json", headers=officer.headers)
        assert 400 <= response.status_code < 500, body


# --- Scope ------------------------------------------------------------------------------------------


def test_a_commune_sees_its_own_and_the_province_its_communes(api):
    in_a = create(api("commune.hanoi.a"), unit=HANOI_A, organiser=agency_id(HN_A_COMMITTEE))
    in_b = create(api("commune.hanoi.b"), unit=HANOI_B, organiser=agency_id(HN_B_COMMITTEE))

    assert_error(api("commune.hanoi.a").get(f"/api/v1/activities/{in_b['id']}"), 404, "not_found")
    assert ids(api("commune.hanoi.a").get("/api/v1/activities")) == {in_a["id"]}
    assert ids(api("commune.hanoi.b").get("/api/v1/activities")) == {in_b["id"]}

    coordinator = api("coordinator.hanoi")
    for activity in (in_a, in_b):
        read = coordinator.get(f"/api/v1/activities/{activity['id']}")
        assert read.status_code == 200
        assert read.json()["can_edit"] is True  # a coordinator over the unit may correct it
    assert ids(coordinator.get("/api/v1/activities")) == {in_a["id"], in_b["id"]}
    assert_error(api("coordinator.haiphong").get(f"/api/v1/activities/{in_a['id']}"), 404, "not_found")
    # A unit outside one's area is refused on entry, naming the unit.
    error = assert_error(
        api("commune.hanoi.a").post(
            "/api/v1/activities", activity_payload(unit=HANOI_B, organiser=agency_id(HN_A_COMMITTEE))
        ),
        400,
        "invalid",
    )
    assert "unit" in error["fields"]


# --- Filters and totals -----------------------------------------------------------------------------


@pytest.fixture
def hanoi_activities(api):
    """Four Hà Nội activities: a joint one in a campaign, a June one, a 2024 one in an old commune, a rally."""
    coordinator = api("coordinator.hanoi")
    campaign = coordinator.post(
        "/api/v1/campaigns",
        {
            "name": "Tháng hành động 2026",
            "start_date": "2026-07-01",
            "end_date": "2026-07-31",
            "issuing_agency": agency_id(HN_COMMITTEE),
        },
    ).json()
    joint = create(
        coordinator,
        activity_type="talk",
        unit=HANOI_A,
        organiser=agency_id(HN_COMMITTEE),
        co_organisers=[agency_id(HN_WOMEN)],
        campaign=campaign["id"],
        target_groups=["students"],
        participants=100,
        participants_female=None,
        participants_male=None,
        sessions=1,
        materials=[{"kind": "leaflet", "produced": 200, "distributed": 150}],
    )
    june = create(
        coordinator,
        activity_type="loudspeaker",
        unit=HANOI_B,
        organiser=agency_id(HN_YOUTH),
        start_date="2026-06-10",
        end_date="2026-06-12",
        target_groups=["women"],
        participants=None,
        participants_female=None,
        participants_male=None,
        sessions=None,
        broadcast_minutes=45,
        materials=[],
    )
    old = create(
        coordinator,
        activity_type="talk",
        unit=OLD_IN_A,
        organiser=agency_id(HN_A_COMMITTEE),
        start_date=OLD_DAY.isoformat(),
        target_groups=["youth"],
        participants=40,
        participants_female=None,
        participants_male=None,
        sessions=1,
        materials=[{"kind": "leaflet", "produced": 10, "distributed": 10}],
    )
    rally = create(
        coordinator,
        activity_type="parade",
        unit=HANOI_B,
        organiser=agency_id(HN_WOMEN),
        target_groups=["youth"],
        participants=60,
        participants_female=None,
        participants_male=None,
        sessions=1,
        materials=[],
    )
    return {"campaign": campaign, "joint": joint, "june": june, "old": old, "rally": rally}


def test_list_filters(api, hanoi_activities):
    a = {name: value["id"] for name, value in hanoi_activities.items()}
    coordinator = api("coordinator.hanoi")

    def listed(**params):
        return ids(coordinator.get("/api/v1/activities", params))

    assert listed() == {a["joint"], a["june"], a["old"], a["rally"]}
    assert listed(campaign=a["campaign"]) == {a["joint"]}
    assert listed(date_from="2026-07-01") == {a["joint"], a["rally"]}
    assert listed(date_to="2026-06-30") == {a["june"], a["old"]}
    assert listed(date_from="2026-06-11", date_to="2026-06-30") == {a["june"]}  # overlaps the period
    assert listed(unit=HANOI_A) == {a["joint"], a["old"]}  # the old commune is placed in Xã Thạch Thất
    assert listed(unit=HANOI_B) == {a["june"], a["rally"]}
    assert listed(unit="01") == {a["joint"], a["june"], a["old"], a["rally"]}
    # An old unit is named on the map of its own day (as_of), and selects only what was made under it.
    assert listed(unit=OLD_IN_A, as_of="2024-12-31", date_to="2024-12-31") == {a["old"]}
    assert listed(unit=OLD_IN_A, as_of="2024-12-31") == {a["old"]}
    assert listed(agency=agency_id(HN_WOMEN)) == {a["joint"], a["rally"]}  # co-organiser or organiser
    assert listed(agency=agency_id(HN_COMMITTEE)) == {a["joint"]}
    assert listed(activity_type="talk") == {a["joint"], a["old"]}
    assert listed(target_group="youth") == {a["old"], a["rally"]}
    assert listed(activity_type="talk", target_group="youth", unit=HANOI_A) == {a["old"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"unit": "99999"}, "unit"),
        ({"unit": OLD_IN_A}, "unit"),  # an old code read as of today
        ({"unit": OLD_IN_A, "as_of": "2024-12-31", "date_to": "2026-12-31"}, "unit"),  # past the old unit's end
        ({"as_of": "2024-11-31"}, "as_of"),
        ({"date_to": "31/11/2024"}, "date_to"),
        ({"activity_type": "picnic"}, "activity_type"),
        ({"target_group": "aliens"}, "target_group"),
        ({"date_from": "2026-07-31", "date_to": "2026-07-01"}, "date_to"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"campaign": str(uuid4())}, "campaign"),
        ({"agency": str(uuid4())}, "agency"),
        ({"page": 0}, "page"),
        ({"page_size": 10_000}, "page_size"),
        ({"unit": "0\x001"}, "unit"),
    ],
)
def test_bad_filters_are_refused_naming_the_filter(api, params, field):
    error = assert_error(api("coordinator.hanoi").get("/api/v1/activities", params), 400, "invalid")
    assert field in error["fields"], error["fields"]


def test_totals_count_a_joint_activity_once(api, hanoi_activities):
    response = api("coordinator.hanoi").get("/api/v1/activities", {"date_from": "2026-07-01", "page_size": 1})
    body = response.json()
    assert body["count"] == 2 and len(body["items"]) == 1  # totals cover every page
    totals = body["totals"]
    assert totals["activities"] == 2
    assert totals["participants"] == 160
    assert totals["sessions"] == 2
    assert totals["materials"]["leaflet"] == {"produced": 200, "distributed": 150}
    # Filtering by an agency that is co-organiser does not double the joint activity either.
    women = api("coordinator.hanoi").get("/api/v1/activities", {"agency": agency_id(HN_WOMEN)}).json()
    assert women["count"] == 2 and women["totals"]["activities"] == 2 and women["totals"]["participants"] == 160


# --- Summaries --------------------------------------------------------------------------------------


def test_summary_by_agency_credits_each_organiser(api, hanoi_activities):
    body = api("coordinator.hanoi").get("/api/v1/activities/summary", {"group_by": "agency"}).json()
    rows = {row["key"]: row for row in body["rows"]}
    assert rows[agency_id(HN_COMMITTEE)]["activities"] == 1
    assert rows[agency_id(HN_COMMITTEE)]["participants"] == 100
    assert rows[agency_id(HN_WOMEN)]["activities"] == 2  # co-organiser of the joint one, organiser of the rally
    assert rows[agency_id(HN_WOMEN)]["participants"] == 160
    assert rows[agency_id(HN_WOMEN)]["label"] == HN_WOMEN
    assert body["totals"]["activities"] == 4  # the joint activity once
    assert sum(row["activities"] for row in body["rows"]) == 5


def test_summary_by_unit_rolls_communes_and_old_units_up(api, hanoi_activities):
    create(api("prevention.haiphong"))
    analyst = api("analyst")
    provinces = analyst.get("/api/v1/activities/summary", {"group_by": "unit"}).json()
    assert provinces["group_by"] == "unit" and provinces["level"] == 1
    by_province = {row["key"]: row["activities"] for row in provinces["rows"]}
    assert by_province == {"01": 4, "31": 1}
    assert provinces["totals"]["activities"] == 5

    communes = analyst.get("/api/v1/activities/summary", {"group_by": "unit", "level": 3}).json()
    by_commune = {row["key"]: row["activities"] for row in communes["rows"]}
    assert by_commune == {HANOI_A: 2, HANOI_B: 2, HAIPHONG_A: 1}  # the 2024 activity counts in Xã Thạch Thất
    labels = {row["key"]: row["label"] for row in communes["rows"]}
    assert labels[HANOI_A] == "Xã Thạch Thất"

    # A province coordinator's summary stays in the province.
    own = api("coordinator.hanoi").get("/api/v1/activities/summary", {"group_by": "unit"}).json()
    assert {row["key"] for row in own["rows"]} == {"01"}
    # The same filters apply to summaries.
    july = analyst.get(
        "/api/v1/activities/summary", {"group_by": "unit", "level": 3, "date_from": "2026-07-01", "unit": "01"}
    ).json()
    assert {row["key"]: row["activities"] for row in july["rows"]} == {HANOI_A: 1, HANOI_B: 1}


def test_summary_by_campaign_type_and_period(api, hanoi_activities):
    coordinator = api("coordinator.hanoi")

    def summary(**params):
        response = coordinator.get("/api/v1/activities/summary", params)
        assert response.status_code == 200, response.content
        return {row["key"]: row["activities"] for row in response.json()["rows"]}

    assert summary(group_by="campaign") == {hanoi_activities["campaign"]["id"]: 1, "": 3}
    assert summary(group_by="type") == {"talk": 2, "loudspeaker": 1, "parade": 1}
    assert summary(group_by="month") == {"2024-07": 1, "2026-06": 1, "2026-07": 2}
    assert summary(group_by="quarter") == {"2024-Q3": 1, "2026-Q2": 1, "2026-Q3": 2}
    assert summary(group_by="year") == {"2024": 1, "2026": 3}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "group_by"),
        ({"group_by": "colour"}, "group_by"),
        ({"group_by": "unit", "level": 2}, "level"),
        ({"group_by": "unit", "level": "x"}, "level"),
        ({"group_by": "unit", "unit": "99999"}, "unit"),
    ],
)
def test_bad_summary_parameters_name_the_parameter(api, params, field):
    error = assert_error(api("analyst").get("/api/v1/activities/summary", params), 400, "invalid")
    assert field in error["fields"], error["fields"]


# --- Updates with optimistic locking ---------------------------------------------------------------


def test_update_with_the_right_version_bumps_it_and_a_stale_one_is_refused(api, patch):
    officer = api("prevention.haiphong")
    created = create(officer)
    path = f"/api/v1/activities/{created['id']}"

    first = patch(officer, path, {"version": 1, "participants": 150, "participants_female": 90})
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 2
    assert first.json()["participants"] == 150
    assert first.json()["title"] == created["title"]  # fields not sent stay as they were

    stale = patch(officer, path, {"version": 1, "participants": 10, "title": "Lost update"})
    error = assert_error(stale, 409, "conflict")
    assert error["fields"]["current_version"] == ["2"]
    assert "2" in error["message"]
    stored = officer.get(path).json()
    assert stored["version"] == 2
    assert stored["participants"] == 150
    assert stored["title"] == created["title"]


def test_update_replaces_lists_and_names_bad_fields(api, patch):
    officer = api("prevention.haiphong")
    created = create(officer)
    path = f"/api/v1/activities/{created['id']}"
    response = patch(
        officer,
        path,
        {
            "version": 1,
            "co_organisers": [agency_id(HP_POLICE)],
            "materials": [{"kind": "poster", "produced": 20, "distributed": 20}],
            "target_groups": ["students"],
            "unit": "31",
            "campaign": None,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [a["id"] for a in body["co_organisers"]] == [agency_id(HP_POLICE)]
    assert [m["kind"] for m in body["materials"]] == ["poster"]
    assert body["target_groups"] == ["students"]
    assert body["unit"]["code"] == "31"
    assert ActivityMaterial.objects.filter(activity_id=created["id"]).count() == 1

    for payload, field in (
        ({"version": 2, "participants": -1}, "participants"),
        ({"version": 2, "end_date": "2026-07-01"}, "end_date"),
        ({"version": 2, "unit": OLD_IN_A}, "unit"),
        ({"version": 2, "organiser": str(uuid4())}, "organiser"),
        ({"version": 2, "title": None}, "title"),
        ({"version": 2, "title": ""}, "title"),
        ({"version": 2, "activity_type": None}, "activity_type"),
        ({"participants": 5}, "version"),
    ):
        error = assert_error(patch(officer, path, payload), 400, "invalid")
        assert field in error["fields"], (payload, error["fields"])
    assert officer.get(path).json()["version"] == 2


def test_who_may_see_but_not_edit_gets_403_and_others_404(api, patch):
    created = create(api("prevention.haiphong"))  # organised by the Women's Union in Phường Hồng Bàng
    path = f"/api/v1/activities/{created['id']}"
    commune = api("commune.haiphong.a")
    read = commune.get(path)
    assert read.status_code == 200 and read.json()["can_edit"] is False
    assert_error(patch(commune, path, {"version": 1, "participants": 1}), 403, "forbidden")
    assert_error(patch(api("coordinator.hanoi"), path, {"version": 1, "participants": 1}), 404, "not_found")
    assert_error(patch(api("analyst"), path, {"version": 1, "participants": 1}), 403, "forbidden")
    assert Activity.objects.get(pk=created["id"]).participants == 120


# --- Prevention and reintegration models ------------------------------------------------------------


def test_prevention_models_create_list_and_filter(api):
    officer = api("prevention.haiphong")
    payload = {
        "name": "Câu lạc bộ phòng, chống mua bán người phường Hồng Bàng",
        "unit": HAIPHONG_A,
        "agency": agency_id(HP_WOMEN),
        "start_date": "2025-09-01",
        "beneficiaries": 35,
    }
    response = officer.post("/api/v1/prevention-models", payload)
    assert response.status_code == 201, response.content
    model = response.json()
    assert model["kind"] == "prevention" and model["status"] == "active"
    assert model["unit"]["code"] == HAIPHONG_A
    ended = officer.post(
        "/api/v1/prevention-models",
        {**payload, "name": "Mô hình tái hoà nhập", "kind": "reintegration", "status": "ended", "unit": "31"},
    ).json()

    def listed(**params):
        return ids(officer.get("/api/v1/prevention-models", params))

    assert listed() == {model["id"], ended["id"]}
    assert listed(unit=HAIPHONG_A) == {model["id"]}
    assert listed(status="ended") == {ended["id"]}
    assert listed(kind="prevention") == {model["id"]}
    assert ids(api("coordinator.hanoi").get("/api/v1/prevention-models")) == set()

    for overrides, field in (
        ({"unit": "99999"}, "unit"),
        ({"agency": str(uuid4())}, "agency"),
        ({"beneficiaries": -1}, "beneficiaries"),
        ({"status": "dormant"}, "status"),
        ({"name": ""}, "name"),
    ):
        error = assert_error(officer.post("/api/v1/prevention-models", {**payload, **overrides}), 400, "invalid")
        assert field in error["fields"], (overrides, error["fields"])
    error = assert_error(officer.get("/api/v1/prevention-models", {"status": "dormant"}), 400, "invalid")
    assert "status" in error["fields"]


def test_the_openapi_document_lists_the_prevention_endpoints(api):
    response = api("prevention.haiphong").get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/activities"])
    assert {"get", "patch"} <= set(paths["/api/v1/activities/{activity_id}"])
    assert "get" in paths["/api/v1/activities/summary"]
    assert {"get", "post"} <= set(paths["/api/v1/campaigns"])
    assert {"get", "post"} <= set(paths["/api/v1/prevention-models"])
    assert AdministrativeUnit.objects.filter(code=HAIPHONG_A, valid_to__isnull=True).exists()


def test_the_list_reads_a_fixed_number_of_queries(api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer = api("prevention.haiphong")

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert officer.get("/api/v1/activities").status_code == 200
        return len(captured)

    create(officer, co_organisers=[agency_id(HP_POLICE)])
    one = queries_for_list()
    for _ in range(4):
        create(officer, co_organisers=[agency_id(HP_POLICE)])
    assert queries_for_list() == one
