"""Report records: dimensions, cells, on-time and late against the deadline day in Vietnam."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from haidang.reporting import dimensions as d
from haidang.reporting.models import Report, ReportStatus

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_cells_of_sex_by_age_band_are_total_margins_and_cross_product():
    cells = d.cells(["sex", "age_band"])
    assert cells[0] == d.TOTAL
    assert (("sex", "female"),) in cells
    assert (("age_band", "under_16"),) in cells
    assert (("sex", "female"), ("age_band", "under_16")) in cells
    assert len(cells) == 1 + 3 + 4 + 3 * 4
    assert d.cells([]) == [d.TOTAL]
    assert d.full_cells(["sex"]) == [(("sex", "female"),), (("sex", "male"),), (("sex", "unknown"),)]


def test_a_cell_is_named_by_its_dimensions_and_refuses_strangers():
    assert d.parse_cell({"sex": "male", "age_band": "18_plus"}, ["sex", "age_band"]) == (
        ("sex", "male"),
        ("age_band", "18_plus"),
    )
    assert d.parse_cell({}, ["sex"]) == d.TOTAL
    with pytest.raises(ValueError):
        d.parse_cell({"nationality": "foreign"}, ["sex"])
    with pytest.raises(ValueError):
        d.parse_cell({"sex": "other"}, ["sex"])
    assert d.cell_columns((("sex", "male"),))["sex"] == "male"
    assert d.cell_columns((("sex", "male"),))["age_band"] == ""
    assert d.validate_breakdowns(["sex", "colour", "sex"]) == ["colour", "sex"]


def test_age_bands_follow_the_criminal_code_lines():
    on = date(2026, 7, 10)
    assert d.age_band_for(None, on, date(2010, 7, 11)) == "under_16"  # 15, a day before 16
    assert d.age_band_for(None, on, date(2010, 7, 10)) == "16_17"
    assert d.age_band_for(None, on, date(2008, 7, 10)) == "18_plus"
    assert d.age_band_for(None, on) == "unknown"
    # Only the year: the younger possible age, so a possible child counts as one.
    assert d.age_band_for(2008, on) == "16_17"
    assert d.sex_for("other") == "unknown"
    assert d.nationality_for("stateless_resident") == "stateless"


def test_on_time_is_judged_on_the_deadline_day_in_vietnam():
    report = Report(deadline=date(2026, 8, 5), status=ReportStatus.SUBMITTED)
    # 23:30 on 5 August in Hà Nội is 16:30 UTC the same day: on time.
    report.submitted_at = datetime(2026, 8, 5, 23, 30, tzinfo=VN)
    assert report.on_time is True
    assert report.is_late is False
    report.submitted_at = datetime(2026, 8, 6, 0, 10, tzinfo=VN)
    assert report.on_time is False
    assert report.is_late is True


def test_an_unsubmitted_report_is_late_only_after_the_deadline_day():
    report = Report(deadline=date(2026, 8, 5))
    assert report.on_time is None
    assert report.is_late_on(date(2026, 8, 5)) is False
    assert report.is_late_on(date(2026, 8, 6)) is True


@pytest.mark.django_db
def test_migrate_installs_the_default_form_as_defined_in_code():
    from haidang.reporting.default_forms import COUNTER_TRAFFICKING, ensure_default_forms
    from haidang.reporting.models import ReportForm

    assert ensure_default_forms() == []  # migration 0002 made it already
    version = ReportForm.objects.get(code="CTMBN").versions.get(number=1)
    assert version.status == "published" and version.period_type == COUNTER_TRAFFICKING["period_type"]
    indicators = [(i.code, i.source, i.breakdowns) for i in version.indicators.order_by("position")]
    expected = [
        (i["code"], i.get("source", ""), list(i.get("breakdowns", []))) for i in COUNTER_TRAFFICKING["indicators"]
    ]
    assert indicators == expected
    assert [s.code for s in version.sections.order_by("position")] == [
        s["code"] for s in COUNTER_TRAFFICKING["sections"]
    ]
    assert version.rules.get(code="R1").left_indicator.code == "V2"
