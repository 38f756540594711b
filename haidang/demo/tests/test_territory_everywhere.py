"""Every list endpoint reads a unit filter the same way (issue 16), and refuses an impossible date.

One record of each kind is made in 2025 under the old commune Xã Kim Quan (09976, of the old Thạch Thất
district, placed in today's Xã Thạch Thất) and one in 2026 under today's Xã Thạch Thất (09955), whose
code was Thị trấn Liên Quan's on the old map. Then, on every GET operation of the API that takes a
`unit` (found in the OpenAPI document, so a new list cannot skip the rule):

- `unit=09955` (today's map) selects both: the old commune's record is placed in it;
- `unit=09976&as_of=2025-03-01` (the old map) selects the 2025 record only;
- `unit=09955&as_of=2025-03-01` is Thị trấn Liên Quan: neither;
- `unit=09976` read on today's map is a 400 naming `unit`, and so is the old unit over a period that
  runs past 30/06/2025 (records made after the reform cannot be placed in it);
- an impossible `as_of` is a 400 naming `as_of`.

And every date or period parameter of every GET operation answers an impossible value with a 400 naming it.
"""

from dataclasses import dataclass, field
from datetime import date

import pytest

from haidang.access.models import Agency, AgencyType
from haidang.cases import services as case_services
from haidang.places.models import AdministrativeUnit
from haidang.prevention import services as prevention_services
from haidang.proceedings import services as proceedings_services
from haidang.reporting import services as reporting_services
from haidang.reporting.default_forms import default_form_version

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OLD_DAY = date(2025, 3, 10)
NEW_DAY = date(2026, 3, 10)
MAP_2025 = "2025-03-01"
THACH_THAT = "09955"  # today's Xã Thạch Thất; on the old map the code of Thị trấn Liên Quan
KIM_QUAN = "09976"  # the old Xã Kim Quan, placed in today's Xã Thạch Thất


def unit(code: str, day: date) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(
        code=code, **({"valid_to__isnull": True} if day >= date(2025, 7, 1) else {"valid_to__isnull": False})
    )


def agency(name: str) -> Agency:
    return Agency.objects.get(name=name)


@dataclass
class Made:
    """The two records of each kind, by kind: (the 2025 one under Kim Quan, the 2026 one in Xã Thạch Thất)."""

    ids: dict[str, tuple[str, str]] = field(default_factory=dict)
    directive: str = ""


def _cases(users) -> tuple[str, str]:
    made = []
    for day in (OLD_DAY, NEW_DAY):
        case = case_services.create_case(
            actor=users["caseworker.hanoi"],
            person_data={"full_name": "Nạn nhân Địa bàn (minh họa)", "sex": "female", "birth_year": 2000},
            case_data={
                "intake_channel": "rescue",
                "reception_date": day,
                "unit": unit(KIM_QUAN if day == OLD_DAY else THACH_THAT, day),
                "agency": agency("Sở Y tế Thành phố Hà Nội"),
            },
        )
        made.append(str(case.pk))
    return tuple(made)


def _activities(users) -> tuple[str, str]:
    made = []
    for day in (OLD_DAY, NEW_DAY):
        activity = prevention_services.create_activity(
            actor=users["coordinator.hanoi"],
            data={
                "activity_type": "communication_session",
                "title": "Tuyên truyền tại nhà văn hóa thôn (minh họa)",
                "start_date": day,
                "unit": unit(KIM_QUAN if day == OLD_DAY else THACH_THAT, day),
                "organiser": agency("Hội Liên hiệp Phụ nữ Thành phố Hà Nội"),
                "sessions": 1,
                "participants": 40,
            },
        )
        made.append(str(activity.pk))
    return tuple(made)


def _models(users) -> tuple[str, str]:
    made = []
    for day in (OLD_DAY, NEW_DAY):
        model = prevention_services.create_prevention_model(
            actor=users["coordinator.hanoi"],
            data={
                "name": f"Mô hình cộng đồng {day.year} (minh họa)",
                "kind": "prevention",
                "unit": unit(KIM_QUAN if day == OLD_DAY else THACH_THAT, day),
                "agency": agency("Hội Liên hiệp Phụ nữ Thành phố Hà Nội"),
                "start_date": day,
                "status": "active",
            },
        )
        made.append(str(model.pk))
    return tuple(made)


def _criminal_cases(users) -> tuple[str, str]:
    made = []
    for number, day in (("1/VA", OLD_DAY), ("2/VA", NEW_DAY)):
        criminal_case = proceedings_services.create_criminal_case(
            actor=users["police.hanoi"],
            data={
                "number": number,
                "article": "150",
                "detected_on": day,
                "investigating_agency": agency("Công an Thành phố Hà Nội"),
                "unit": unit(KIM_QUAN if day == OLD_DAY else THACH_THAT, day),
                "exploitation_forms": ["forced_labour"],
            },
        )
        made.append(str(criminal_case.pk))
    return tuple(made)


