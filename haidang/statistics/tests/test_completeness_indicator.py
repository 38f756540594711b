"""Report completeness in the query service: reports due, submitted, on time, late and missing,
counted independently in plain Python from reports written in the test, and equal to what the
reporting app's own completeness view says for the same directive."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haidang.access.models import Agency
from haidang.places.models import AdministrativeUnit
from haidang.reporting.default_forms import default_form_version
from haidang.reporting.models import Directive, Report
from haidang.reporting.periods import parse
from haidang.reporting.selectors import completeness
from haidang.statistics.catalogue import available_indicators, get_indicator
from haidang.statistics.query import OutOfScopeError, run_query
from haidang.statistics.tests.figures_fixture import PLACES, load_units

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
INDICATORS = ("reports_expected", "report_completeness", "reports_on_time")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


@dataclass
class D:
    key: str
    issuer: str
    period_id: str
    deadline: date
    status: str = "issued"


@dataclass
class R:
    directive: str
    unit: str
    status: str = "not_started"
    submitted: datetime | None = None
    own_agency: bool = False  # a department of the unit reports (not the unit's committee)


DIRECTIVES = [
    D("hn2026", "hanoi", "2026Q3", date(2026, 10, 5)),
    D("hp2026", "haiphong", "2026Q3", date(2026, 10, 10)),
    D("cancelled", "hanoi", "2026Q3", date(2026, 10, 5), status="cancelled"),
    D("hn2025", "hanoi", "2025-01-01_2025-12-31", date(2025, 12, 20)),
    D("hn2024", "hanoi", "2024-01-01_2024-12-31", date(2024, 12, 20)),
]

REPORTS = [
    # Last minutes of the deadline day, Hà Nội time: on time.
    R("hn2026", "thach_that", "submitted", at(date(2026, 10, 5), 23, 50)),
    # Half an hour past midnight in Hà Nội (still the deadline day in UTC): late.
    R("hn2026", "tay_phuong", "approved", at(date(2026, 10, 6), 0, 30)),
    R("hn2026", "hanoi", "locked", at(date(2026, 10, 1)), own_agency=True),
    R("hp2026", "hong_bang", "draft"),
    R("hp2026", "haiphong", "returned", own_agency=True),
    # A cancelled directive asks for nothing.
    R("cancelled", "thach_that"),
    # 2025: the old commune ended on 30/06/2025, before the deadline: not expected.
    R("hn2025", "old_commune", "submitted", at(date(2025, 12, 1))),
    R("hn2025", "thach_that", "submitted", at(date(2025, 12, 22))),
    R("hn2025", "tay_phuong", "submitted", at(date(2025, 12, 19))),
    # 2024: the old commune existed then; it counts in its successor, Xã Thạch Thất.
    R("hn2024", "old_commune", "approved", at(date(2024, 12, 20), 9)),
]


def load(user) -> dict:
    units = load_units()
    form_version = default_form_version()
    agencies = {
        key: Agency.objects.filter(unit=units[key]).order_by("name").first()
        or Agency.objects.create(name=f"Sở thử nghiệm {key}", agency_type="health_department", unit=units[key])
        for key in ("hanoi", "haiphong")
    }
    directives = {}
    for d in DIRECTIVES:
        period = parse(d.period_id)
        directives[d.key] = Directive.objects.create(
            number=f"{d.key}/UBND",
            issued_on=period.start,
            issuing_unit=units[d.issuer],
            issuing_agency=agencies[d.issuer],
            title="Báo cáo kết quả phòng, chống mua bán người",
            form_version=form_version,
            period_id=d.period_id,
            period_start=period.start,
            period_end=period.end,
            deadline=d.deadline,
            status=d.status,
            created_by=user,
        )
    for r in REPORTS:
        agency = agencies[r.unit] if r.own_agency else None
        add_report(directives[r.directive], units[r.unit], agency, status=r.status, submitted_at=r.submitted)
    return {"units": units, "directives": directives}


def add_report(directive: Directive, unit, agency=None, **fields) -> Report:
    return Report.objects.create(
        directive=directive,
        form_version=directive.form_version,
        unit=unit,
        agency=agency,
        period_id=directive.period_id,
        period_start=directive.period_start,
        period_end=directive.period_end,
        deadline=directive.deadline,
        **fields,
    )


# --- Counting in plain Python ------------------------------------------------------------------


def _timeliness(r: R, deadline: date) -> str:
    if r.status not in ("submitted", "approved", "locked"):
        return "missing"
    return "on_time" if r.submitted.astimezone(VN).date() <= deadline else "late"


def expected(indicator: str, start: date, end: date, units: dict, *, level=None, province=None, breakdown=None):
    """{(unit code or None, timeliness or None): count}, non-zero only."""
    directives = {d.key: d for d in DIRECTIVES}
    counted: dict = defaultdict(int)
    for r in REPORTS:
        d = directives[r.directive]
        unit = units[r.unit]
        exists = (unit.valid_from is None or unit.valid_from <= d.deadline) and (
            unit.valid_to is None or d.deadline <= unit.valid_to
        )
        if d.status != "issued" or not exists or not start <= d.deadline <= end:
            continue
        province_code, commune_code = PLACES[r.unit]
        if province is not None and province_code != province:
            continue
        timeliness = _timeliness(r, d.deadline)
        if indicator == "report_completeness" and timeliness == "missing":
            continue
        if indicator == "reports_on_time" and timeliness != "on_time":
            continue
        group = None if level is None else province_code if level == 1 else commune_code
        counted[(group, timeliness if breakdown else None)] += 1
    return dict(counted)


def figures(result, *, by_unit: bool, breakdown: str | None = None, previous: bool = False) -> dict:
    out = {}
    for row in result.rows:
        value = row.previous if previous else row.value
        if value:
            out[(row.unit_code if by_unit else None, row.breakdown.get(breakdown) if breakdown else None)] = value
    return out


@pytest.fixture
def world(demo_users):
    return load(demo_users["admin"])


# --- The figures ------------------------------------------------------------------------------------


@pytest.mark.parametrize("indicator", INDICATORS)
@pytest.mark.parametrize("period_id", ["2026Q4", "2026S2", "2025", "2024"])
def test_figures_match_plain_counting(world, demo_users, indicator, period_id):
    analyst, units = demo_users["analyst"], world["units"]
    period = parse(period_id)
    previous = parse(str(int(period_id[:4]) - 1) + period_id[4:])
    for breakdown in (None, *get_indicator(indicator).breakdowns):
        breakdowns = [breakdown] if breakdown else []
        result = run_query(analyst, indicator, period, None, 1, breakdowns)
        assert figures(result, by_unit=True, breakdown=breakdown) == expected(
            indicator, period.start, period.end, units, level=1, breakdown=breakdown
        )
        assert figures(result, by_unit=True, breakdown=breakdown, previous=True) == expected(
            indicator, previous.start, previous.end, units, level=1, breakdown=breakdown
        )
        assert result.total == sum(expected(indicator, period.start, period.end, units).values())
        result = run_query(analyst, indicator, period, units["hanoi"], 3, breakdowns)
        assert figures(result, by_unit=True, breakdown=breakdown) == expected(
            indicator, period.start, period.end, units, level=3, province="01", breakdown=breakdown
        )


def test_the_headline_figures_of_the_2026_reporting_season(world, demo_users):
    analyst = demo_users["analyst"]
    q4 = parse("2026Q4")
    result = run_query(analyst, "reports_expected", q4, None, 1, ["timeliness"], compare=False)
    by_province = {(r.unit_code, r.breakdown["timeliness"]): r.value for r in result.rows if r.value}
    # Hà Nội: on time (commune, deadline-day evening; the department), late (after midnight); the
    # cancelled directive adds nothing. Hải Phòng: both still missing.
    assert by_province == {("01", "on_time"): 2, ("01", "late"): 1, ("31", "missing"): 2}
    assert result.indicator.sensitive is False
    assert run_query(analyst, "report_completeness", q4).total == 3
    assert run_query(analyst, "reports_on_time", q4).total == 2
    # The timeliness rows add up to the reports due.
    assert sum(r.value for r in result.rows) == result.total == 5


def test_a_dissolved_unit_is_not_expected_and_old_reports_count_in_the_successor(world, demo_users):
    coordinator, units = demo_users["coordinator.hanoi"], world["units"]
    result = run_query(coordinator, "report_completeness", parse("2025"), units["hanoi"], 3)
    rows = {r.unit_code: r for r in result.rows if r.value or r.previous}
    # 2025: the old commune's report (unit gone by the deadline) is not counted; Thạch Thất's late
    # one is. 2024: the old commune's report counts in its successor, Thạch Thất.
    assert (rows["09955"].value, rows["09955"].previous) == (1, 1)
    assert (rows["10006"].value, rows["10006"].previous) == (1, 0) and rows["10006"].zero_base
    assert (result.total, result.previous_total, result.change, result.change_pct) == (2, 1, 1, 100.0)
    due = run_query(coordinator, "reports_expected", parse("2025"), units["hanoi"])
    assert due.total == 2  # never more submitted than due


@pytest.mark.parametrize(("key", "period_id"), [("hn2026", "2026Q4"), ("hn2025", "2025")])
def test_agrees_with_the_reporting_completeness_view(world, demo_users, key, period_id):
    coordinator, units = demo_users["coordinator.hanoi"], world["units"]
    directive = world["directives"][key]
    view = completeness(coordinator, directive, units["hanoi"], today=date(2027, 1, 1))
    period = parse(period_id)
    by_timeliness = run_query(coordinator, "reports_expected", period, units["hanoi"], None, ["timeliness"])
    counts = {r.breakdown["timeliness"]: r.value for r in by_timeliness.rows}
    total = view.total
    assert (by_timeliness.total, counts["on_time"], counts["late"], counts["missing"]) == (
        total.expected,
        total.on_time,
        total.late,
        total.missing,
    )
    assert run_query(coordinator, "report_completeness", period, units["hanoi"]).total == total.submitted
    # Commune by commune too.
    by_commune = run_query(coordinator, "report_completeness", period, units["hanoi"], 3)
    mine = {r.unit_code: r.value for r in by_commune.rows if r.value}
    theirs = {(row.unit.code if row.unit != units["hanoi"] else ""): row.submitted for row in view.rows}
    assert mine == {code: n for code, n in theirs.items() if n}


def test_scope_and_a_fixed_number_of_queries(world, demo_users):
    units, q4 = world["units"], parse("2026Q4")
    haiphong = demo_users["coordinator.haiphong"]
    assert run_query(haiphong, "reports_expected", q4, units["haiphong"]).total == 2
    with pytest.raises(OutOfScopeError):
        run_query(haiphong, "reports_expected", q4, units["hanoi"])
    with pytest.raises(OutOfScopeError):
        run_query(haiphong, "reports_expected", q4, None)
    with pytest.raises(OutOfScopeError):
        run_query(demo_users["commune.hanoi.a"], "report_completeness", q4, units["thach_that"])

    analyst = demo_users["analyst"]
    run_query(analyst, "reports_expected", q4)  # the user's scope is read once and kept
    with CaptureQueriesContext(connection) as before:
        run_query(analyst, "reports_expected", q4, None, 1, ["timeliness"])
    # Many more reports due in the same season: the same number of queries.
    directive = world["directives"]["hn2026"]
    communes = AdministrativeUnit.objects.filter(parent=units["hanoi"], valid_to__isnull=True).exclude(
        pk__in=[units["thach_that"].pk, units["tay_phuong"].pk]
    )[:30]
    for commune in communes:
        add_report(directive, commune)
    with CaptureQueriesContext(connection) as after:
        result = run_query(analyst, "reports_expected", q4, None, 1, ["timeliness"])
    assert len(after.captured_queries) == len(before.captured_queries)
    assert result.total == 5 + len(communes)


# --- API and pages ------------------------------------------------------------------------------------


def test_the_api_lists_and_answers_the_indicator(api_client, demo_users, world, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    api = api_client(demo_users["analyst"])
    items = {item["code"]: item for item in api.get("/api/v1/stats/indicators").json()["items"]}
    for code in INDICATORS:
        assert items[code]["pending"] is None and items[code]["sensitive"] is False
    assert [b["code"] for b in items["reports_expected"]["breakdowns"]] == ["timeliness"]
    assert {i.code for i in available_indicators()} >= set(INDICATORS)

    response = api.get(
        "/api/v1/stats/query",
        {"indicator": "reports_expected", "period": "2026Q4", "level": "1", "breakdowns": "timeliness"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 5 and body["previous_total"] == 2  # 2025Q4: the 2025 directive
    found = {(row["unit_code"], row["breakdown"]["timeliness"]): row["value"] for row in body["rows"] if row["value"]}
    assert found == {("01", "on_time"): 2, ("01", "late"): 1, ("31", "missing"): 2}
    # A province user asking about another province: answered like a missing unit.
    other = api_client(demo_users["coordinator.haiphong"]).get(
        "/api/v1/stats/query", {"indicator": "report_completeness", "period": "2026Q4", "unit": "01"}
    )
    assert other.status_code == 404


def completeness_table(html: str) -> dict[str, list[str]]:
    """{unit code ("" own reports, "total"): the cells} of the completeness table."""
    block = re.search(r'<table class="summary" id="completeness">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r'<tr data-unit="(\w*)"><th scope="row">[^<]*</th>(.*?)</tr>', block, re.S)
    return {code: re.findall(r'<td class="num">([^<]*)</td>', body) for code, body in rows}


def test_the_dashboard_shows_the_completeness_rate_per_unit(client, sign_in, settings, world, demo_users):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_in(demo_users["analyst"])
    response = client.get("/statistics/", {"indicator": "report_completeness", "period": "2026Q4"})
    assert response.status_code == 200
    cells = completeness_table(response.content.decode())
    # Due, submitted, on time, late, missing, rate, on-time rate, same period last year.
    # Last column: 2025Q4, when Hà Nội's two communes both reported and nothing was due in Hải Phòng.
    assert cells["01"] == ["3", "3", "2", "1", "0", "100.0%", "66.7%", "100.0%"]
    assert cells["31"] == ["2", "0", "0", "0", "2", "0.0%", "0.0%", "—"]
    assert cells["total"] == ["5", "3", "2", "1", "2", "60.0%", "40.0%", "100.0%"]
    # A province dashboard: its communes and the province's own reports.
    response = client.get("/statistics/", {"indicator": "reports_expected", "period": "2026Q4", "unit": "01"})
    cells = completeness_table(response.content.decode())
    assert cells["09955"][5] == "100.0%"
    assert cells["10006"][:6] == ["1", "1", "0", "1", "0", "100.0%"]
    assert cells[""][:6] == ["1", "1", "1", "0", "0", "100.0%"]  # the province's own department
    # The XLSX carries the completeness table.
    download = client.get("/statistics/", {"indicator": "report_completeness", "period": "2026Q4", "export": "xlsx"})
    assert download.status_code == 200


def test_the_indicator_catalogue_page_no_longer_says_pending(api_client, demo_users):
    items = api_client(demo_users["analyst"]).get("/api/v1/stats/indicators").json()["items"]
    assert all(item["pending"] is None for item in items)
