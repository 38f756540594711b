"""What run_query keeps between calls (the statement it built, today's units) and what it reads each time."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haidang.access.models import Agency
from haidang.common import shared
from haidang.reporting.periods import parse, same_period_previous_year
from haidang.statistics import query
from haidang.statistics.catalogue import get_indicator
from haidang.statistics.query import run_query, run_series
from haidang.statistics.tests import figures_fixture as world

pytestmark = pytest.mark.django_db

H1_2026 = parse("2026S1")


@pytest.fixture
def loaded(demo_users):
    return world.load(demo_users["admin"])


@pytest.fixture
def kept(settings):
    """Data kept per process, as in production (the test settings keep nothing)."""
    settings.SHARED_DATA_CACHE = True
    shared._store.clear()
    yield
    shared._store.clear()


def _run(user, *args, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        result = run_query(user, *args, **kwargs)
    return result, [query["sql"] for query in captured.captured_queries]


def _passes(indicator: str) -> int:
    return 1 if get_indicator(indicator).additive or connection.vendor == "postgresql" else 2


def _figures(result) -> dict:
    return {(row.unit_code, *row.breakdown.values()): (row.value, row.previous) for row in result.rows}


@pytest.mark.parametrize(
    ("indicator", "breakdowns"),
    [
        ("criminal_cases_detected", ()),
        ("suspects_prosecuted", ("sex",)),
        ("victims_received", ("exploitation",)),
        ("victims_received", ("sex",)),
    ],
)
def test_asked_again_the_query_reads_the_versions_and_its_figures_only(loaded, demo_users, kept, indicator, breakdowns):
    analyst = demo_users["analyst"]
    first, _statements = _run(analyst, indicator, H1_2026, None, 1, breakdowns)
    again, statements = _run(analyst, indicator, H1_2026, None, 1, breakdowns)
    # One read of every shared version (scope and map together), one statement for both years and the total
    # (SQLite, without GROUPING SETS, counts distinct persons over the whole in a second one).
    assert len(statements) == 1 + _passes(indicator)
    assert sum("common_shared_version" in sql for sql in statements) == 1
    assert _figures(again) == _figures(first) and len(again.rows) == len(first.rows)
    assert (again.total, again.previous_total) == (first.total, first.previous_total)


def test_the_statement_is_kept_not_the_figures(loaded, demo_users):
    analyst = demo_users["analyst"]
    before = run_query(analyst, "victims_received", H1_2026, None, 1, ["exploitation"])
    extra = [world.V(f"x{i}", "hong_bang", date(2026, 2, 2), forms=["sexual", "forced_labour"]) for i in range(3)]
    world.add_victims(demo_users["admin"], loaded, Agency.objects.get(name="Cơ quan thử nghiệm"), extra, "X")
    after = run_query(analyst, "victims_received", H1_2026, None, 1, ["exploitation"])
    assert after.total == before.total + 3
    rows = {(row.unit_code, row.breakdown["exploitation"]): row.value for row in after.rows}
    old = {(row.unit_code, row.breakdown["exploitation"]): row.value for row in before.rows}
    assert rows[("31", "sexual")] == old[("31", "sexual")] + 3
    assert rows[("31", "forced_labour")] == old[("31", "forced_labour")] + 3


def test_todays_units_are_read_again_when_the_map_changes(loaded, demo_users, kept):
    analyst = demo_users["analyst"]
    run_query(analyst, "criminal_cases_detected", H1_2026, None, 1)
    _result, statements = _run(analyst, "criminal_cases_detected", H1_2026, None, 1)
    assert not any("places_administrativeunit" in sql for sql in statements)
    shared.bump(shared.MAP)  # the map is loaded again (places.services.load_admin_map)
    result, statements = _run(analyst, "criminal_cases_detected", H1_2026, None, 1)
    assert any("places_administrativeunit" in sql for sql in statements)
    assert len(result.rows) == 34


def test_a_unit_asked_for_keeps_its_territory_until_the_map_changes(loaded, demo_users, kept):
    analyst, hanoi = demo_users["analyst"], loaded["hanoi"]
    first, _statements = _run(analyst, "victims_received", H1_2026, hanoi, 3)
    again, statements = _run(analyst, "victims_received", H1_2026, hanoi, 3)
    assert len(statements) == 1 + _passes("victims_received")
    assert sum("common_shared_version" in sql for sql in statements) == 1
    assert _figures(again) == _figures(first)
    assert {row.unit_code: row.value for row in again.rows if row.value} == {"09955": 2, "10006": 2, "": 1}


def test_the_figure_of_the_whole_is_its_own_total(loaded, demo_users):
    # Without units or breakdowns the one figure per window is the total: no second pass.
    result, statements = _run(demo_users["analyst"], "victims_received", H1_2026)
    assert len([sql for sql in statements if "cases_case" in sql]) == 1
    assert result.total == sum(world.expected("victims_received", H1_2026.start, H1_2026.end).values())
    assert [row.value for row in result.rows] == [result.total]
    series = run_series(demo_users["analyst"], "victims_received", [parse("2025S1"), H1_2026])
    assert [r.total for r in series] == [result.previous_total, result.total]


def test_a_statement_is_kept_per_time_zone(loaded, demo_users):
    # Reports are on time by the day of submission in the current time zone: the statement says which.
    indicator = get_indicator("reports_on_time")
    extent = query._extent(demo_users["analyst"], None)
    windows = [H1_2026, same_period_previous_year(H1_2026)]

    def statement():
        return query._statement(indicator, extent, windows, 1, ("timeliness",), False, "default")

    with timezone.override("Asia/Ho_Chi_Minh"):
        vietnam = statement()
    with timezone.override("UTC"):
        utc = statement()
    assert vietnam != utc
    with timezone.override("Asia/Ho_Chi_Minh"):
        assert statement() is vietnam


def test_a_value_outside_the_list_counts_in_the_total_only(loaded, demo_users):
    # The list is unnested through an array on PostgreSQL: the same values as the JSON list, no more, no fewer.
    analyst = demo_users["analyst"]
    before = run_query(analyst, "victims_received", H1_2026, None, 1, ["exploitation"])
    extra = [
        world.V("odd1", "hong_bang", date(2026, 2, 2), forms=["sexual", "not_a_form"]),
        world.V("odd2", "hong_bang", date(2026, 2, 3), forms=["not_a_form"]),
    ]
    world.add_victims(demo_users["admin"], loaded, Agency.objects.get(name="Cơ quan thử nghiệm"), extra, "X")
    after = run_query(analyst, "victims_received", H1_2026, None, 1, ["exploitation"])
    old = {(row.unit_code, row.breakdown["exploitation"]): row.value for row in before.rows}
    new = {(row.unit_code, row.breakdown["exploitation"]): row.value for row in after.rows}
    assert after.total == before.total + 2
    assert {key: new[key] - old.get(key, 0) for key in new if new[key] != old.get(key, 0)} == {("31", "sexual"): 1}
