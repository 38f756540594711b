"""The demonstration proceedings and victims: both provinces, 2023–2026, old units, idempotent."""

import pytest

from haidang.cases.demo import seed_cases_demo
from haidang.proceedings.demo import seed_proceedings_demo
from haidang.proceedings.models import CriminalCase, Suspect, VictimLink
from haidang.reporting.periods import parse
from haidang.statistics.query import run_query

pytestmark = pytest.mark.django_db


def test_the_demo_gives_both_provinces_a_same_period_comparison(demo_users):
    seed_cases_demo()
    made = seed_proceedings_demo()
    assert made > 20
    assert seed_proceedings_demo() == 0  # a second run changes nothing
    assert CriminalCase.objects.count() == made
    years = set(CriminalCase.objects.values_list("year", flat=True))
    assert years >= {2023, 2024, 2025, 2026}
    assert CriminalCase.objects.filter(unit__valid_to__isnull=False).exists()  # made under old units
    assert Suspect.objects.filter(prosecuted_on__isnull=False).exists() and VictimLink.objects.exists()
    analyst = demo_users["analyst"]
    for indicator in ("victims_received", "criminal_cases_detected"):
        result = run_query(analyst, indicator, parse("2026S1"), None, 1)
        rows = {row.unit_code: row for row in result.rows}
        for code in ("01", "31"):
            assert rows[code].value > 0 and rows[code].previous > 0, (indicator, code)
    # Hải Phòng, first half of 2023: 3 criminal cases and 4 victims, 3 of them from other provinces.
    haiphong = run_query(analyst, "victims_received", parse("2023S1"), None, 1, ["origin"], compare=False)
    origin = {row.breakdown["origin"]: row.value for row in haiphong.rows if row.unit_code == "31"}
    assert origin == {"in_province": 1, "outside_province": 3, "unknown": 0}
