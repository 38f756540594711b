"""The query service against figures counted independently in plain Python over the same lists."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haidang.access import services as access_services
from haidang.access.models import Agency
from haidang.access.roles import Role
from haidang.reporting.periods import parse
from haidang.statistics.catalogue import INDICATORS, available_indicators
from haidang.statistics.query import OutOfScopeError, QueryError, run_query, run_series
from haidang.statistics.tests import figures_fixture as world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

H1_2026 = parse("2026S1")


@pytest.fixture
def loaded(demo_users):
    return world.load(demo_users["admin"])


def figures(result, *, by_unit: bool, breakdown: str | None) -> dict:
    """The result's non-zero rows as {(unit code or None, breakdown value or None): value}."""
    out = {}
    for row in result.rows:
        if row.value:
            key = (row.unit_code if by_unit else None, row.breakdown.get(breakdown) if breakdown else None)
            out[key] = row.value
    return out


@pytest.mark.parametrize("indicator", [i.code for i in available_indicators()])
def test_every_indicator_and_breakdown_matches_plain_counting(loaded, demo_users, indicator):
    analyst = demo_users["analyst"]
    start, end = H1_2026.start, H1_2026.end
    hanoi = loaded["hanoi"]
    for breakdown in (None, *world_breakdowns(indicator)):
        breakdowns = [breakdown] if breakdown else []
        # The nation by province.
        result = run_query(analyst, indicator, H1_2026, None, 1, breakdowns)
        assert figures(result, by_unit=True, breakdown=breakdown) == world.expected(
            indicator, start, end, level=1, breakdown=breakdown
        ), breakdown
        assert result.total == sum(world.expected(indicator, start, end).values())
        # Hà Nội by commune ("" holds the records at the province itself).
        result = run_query(analyst, indicator, H1_2026, hanoi, 3, breakdowns)
        assert figures(result, by_unit=True, breakdown=breakdown) == world.expected(
            indicator, start, end, province="01", level=3, breakdown=breakdown
        ), breakdown


def world_breakdowns(code: str) -> tuple[str, ...]:
    return next(i.breakdowns for i in INDICATORS if i.code == code)


def test_a_person_counts_once_in_a_total_and_once_in_each_unit(loaded, demo_users):
    result = run_query(demo_users["analyst"], "victims_received", H1_2026, loaded["hanoi"], 3)
    by_commune = {row.unit_code: row.value for row in result.rows if row.value}
    # p1 has cases in both communes: counted in each commune, once in the province.
    assert by_commune == {"09955": 2, "10006": 2, "": 1}
    assert result.total == 4 and result.indicator.additive is False


def test_comparison_with_the_same_period_of_the_previous_year(loaded, demo_users):
    result = run_query(demo_users["analyst"], "victims_received", H1_2026, None, 1)
    assert result.previous_period.identifier == "2025S1"
    assert (result.total, result.previous_total, result.change, result.change_pct) == (6, 2, 4, 200.0)
    rows = {row.unit_code: row for row in result.rows}
    hanoi, haiphong = rows["01"], rows["31"]
    assert (hanoi.value, hanoi.previous, hanoi.change, hanoi.change_pct, hanoi.zero_base) == (4, 2, 2, 100.0, False)
    # Nothing in Hải Phòng a year before: a zero base, reported as such, not as infinity.
    assert (haiphong.value, haiphong.previous, haiphong.change, haiphong.change_pct) == (2, 0, 2, None)
    assert haiphong.zero_base is True
    # Every province is listed, with zeros where nothing happened.
    assert len(result.rows) == 34
    assert all(row.value == 0 for code, row in rows.items() if code not in ("01", "31"))


def test_without_comparison_there_is_no_previous(loaded, demo_users):
    result = run_query(demo_users["analyst"], "criminal_cases_detected", H1_2026, compare=False)
    assert result.previous_total is None and result.previous_period is None
    assert all(row.previous is None and row.change_pct is None and not row.zero_base for row in result.rows)


def test_records_under_old_units_count_in_their_successors(loaded, demo_users):
    analyst = demo_users["analyst"]
    commune = loaded["thach_that"]
    # 2024: two victims identified under the old commune; 2026: two under today's Xã Thạch Thất.
    old = run_query(analyst, "victims_identified", parse("2024S1"), commune, compare=False)
    new = run_query(analyst, "victims_identified", H1_2026, commune, compare=False)
    assert old.total == new.total == 2
    series = run_series(analyst, "victims_identified", [parse("2024S1"), parse("2025S1"), H1_2026], commune)
    assert [r.total for r in series] == [2, 1, 2]
    # And a criminal case made under the old commune is in Hà Nội's 2024 figures by commune.
    by_commune = run_query(analyst, "criminal_cases_prosecuted", parse("2024"), loaded["hanoi"], 3, compare=False)
    assert {row.unit_code: row.value for row in by_commune.rows if row.value} == {"09955": 1}


