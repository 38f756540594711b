"""Public holidays as a data file with their legal source per year; the setting only adds days; a
warning (manage.py check and the administrator's home page) when the coming year is missing."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from haidang.cases import timelimits
from haidang.common import holidays


def test_every_year_has_its_legal_source_and_only_its_own_days():
    years = holidays.load_years()
    assert {2025, 2026, 2027} <= set(years)
    for year, entry in years.items():
        assert "Bộ luật Lao động 2019" in entry.source
        assert entry.days and all(day.year == year for day in entry.days)
    assert date(2026, 9, 2) in holidays.public_holidays() and date(2026, 2, 17) in holidays.public_holidays()


def test_a_day_listed_under_the_wrong_year_or_without_a_source_is_refused(tmp_path):
    wrong = tmp_path / "holidays.toml"
    wrong.write_text('[2026]\nsource = "x"\ndays = ["2027-01-01"]\n')
    with pytest.raises(ValueError, match="listed under 2026"):
        holidays.load_years(wrong)
    no_source = tmp_path / "no_source.toml"
    no_source.write_text('[2026]\ndays = ["2026-01-01"]\n')
    with pytest.raises(ValueError, match="no legal source"):
        holidays.load_years(no_source)


def test_the_setting_adds_days_and_cannot_remove_any(settings):
    settings.PUBLIC_HOLIDAYS = []
    assert date(2026, 4, 30) in holidays.public_holidays()  # still a holiday
    settings.PUBLIC_HOLIDAYS = [date(2026, 6, 1)]
    assert date(2026, 6, 1) in holidays.public_holidays()
    # Friday 29/05/2026 + 1 working day skips the weekend and the added Monday.
    assert timelimits.add_working_days(date(2026, 5, 29), 1) == date(2026, 6, 2)


def test_a_limit_ending_on_a_holiday_moves_to_the_next_working_day():
    # Notified Monday 27/04/2026 (itself a holiday): +3 days is Thursday 30/04, a holiday, then
    # 01/05 (holiday) and the weekend: the limit ends on Monday 04/05 (Civil Code Art. 148(5)).
    assert timelimits.initial_verification_due(date(2026, 4, 27)) == date(2026, 5, 4)
    assert timelimits.initial_verification_due(date(2026, 3, 2)) == date(2026, 3, 5)


def test_manage_py_check_warns_when_the_coming_year_is_missing():
    with time_machine.travel(date(2027, 6, 1), tick=False):
        assert holidays.missing_coming_year() == 2028
        out = StringIO()
        call_command("check", stdout=out, stderr=out)
        assert "haidang.W001" in out.getvalue() and "2028" in out.getvalue()
    with time_machine.travel(date(2026, 6, 1), tick=False):
        assert holidays.missing_coming_year() is None


@pytest.mark.django_db
def test_the_administrators_home_page_warns_too(as_user):
    with time_machine.travel(date(2027, 6, 1), tick=False):
        page = as_user("admin").get(reverse("access:home")).content.decode()
        assert 'id="holiday-warning"' in page and "2028" in page
        assert 'id="holiday-warning"' not in as_user("analyst").get(reverse("access:home")).content.decode()
