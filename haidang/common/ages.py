"""The one way to compute a person's age on a day, in Python and in SQL.

Support (an accompanying child is under 18), linking accompanying children, consent (under 7,
7 to under 16, 16 and over), reports and statistics (age bands under 16, 16–17, 18 and over) all use
it, so a person is never a child on one page and an adult on the next.

The rule for a birth year alone: the person is taken as born on the last day of that year, 31/12,
as the Criminal Procedure Code 2015 Art. 417(2)(d) does for a victim or accused person whose day
and month of birth cannot be established. It gives the youngest age the person can have, so a
child is never treated as an adult for want of a birth date (born "2008" is 17 until 31/12/2026).
VERIFY(birth-year-rule): the Code's rule is for proceedings; its use here is by analogy.
"""

from datetime import date

from django.db.models import Case, CharField, ExpressionWrapper, F, IntegerField, Q, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan

UNDER_16 = "under_16"
AGE_16_17 = "16_17"
ADULT = "18_plus"
UNKNOWN = "unknown"


def age_on(on: date, *, birth_date: date | None = None, birth_year: int | None = None) -> int | None:
    """Whole years on `on`; with a birth year alone, born on 31/12 of that year; None when unknown."""
    if birth_date is None:
        if birth_year is None:
            return None
        birth_date = date(birth_year, 12, 31)
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_band(age: int | None) -> str:
    """The band of Criminal Code Art. 150/151: under 16, 16 to under 18, 18 and over."""
    if age is None:
        return UNKNOWN
    if age < 16:
        return UNDER_16
    if age < 18:
        return AGE_16_17
    return ADULT


def age_band_on(on: date, *, birth_date: date | None = None, birth_year: int | None = None) -> str:
    return age_band(age_on(on, birth_date=birth_date, birth_year=birth_year))


def age_band_expression(*, birth_date: str, birth_year: str, on: str):
    """The same band as `age_band_on`, computed in the database from field paths.

    Age = year difference, less one when the day has not come yet this year; a birth year alone
    is born on 31/12, so the day has come only on 31/12 itself.
    """
    years_from_date = ExpressionWrapper(ExtractYear(on) - ExtractYear(birth_date), output_field=IntegerField())
    on_month, on_day = ExtractMonth(on), ExtractDay(on)
    before_birthday = Q(**{f"{birth_date}__month__gt": on_month}) | (
        Q(**{f"{birth_date}__month": on_month}) & Q(**{f"{birth_date}__day__gt": on_day})
    )
    from_date = Case(
        When(before_birthday, then=years_from_date - 1),
        default=years_from_date,
        output_field=IntegerField(),
    )
    years_from_year = ExpressionWrapper(ExtractYear(on) - F(birth_year), output_field=IntegerField())
    last_day = Q(**{f"{on}__month": 12, f"{on}__day": 31})
    from_year = Case(When(last_day, then=years_from_year), default=years_from_year - 1, output_field=IntegerField())
    age = Case(
        When(**{f"{birth_date}__isnull": False}, then=from_date),
        When(**{f"{birth_year}__isnull": False}, then=from_year),
        default=Value(None),
        output_field=IntegerField(),
    )
    return Case(
        When(Q(**{f"{birth_date}__isnull": True, f"{birth_year}__isnull": True}), then=Value(UNKNOWN)),
        When(LessThan(age, 16), then=Value(UNDER_16)),
        When(LessThan(age, 18), then=Value(AGE_16_17)),
        default=Value(ADULT),
        output_field=CharField(),
    )