def _reports(users) -> tuple[tuple[str, str], str]:
    """A 2025 directive to the old commune and a 2026 one to today's commune: their reports."""
    made, first = [], ""
    version = default_form_version()
    for number, period_id, issued_on, deadline, day in (
        ("11/UBND", "2025Q1", date(2025, 3, 1), date(2025, 4, 5), OLD_DAY),
        ("12/UBND", "2026Q1", date(2026, 3, 1), date(2026, 4, 5), NEW_DAY),
    ):
        directive = reporting_services.create_directive(
            actor=users["coordinator.hanoi"],
            number=number,
            issued_on=issued_on,
            issuing_agency=agency("Ủy ban nhân dân Thành phố Hà Nội"),
            title="Báo cáo kết quả (minh họa)",
            text="",
            form_version=version,
            period_id=period_id,
            deadline=deadline,
            activities=[],
            recipient_rules=[],
            recipients=[{"unit": unit(KIM_QUAN if day == OLD_DAY else THACH_THAT, day), "agency": None}],
        )
        (report,) = reporting_services.issue_directive(actor=users["coordinator.hanoi"], directive=directive)
        made.append(str(report.pk))
        first = first or str(directive.pk)
    return tuple(made), first


def _agencies() -> tuple[str, str]:
    old = Agency.objects.create(
        name="Ủy ban nhân dân Xã Kim Quan (minh họa)",
        agency_type=AgencyType.COMMUNE_PEOPLES_COMMITTEE,
        unit=unit(KIM_QUAN, OLD_DAY),
        is_active=False,
    )
    return str(old.pk), str(agency("Ủy ban nhân dân Xã Thạch Thất").pk)


@pytest.fixture
def made(demo_users) -> Made:
    reports, directive = _reports(demo_users)
    return Made(
        ids={
            "cases": _cases(demo_users),
            "activities": _activities(demo_users),
            "models": _models(demo_users),
            "criminal_cases": _criminal_cases(demo_users),
            "reports": reports,
            "agencies": _agencies(),
        },
        directive=directive,
    )


def _ids(body) -> set[str]:
    return {str(item["id"]) for item in body["items"]}


def _audited_cases(body) -> set[str]:
    return {item["object_id"] for item in body["items"] if item["action"] == "cases.case_created"}


@dataclass(frozen=True)
class Endpoint:
    """How to ask one list for a unit and read back which of the made records it selected."""

    user: str
    kind: str  # key of Made.ids, or "count" for an aggregate
    found: object  # body -> set of ids, or (for aggregates) body -> dict {"old": n, "new": n}
    params: dict = field(default_factory=dict)
    # Parameters that cover both records' days; and a period past the old map's end (for the 400).
    both: dict = field(default_factory=dict)
    old_only: dict = field(default_factory=dict)
    past_the_end: dict = field(default_factory=dict)


def _count(selector):
    return lambda body: selector(body)


ENDPOINTS = {
    "/api/v1/cases": Endpoint("caseworker.hanoi", "cases", _ids, past_the_end={"received_to": "2026-12-31"}),
    "/api/v1/activities": Endpoint("coordinator.hanoi", "activities", _ids, past_the_end={"date_to": "2026-12-31"}),
    "/api/v1/activities/summary": Endpoint(
        "coordinator.hanoi",
        "count",
        _count(lambda body: body["totals"]["activities"]),
        params={"group_by": "unit"},
        past_the_end={"date_from": "2025-01-01"},
    ),
    "/api/v1/prevention-models": Endpoint("coordinator.hanoi", "models", _ids),
    "/api/v1/criminal-cases": Endpoint(
        "police.hanoi", "criminal_cases", _ids, past_the_end={"detected_to": "2026-12-31"}
    ),
    "/api/v1/reports": Endpoint("coordinator.hanoi", "reports", _ids, past_the_end={"period": "2026Q1"}),
    "/api/v1/agencies": Endpoint("coordinator.hanoi", "agencies", _ids),
    "/api/v1/audit-events": Endpoint("auditor", "cases", _audited_cases, past_the_end={"since": "01/01/2026"}),
    "/api/v1/stats/query": Endpoint(
        "analyst",
        "count",
        _count(lambda body: body["total"]),
        params={"indicator": "criminal_cases_detected", "compare": "false"},
        both={"period": "2025-01-01_2026-12-31"},
        old_only={"period": "2025Q1"},
        past_the_end={"period": "2025-01-01_2026-12-31"},
    ),
    "/api/v1/directives/{directive_id}/completeness": Endpoint(
        "coordinator.hanoi", "count", _count(lambda body: body["total"]["expected"] + body["total"]["not_expected"])
    ),
    "/api/v1/consolidated": Endpoint(
        "coordinator.hanoi", "count", _count(lambda body: body["approved"] + len(body["pending"]))
    ),
}


