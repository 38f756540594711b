"""GET /api/v1/stats/indicators and /api/v1/stats/query: shapes, errors naming the parameter, scope."""

import pytest

from haidang.statistics.tests import figures_fixture as world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

QUERY = "/api/v1/stats/query"


@pytest.fixture
def loaded(demo_users):
    return world.load(demo_users["admin"])


def error(response, status, param=None):
    assert response.status_code == status, response.content
    body = response.json()["error"]
    if param:
        assert param in body["fields"], body
    return body


def test_the_catalogue_lists_indicators_with_breakdowns(api_client, demo_users):
    response = api_client(demo_users["analyst"]).get("/api/v1/stats/indicators")
    assert response.status_code == 200
    items = {item["code"]: item for item in response.json()["items"]}
    received = items["victims_received"]
    assert received["sensitive"] and not received["additive"] and received["pending"] is None
    assert [b["code"] for b in received["breakdowns"]] == [
        "sex",
        "age_band",
        "ethnicity",
        "exploitation",
        "destination_country",
        "route",
        "origin",
    ]
    sex = received["breakdowns"][0]
    assert {"value": "female", "label": "Female"} in sex["values"]
    assert items["report_completeness"]["pending"] is None
    error(api_client(demo_users["commune.hanoi.a"]).get("/api/v1/stats/indicators"), 403)


def test_a_query_with_comparison_and_breakdowns(api_client, demo_users, loaded):
    analyst = api_client(demo_users["analyst"])
    response = analyst.get(QUERY, {"indicator": "victims_received", "period": "2026S1", "level": "1"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total"], body["previous_total"], body["change"], body["change_pct"]) == (6, 2, 4, 200.0)
    assert body["unit_code"] == "VN" and body["previous_period"]["identifier"] == "2025S1"
    haiphong = next(row for row in body["rows"] if row["unit_code"] == "31")
    assert haiphong["zero_base"] is True and haiphong["change_pct"] is None
    response = analyst.get(
        QUERY,
        {
            "indicator": "victims_received",
            "period": "2026S1",
            "unit": "01",
            "breakdowns": "sex,origin",
            "compare": "false",
        },
    )
    body = response.json()
    cells = {(r["breakdown"]["sex"], r["breakdown"]["origin"]): r["value"] for r in body["rows"] if r["value"]}
    assert cells == {("female", "in_province"): 2, ("male", "outside_province"): 1, ("female", "unknown"): 1}
    assert body["previous_total"] is None and body["labels"]["origin"]["outside_province"] == "From another province"


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"indicator": "nope", "period": "2026S1"}, "indicator"),
        ({"indicator": "", "period": "2026S1"}, "indicator"),
        ({"indicator": "victims_received", "period": "2026S3"}, "period"),
        ({"indicator": "victims_received", "period": "2023-02-30_2023-03-01"}, "period"),
        ({"indicator": "victims_received", "period": "2026", "breakdowns": "role"}, "breakdowns"),
        ({"indicator": "victims_received", "period": "2026", "level": "x"}, "level"),
        ({"indicator": "victims_received", "period": "2026", "level": "9"}, "level"),
        ({"indicator": "victims_received", "period": "2026", "compare": "maybe"}, "compare"),
    ],
)
def test_bad_parameters_answer_400_naming_them(api_client, demo_users, params, param):
    error(api_client(demo_users["analyst"]).get(QUERY, params), 400, param)


def test_scope_out_of_area_is_404_and_the_default_is_the_users_area(api_client, demo_users, loaded):
    caseworker = api_client(demo_users["caseworker.haiphong"])
    params = {"indicator": "victims_received", "period": "2026S1"}
    error(caseworker.get(QUERY, {**params, "unit": "01"}), 404)
    error(caseworker.get(QUERY, {**params, "unit": "VN"}), 404)
    # A code no unit has is a bad parameter (the map is public), like on every list.
    error(caseworker.get(QUERY, {**params, "unit": "99999"}), 400, "unit")
    own = caseworker.get(QUERY, params).json()
    assert own["unit_code"] == "31" and own["total"] == 2
    error(api_client(demo_users["commune.hanoi.a"]).get(QUERY, params), 403)
    error(api_client(None).get(QUERY, params), 401)
