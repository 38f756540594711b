"""Period arithmetic for every period type, in both forms, across year ends."""

from datetime import date

import pytest

from haidang.reporting import periods
from haidang.reporting.periods import PeriodError, PeriodForm, PeriodType

CAL, CUT = PeriodForm.CALENDAR, PeriodForm.CUTOFF


@pytest.mark.parametrize(
    ("identifier", "start", "end"),
    [
        ("2026M01", date(2026, 1, 1), date(2026, 1, 31)),
        ("2024M02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026M12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2026Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026S1", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026S2", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        # Cut-off form: from the 15th of the month before to the 14th.
        ("2026M01C", date(2025, 12, 15), date(2026, 1, 14)),
        ("2026M03C", date(2026, 2, 15), date(2026, 3, 14)),
        ("2026M12C", date(2026, 11, 15), date(2026, 12, 14)),
        ("2026Q1C", date(2025, 12, 15), date(2026, 3, 14)),
        ("2026Q2C", date(2026, 3, 15), date(2026, 6, 14)),
        ("2026Q3C", date(2026, 6, 15), date(2026, 9, 14)),
        ("2026Q4C", date(2026, 9, 15), date(2026, 12, 14)),
        ("2026S1C", date(2025, 12, 15), date(2026, 6, 14)),
        ("2026S2C", date(2026, 6, 15), date(2026, 12, 14)),
        ("2026C", date(2025, 12, 15), date(2026, 12, 14)),
        ("2026-07-01_2026-07-31", date(2026, 7, 1), date(2026, 7, 31)),
        # Nine months: the first three quarters, in both forms (the cut-off one starts the year before).
        ("2026N9", date(2026, 1, 1), date(2026, 9, 30)),
        ("2026N9C", date(2025, 12, 15), date(2026, 9, 14)),
        ("2025N9C", date(2024, 12, 15), date(2025, 9, 14)),
    ],
)
def test_identifier_names_its_days_and_round_trips(identifier, start, end):
    found = periods.parse(identifier)
    assert (found.start, found.end) == (start, end)
    assert found.identifier == identifier
    assert periods.parse(found.identifier) == found


@pytest.mark.parametrize("form", [CAL, CUT])
@pytest.mark.parametrize("kind", [PeriodType.MONTH, PeriodType.QUARTER, PeriodType.SIX_MONTHS, PeriodType.YEAR])
def test_periods_of_a_type_tile_the_days_without_gap_or_overlap(kind, form):
    chain = periods.periods_between(kind, date(2024, 11, 1), date(2027, 2, 1), form)
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.start - before.end == date(2000, 1, 2) - date(2000, 1, 1)
        assert periods.shift(before, 1) == after
        assert periods.shift(after, -1) == before
    assert chain[0].contains(date(2024, 11, 1)) and chain[-1].contains(date(2027, 2, 1))


@pytest.mark.parametrize(
    ("kind", "form", "day", "expected"),
    [
        (PeriodType.MONTH, CAL, date(2025, 12, 31), "2025M12"),
        (PeriodType.MONTH, CUT, date(2025, 12, 14), "2025M12C"),
        (PeriodType.MONTH, CUT, date(2025, 12, 15), "2026M01C"),
        (PeriodType.QUARTER, CUT, date(2025, 12, 20), "2026Q1C"),
        (PeriodType.QUARTER, CUT, date(2026, 3, 14), "2026Q1C"),
        (PeriodType.QUARTER, CUT, date(2026, 3, 15), "2026Q2C"),
        (PeriodType.SIX_MONTHS, CUT, date(2026, 6, 14), "2026S1C"),
        (PeriodType.SIX_MONTHS, CUT, date(2026, 6, 15), "2026S2C"),
        (PeriodType.YEAR, CUT, date(2026, 12, 14), "2026C"),
        (PeriodType.YEAR, CUT, date(2026, 12, 15), "2027C"),
        (PeriodType.YEAR, CAL, date(2026, 12, 15), "2026"),
    ],
)
def test_the_period_containing_a_day(kind, form, day, expected):
    assert periods.containing(kind, day, form).identifier == expected


def test_shift_across_year_ends():
    assert periods.shift(periods.parse("2026M12"), 1).identifier == "2027M01"
    assert periods.shift(periods.parse("2026M01C"), -1).identifier == "2025M12C"
    assert periods.shift(periods.parse("2026Q1"), -1).identifier == "2025Q4"
    assert periods.shift(periods.parse("2026S2C"), 1).identifier == "2027S1C"
    assert periods.shift(periods.parse("2026"), -3).identifier == "2023"
    campaign_month = periods.parse("2026-07-01_2026-07-31")
    assert periods.shift(campaign_month, 1).identifier == "2026-08-01_2026-08-31"


def test_same_period_previous_year():
    assert periods.same_period_previous_year(periods.parse("2024S1")).identifier == "2023S1"
    assert periods.same_period_previous_year(periods.parse("2026Q1C")).identifier == "2025Q1C"
    leap = periods.parse("2024-02-01_2024-02-29")
    assert periods.same_period_previous_year(leap).identifier == "2023-02-01_2023-02-28"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026M13",
        "2026M7",
        "2026Q5",
        "2026S3",
        "26Q1",
        "2026-07-31_2026-07-01",
        "x",
        "2026N8",
        "2026N1",
        "2026N",
        "2023-11-31_2023-12-31",
    ],
)
def test_bad_identifiers_are_refused_with_a_message(text):
    with pytest.raises(PeriodError) as error:
        periods.parse(text)
    assert str(error.value)


