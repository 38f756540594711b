"""Public holidays from the data file `data/public_holidays.toml` (each year with its legal source),
plus the days the PUBLIC_HOLIDAYS setting adds (it can only add). A warning is raised by
`manage.py check` and shown on the administrator's home page when the coming year has no entries."""

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.utils import timezone
from django.utils.translation import gettext as _

HOLIDAYS_FILE = Path(__file__).parent / "data" / "public_holidays.toml"


@dataclass(frozen=True)
class HolidayYear:
    year: int
    source: str
    days: tuple[date, ...]


@lru_cache(maxsize=4)
def load_years(path: Path = HOLIDAYS_FILE) -> dict[int, HolidayYear]:
    """{year: HolidayYear} from the file; a day outside its year's section is an error."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    years = {}
    for key, section in raw.items():
        year = int(key)
        days = tuple(sorted(date.fromisoformat(day) for day in section.get("days", [])))
        wrong = [day for day in days if day.year != year]
        if wrong:
            raise ValueError(f"{path.name}: {wrong[0].isoformat()} is listed under {year}")
        if not str(section.get("source", "")).strip():
            raise ValueError(f"{path.name}: year {year} has no legal source")
        years[year] = HolidayYear(year, str(section["source"]), days)
    return years


def public_holidays() -> frozenset[date]:
    """Every listed holiday, and the days the PUBLIC_HOLIDAYS setting adds."""
    days = {day for entry in load_years().values() for day in entry.days}
    return frozenset(days | set(getattr(settings, "PUBLIC_HOLIDAYS", ()) or ()))


def missing_coming_year(today: date | None = None) -> int | None:
    """The coming year when the file has no entries for it, else None."""
    coming = (today or timezone.localdate()).year + 1
    return None if coming in load_years() else coming


def missing_year_message(year: int) -> str:
    return _(
        "The public holidays of %(year)s are not entered yet: working-day time limits that reach "
        "%(year)s will count its holidays as working days. Add the year, with its legal source, to "
        "haidang/common/data/public_holidays.toml."
    ) % {"year": year}


@checks.register()
def check_holidays(app_configs=None, **kwargs):
    year = missing_coming_year()
    if year is None:
        return []
    return [checks.Warning(missing_year_message(year), id="haidang.W001")]
