"""/api/v1/criminal-cases: list with filters, create, read, PATCH with version (409), suspects, links."""

from datetime import date
from uuid import uuid4

import pytest

from haidang.cases import services as case_services
from haidang.proceedings.tests.conftest import agency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/api/v1/criminal-cases"


@pytest.fixture
def api(api, people):
    """The root `api`, with this module's extra investigators made first."""
    return api


@pytest.fixture
def send(client):
    def _send(method, api, path, payload=None):
        return getattr(client, method)(path, payload or {}, content_type="application/json", headers=api.headers)

    return _send


def payload(**overrides) -> dict:
    data = {
        "number": "15/VA-CSHS",
        "article": "151",
        "detected_on": "2026-02-03",
        "prosecution_opened_on": "2026-02-10",
        "investigating_agency": str(agency("Công an Thành phố Hà Nội").pk),
        "unit": "01",
        "route": "vn_cn",
        "destination_country": "chn",
        "exploitation_forms": ["forced_marriage"],
    }
    data.update(overrides)
    return data


def error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["code"] == code
    return body


def test_create_read_and_list_with_filters(api):
    police = api("police.hanoi")
    created = police.post(URL, payload())
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["article"] == "151" and body["destination_country"] == "CHN" and body["version"] == 1
    assert body["unit"] == {"code": "01", "name": "Thành phố Hà Nội", "level": 1, "current": True, "placed_in": "01"}
    old = police.post(
        URL, payload(number="2/VA", article="150", detected_on="2024-06-01", prosecution_opened_on=None, unit="09958")
    )
    assert old.status_code == 201, old.content
    assert old.json()["unit"]["current"] is False and old.json()["unit"]["placed_in"] == "09955"

    listed = police.get(URL).json()
    assert listed["count"] == 2 and [item["number"] for item in listed["items"]] == ["15/VA-CSHS", "2/VA"]
    assert police.get(URL, {"prosecuted": "false"}).json()["count"] == 1
    assert police.get(URL, {"article": "151"}).json()["count"] == 1
    # Today's commune finds the 2024 case recorded under its old commune.
    assert [item["number"] for item in police.get(URL, {"unit": "09955"}).json()["items"]] == ["2/VA"]
    assert police.get(URL, {"detected_from": "2025-01-01"}).json()["count"] == 1
    bad = error(police.get(URL, {"unit": "99999"}), 400, "invalid")
    assert "unit" in bad["fields"]
    assert police.get(f"{URL}/{body['id']}").json()["number"] == "15/VA-CSHS"


def test_validation_names_the_field(api):
    police = api("police.hanoi")
    body = error(police.post(URL, payload(article="152", unit="01", detected_on="2026-02-31")), 400, "invalid")
    assert {"article", "detected_on"} <= set(body["fields"])
    body = error(police.post(URL, payload(prosecution_opened_on="2026-01-01")), 400, "invalid")
    assert "before the date detected" in body["fields"]["prosecution_opened_on"][0]
    body = error(police.post(URL, payload(investigating_agency=str(uuid4()))), 400, "invalid")
    assert body["fields"]["investigating_agency"] == ["Not found."]


def test_roles_and_scope(api):
    police = api("police.hanoi")
    created = police.post(URL, payload()).json()
    error(api("analyst").get(URL), 403, "forbidden")
    error(api("coordinator.hanoi").get(f"{URL}/{created['id']}"), 403, "forbidden")
    error(api("police.haiphong.test").get(f"{URL}/{created['id']}"), 404, "not_found")
    assert api("police.haiphong.test").get(URL).json()["count"] == 0
    error(police.get(f"{URL}/{uuid4()}"), 404, "not_found")


def test_patch_with_a_stale_version_is_a_conflict(api, send):
    police = api("police.hanoi")
    created = police.post(URL, payload(prosecution_opened_on=None)).json()
    path = f"{URL}/{created['id']}"
    first = send("patch", police, path, {"version": 1, "prosecution_opened_on": "2026-02-20"})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = error(send("patch", police, path, {"version": 1, "article": "150"}), 409, "conflict")
    assert stale["fields"]["current_version"] == ["2"]
    assert police.get(path).json()["article"] == "151"
    body = error(send("patch", police, path, {"version": 2, "number": None}), 400, "invalid")
    assert "number" in body["fields"]


def test_suspects_and_linked_victims(api, send, people, units):
    police = api("police.hanoi")
    created = police.post(URL, payload()).json()
    path = f"{URL}/{created['id']}"
    added = police.post(
        f"{path}/suspects",
        {
            "full_name": "Đối tượng C",
            "role": "transporter",
            "sex": "female",
            "birth_year": 1990,
            "prosecuted_on": "2026-02-12",
        },
    )
    assert added.status_code == 201, added.content
    suspect = added.json()
    assert suspect["full_name"] == "Đối tượng C" and suspect["age_band"] == "18_plus" and suspect["identities_shown"]
    bad = error(police.post(f"{path}/suspects", {"full_name": "X", "role": "boss"}), 400, "invalid")
    assert "role" in bad["fields"]
    assert suspect["version"] == 1
    changed = send("patch", police, f"{path}/suspects/{suspect['id']}", {"version": 1, "nationality": "chn"})
    assert changed.status_code == 200 and changed.json()["nationality"] == "CHN" and changed.json()["version"] == 2
    stale = error(
        send("patch", police, f"{path}/suspects/{suspect['id']}", {"version": 1, "sex": "male"}), 409, "conflict"
    )
    assert stale["fields"]["current_version"] == ["2"]
    assert police.get(f"{path}/suspects").json()["items"][0]["sex"] == "female"
    assert (
        "version"
        in error(send("patch", police, f"{path}/suspects/{suspect['id']}", {"sex": "male"}), 400, "invalid")["fields"]
    )
    assert police.get(f"{path}/suspects").json()["count"] == 1

    victim = case_services.create_case(
        actor=people["caseworker.haiphong"],
        person_data={"full_name": "Nạn nhân Tổng hợp", "sex": "female", "birth_year": 2012},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2026, 2, 1),
            "unit": units["haiphong"],
            "agency": agency("Sở Y tế Thành phố Hải Phòng"),
        },
    )
    refused = error(police.post(f"{path}/victims", {"case_number": victim.number}), 400, "invalid")
    assert "case_number" in refused["fields"]
    # The Hải Phòng investigator may link their own province's victim only to cases they can see: not this one.
    error(api("police.haiphong.test").post(f"{path}/victims", {"case_number": victim.number}), 404, "not_found")
    hanoi_victim = case_services.create_case(
        actor=people["caseworker.hanoi"],
        person_data={"full_name": "Nạn nhân Tổng hợp", "sex": "female", "birth_year": 2012},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2026, 2, 1),
            "unit": units["hanoi"],
            "agency": agency("Sở Y tế Thành phố Hà Nội"),
        },
    )
    linked = police.post(f"{path}/victims", {"case_number": hanoi_victim.number})
    assert linked.status_code == 200 and [v["number"] for v in linked.json()["victims"]] == [hanoi_victim.number]
    unlinked = send("delete", police, f"{path}/victims/{hanoi_victim.number}")
    assert unlinked.status_code == 200 and unlinked.json()["victims"] == []