def test_breakdown_rows_carry_labels_and_zero_filled_closed_lists(loaded, demo_users):
    result = run_query(demo_users["analyst"], "suspects_prosecuted", H1_2026, breakdowns=["role"])
    assert [row.breakdown["role"] for row in result.rows] == [
        "recruiter",
        "broker",
        "transporter",
        "harbourer",
        "receiver",
        "other",
    ]
    assert result.labels["role"]["broker"] == "Broker"
    assert {row.breakdown["role"]: row.value for row in result.rows}["transporter"] == 0


def test_query_count_does_not_grow_with_records(loaded, demo_users):
    analyst = demo_users["analyst"]

    def count():
        with CaptureQueriesContext(connection) as queries:
            run_query(analyst, "victims_received", H1_2026, None, 1, ["sex", "exploitation"])
        return len(queries)

    count()  # the user's scope is read once, on first use
    before = count()
    extra = [world.V(f"x{i}", "hong_bang", date(2026, 2, 2), forms=["sexual", "forced_labour"]) for i in range(30)]
    agency = Agency.objects.get(name="Cơ quan thử nghiệm")
    world.add_victims(demo_users["admin"], loaded, agency, extra, "X")
    assert count() == before


def test_scope_a_commune_user_gets_only_their_commune(loaded, demo_users):
    agency = Agency.objects.get(name="Công an Xã Thạch Thất")
    user = access_services.create_user(actor=None, username="commune.police.test", password="x-Test-2026-x")
    access_services.add_membership(
        actor=None, user=user, agency=agency, unit=agency.unit, role=Role.POLICE_INVESTIGATOR
    )
    result = run_query(user, "victims_received", H1_2026, loaded["thach_that"])
    assert result.total == 2
    for unit in (None, loaded["hanoi"], loaded["tay_phuong"], loaded["haiphong"]):
        with pytest.raises(OutOfScopeError):
            run_query(user, "victims_received", H1_2026, unit)
    # A province user sees their province, not the other one, nor the nation.
    caseworker = demo_users["caseworker.haiphong"]
    assert run_query(caseworker, "victims_received", H1_2026, loaded["haiphong"]).total == 2
    with pytest.raises(OutOfScopeError):
        run_query(caseworker, "victims_received", H1_2026, loaded["hanoi"])
    # A role without statistics rights gets nothing at all.
    with pytest.raises(OutOfScopeError):
        run_query(demo_users["commune.hanoi.a"], "victims_received", H1_2026, loaded["thach_that"])


def test_bad_requests_name_the_parameter(loaded, demo_users):
    analyst = demo_users["analyst"]
    for kwargs, param in (
        ({"indicator": "victims_smuggled"}, "indicator"),
        ({"indicator": "report_completeness", "breakdowns": ["sex"]}, "breakdowns"),
        ({"indicator": "victims_received", "breakdowns": ["role"]}, "breakdowns"),
        ({"indicator": "victims_received", "breakdowns": ["sex", "route", "origin"]}, "breakdowns"),
        ({"indicator": "victims_received", "group_by_level": 7}, "level"),
    ):
        with pytest.raises(QueryError) as caught:
            run_query(analyst, period=H1_2026, **kwargs)
        assert caught.value.param == param


def test_catalogue_says_what_each_indicator_counts():
    for indicator in INDICATORS:
        assert indicator.counts and indicator.placed_by and indicator.label
        if indicator.group == "victims":
            assert indicator.sensitive and not indicator.additive
    # Report completeness reads the directives and reports now recorded here: nothing is pending.
    assert [i.code for i in INDICATORS if i.is_pending] == []


def test_a_form_recorded_twice_counts_the_victim_once_under_it_and_in_the_total(loaded, demo_users):
    analyst = demo_users["analyst"]
    before = run_query(analyst, "victims_received", H1_2026, None, 1, ["exploitation"])
    extra = [
        world.V("twice", "hong_bang", date(2026, 3, 3), forms=["sexual", "sexual"]),
        world.V("both", "hong_bang", date(2026, 3, 4), forms=["sexual", "forced_labour"]),
    ]
    world.add_victims(demo_users["admin"], loaded, Agency.objects.get(name="Cơ quan thử nghiệm"), extra, "W")
    after = run_query(analyst, "victims_received", H1_2026, None, 1, ["exploitation"])

    def by_form(result):
        totals: dict[str, int] = {}
        for row in result.rows:
            totals[row.breakdown["exploitation"]] = totals.get(row.breakdown["exploitation"], 0) + row.value
        return totals

    old, new = by_form(before), by_form(after)
    assert new["sexual"] == old["sexual"] + 2
    assert new["forced_labour"] == old["forced_labour"] + 1
    assert after.total == before.total + 2
