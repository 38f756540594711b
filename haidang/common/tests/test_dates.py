"""The one reading of a typed day: every way people write one, and what is said about impossible days."""

from datetime import date, datetime

import pytest
from django import forms
from django.utils import translation

from haidang.common.dates import DayError, format_day, parse_day
from haidang.common.forms import DayField

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    "text",
    [
        "30/07/2026",
        "30/7/2026",
        "30-07-2026",
        "30.07.2026",
        "30072026",
        "2026-07-30",
        " 30 / 07 / 2026 ",
    ],
)
def test_every_way_people_write_a_day_reads_the_same_day(text):
    assert parse_day(text) == date(2026, 7, 30)


def test_one_digit_days_and_months():
    assert parse_day("3/7/2026") == date(2026, 7, 3)
    assert parse_day("3-7-2026") == date(2026, 7, 3)
    assert parse_day("2026-7-3") == date(2026, 7, 3)


def test_dates_and_datetimes_pass_through():
    assert parse_day(date(2024, 2, 29)) == date(2024, 2, 29)
    assert parse_day(datetime(2024, 2, 29, 23, 59)) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("31/11/2023", "31/11/2023 is not a real date: month 11 of 2023 has 30 days."),
        ("29/02/2023", "month 2 of 2023 has 28 days"),
        ("2023-11-31", "month 11 of 2023 has 30 days"),
        ("31112023", "month 11 of 2023 has 30 days"),
        ("12/13/2026", "there is no month 13"),
        ("00/07/2026", "has 31 days"),
        ("30/07/26", "write the year with four digits"),
        ("30/07/1850", "the year must be from 1900 to 2100"),
        ("tomorrow", "tomorrow is not a date"),
        ("30/07-2026", "is not a date"),
        ("", "Enter a date as dd/mm/yyyy"),
    ],
)
def test_an_impossible_day_is_refused_saying_what_is_wrong(text, said):
    with pytest.raises(DayError) as refused:
        parse_day(text)
    assert said in refused.value.message


def test_29_february_of_a_leap_year_is_a_day():
    assert parse_day("29/02/2024") == date(2024, 2, 29)


def test_the_message_is_vietnamese_on_vietnamese_pages():
    with translation.override("vi"), pytest.raises(DayError) as refused:
        parse_day("31/11/2023")
    assert refused.value.message == "31/11/2023 không phải là ngày có thật: tháng 11 năm 2023 chỉ có 30 ngày."


def test_days_are_shown_dd_mm_yyyy():
    assert format_day(date(2026, 7, 3)) == "03/07/2026"
    assert format_day(None) == ""


class _Form(forms.Form):
    day = DayField()


def test_the_form_field_reads_every_form_and_names_what_is_wrong():
    assert _Form({"day": "30.07.2026"}).is_valid()
    assert _Form({"day": "30072026"}).is_valid()
    form = _Form({"day": "31/04/2026"})
    assert not form.is_valid()
    assert form.errors["day"] == ["31/04/2026 is not a real date: month 4 of 2026 has 30 days."]


def test_the_day_input_opens_the_ordinary_keyboard_and_shows_dd_mm_yyyy():
    html = str(_Form(initial={"day": date(2026, 7, 3)})["day"])
    # A numeric keypad has no "/" on many phones: the text keyboard is asked for.
    assert 'inputmode="text"' in html and "numeric" not in html
    assert 'value="03/07/2026"' in html and 'placeholder="dd/mm/yyyy"' in html


def test_an_api_date_parameter_names_the_parameter_and_what_is_wrong(api, demo_users):
    response = api("caseworker.hanoi").get("/api/v1/cases", {"received_from": "2023-11-31"})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields == {"received_from": ["2023-11-31 is not a real date: month 11 of 2023 has 30 days."]}
    # The forms' ways of writing a day are read too.
    assert api("caseworker.hanoi").get("/api/v1/cases", {"received_from": "01.03.2026"}).status_code == 200


def test_a_json_body_date_that_cannot_exist_says_why(api, demo_users):
    response = api("commune.hanoi.a").post("/api/v1/cases", {"person": {}, "case": {"reception_date": "2026-02-30"}})
    assert response.status_code == 400
    assert "month 2 of 2026 has 28 days" in " ".join(response.json()["error"]["fields"]["case.reception_date"])