def _operations(api_doc: dict):
    for path, methods in api_doc["paths"].items():
        operation = methods.get("get")
        if operation is not None:
            yield path, operation, [p for p in operation.get("parameters", []) if p["in"] == "query"]


@pytest.fixture(scope="module")
def api_doc():
    from config.api import api as ninja_api

    return ninja_api.get_openapi_schema()


def test_every_list_with_a_unit_filter_is_walked(api_doc):
    with_unit = {path for path, _op, query in _operations(api_doc) if any(p["name"] == "unit" for p in query)}
    assert with_unit == set(ENDPOINTS), "a list with a unit filter must follow the territory rule and be walked here"
    for path, _op, query in _operations(api_doc):
        if path in ENDPOINTS:
            assert "as_of" in {p["name"] for p in query}, f"{path} names its unit without a map date"


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_the_same_territory_rule_on_every_list(api, made, path):
    spec = ENDPOINTS[path]
    client = api(spec.user)
    url = path.replace("{directive_id}", made.directive)
    base = {**spec.params}
    if "consolidated" in path:
        base["directive"] = made.directive

    def ask(**params):
        response = client.get(url, {**base, **params})
        assert response.status_code == 200, (path, params, response.content)
        return spec.found(response.json())

    def refused(**params) -> dict:
        response = client.get(url, {**base, **params})
        assert response.status_code == 400, (path, params, response.content)
        return response.json()["error"]["fields"]

    single_directive = "directive" in path or "consolidated" in path  # the 2025 directive's reports only
    both = {**spec.both}
    old_map = {"as_of": MAP_2025, **spec.old_only}
    today_thach_that, old_kim_quan, lien_quan = (
        ask(unit=THACH_THAT, **both),
        ask(unit=KIM_QUAN, **old_map),
        ask(unit=THACH_THAT, **old_map),
    )
    if spec.kind == "count":
        expected_today = 1 if single_directive else 2
        assert (today_thach_that, old_kim_quan, lien_quan) == (expected_today, 1, 0), path
    else:
        old, new = made.ids[spec.kind]
        assert {old, new} <= today_thach_that, f"{path}: today's commune takes the old commune placed in it"
        assert old in old_kim_quan and new not in old_kim_quan, f"{path}: the old commune, on the old map"
        assert not {old, new} & lien_quan, f"{path}: 09955 on the old map was Thị trấn Liên Quan"

    # The old code read on today's map, the old unit over a period past its end, an impossible map date.
    assert "since 01/07/2025 it belongs to" in refused(unit=KIM_QUAN, **both)["unit"][0]
    if spec.past_the_end:
        problem = refused(unit=KIM_QUAN, as_of=MAP_2025, **spec.past_the_end)
        assert "records made after 30/06/2025 cannot be placed in it" in problem["unit"][0], path
    assert "as_of" in refused(unit=THACH_THAT, as_of="2025-02-30", **both)


IMPOSSIBLE = {"period": "2023-11-31_2023-12-31", "since": "31/11/2023", "until": "31/11/2023"}


def _date_params(query) -> list[str]:
    names = []
    for param in query:
        schema = param.get("schema", {})
        formats = {schema.get("format")} | {item.get("format") for item in schema.get("anyOf", [])}
        if "date" in formats or param["name"] in {"as_of", "period", "since", "until"}:
            names.append(param["name"])
    return names


def test_every_date_or_period_parameter_refuses_an_impossible_value_naming_it(api, made, api_doc):
    walked = 0
    for path, _op, query in _operations(api_doc):
        client = api(ENDPOINTS[path].user if path in ENDPOINTS else "coordinator.hanoi")
        for name in _date_params(query):
            url = path.replace("{directive_id}", made.directive).replace("{code}", "01")
            base = {"directive": made.directive} if "consolidated" in path else {}
            if path == "/api/v1/stats/query":
                base = {"indicator": "victims_received", "period": "2026"}
            response = client.get(url, {**base, name: IMPOSSIBLE.get(name, "2023-11-31")})
            assert response.status_code == 400, (path, name, response.status_code, response.content)
            assert name in response.json()["error"]["fields"], (path, name, response.content)
            walked += 1
    assert walked >= 15  # received_from/to, date_from/to (twice), detected_from/to, active_on, as_of…, period…