def test_labels_in_vietnamese_and_english(settings):
    from django.utils import translation

    with translation.override("vi"):
        assert periods.parse("2026Q3").label == "Quý III/2026"
        assert periods.parse("2026S1").label == "6 tháng đầu năm 2026"
        assert periods.parse("2026C").label == "Năm 2026 (từ 15/12/2025 đến 14/12/2026)"
    with translation.override("en"):
        assert periods.parse("2026M07").label == "Month 7/2026"


def test_choices_for_a_year_list_every_standard_period():
    identifiers = [identifier for identifier, _label in periods.choices_for_year(2026, CUT)]
    assert len(identifiers) == 12 + 4 + 2 + 1 + 1  # months, quarters, halves, nine months, the year
    assert "2026N9C" in identifiers
    assert identifiers[0] == "2026M01C" and identifiers[-1] == "2026C"


def test_the_nine_month_period_across_year_ends():
    nine = periods.parse("2026N9")
    assert periods.shift(nine, -1).identifier == "2025N9"
    assert periods.same_period_previous_year(periods.parse("2026N9C")).identifier == "2025N9C"
    # A day belongs to the nine months of its year up to September (cut-off: up to 14 September).
    assert periods.containing(PeriodType.NINE_MONTHS, date(2026, 9, 30)).identifier == "2026N9"
    assert periods.containing(PeriodType.NINE_MONTHS, date(2025, 12, 20), CUT).identifier == "2026N9C"
    for day, form in ((date(2026, 10, 1), CAL), (date(2026, 9, 15), CUT)):
        with pytest.raises(PeriodError) as refused:
            periods.containing(PeriodType.NINE_MONTHS, day, form)
        assert "không thuộc kỳ 9 tháng nào" in str(refused.value)  # the default language
    # Nine-month periods leave a gap each year; between two days, those that overlap them.
    found = periods.periods_between(PeriodType.NINE_MONTHS, date(2024, 11, 1), date(2026, 1, 10), CUT)
    assert [p.identifier for p in found] == ["2025N9C", "2026N9C"]
    found = periods.periods_between(PeriodType.NINE_MONTHS, date(2024, 10, 1), date(2024, 12, 31))
    assert found == []


def test_the_nine_month_period_in_words():
    from django.utils import translation

    with translation.override("vi"):
        assert periods.parse("2026N9").label == "9 tháng đầu năm 2026"
        assert periods.parse("2026N9C").label == "9 tháng đầu năm 2026 (từ 15/12/2025 đến 14/09/2026)"
    with translation.override("en"):
        assert periods.parse("2026N9").label == "First nine months of 2026"


def test_an_impossible_custom_range_says_which_day_is_wrong():
    with pytest.raises(PeriodError) as refused:
        periods.parse("2023-11-31_2023-12-31")
    assert str(refused.value) == "2023-11-31 không phải là ngày có thật: tháng 11 năm 2023 chỉ có 30 ngày."
