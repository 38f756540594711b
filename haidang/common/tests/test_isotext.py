"""Days and times read as text (`common.isotext`) are what the JSON encoder writes for the values, on both
databases, for every form a stored time takes."""

import json
from datetime import UTC, datetime

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from haidang.access.models import Agency
from haidang.common.isotext import DayText, TimeText, json_time
from haidang.places.models import AdministrativeUnit

TIMES = [
    datetime(2026, 12, 5, 3, 0, 0, tzinfo=UTC),  # no microseconds: no fraction
    datetime(2026, 12, 5, 3, 0, 0, 500, tzinfo=UTC),  # microseconds under a millisecond: ".000"
    datetime(2026, 12, 5, 3, 0, 0, 123456, tzinfo=UTC),
    datetime(2026, 12, 5, 3, 0, 0, 100000, tzinfo=UTC),  # PostgreSQL's own text drops the zeros
    datetime(1999, 1, 31, 23, 59, 59, 999999, tzinfo=UTC),
]


def encoded(value) -> str:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@pytest.mark.django_db
@pytest.mark.parametrize("moment", TIMES, ids=str)
def test_a_time_read_as_text_is_what_the_encoder_writes(moment):
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    agency = Agency.objects.create(name="Đội minh họa", unit=hanoi, agency_type="police")
    Agency.objects.filter(pk=agency.pk).update(created_at=moment)
    read = Agency.objects.filter(pk=agency.pk).annotate(text=TimeText("created_at"))
    row = read.values("created_at", "text").get()
    assert row["created_at"] == moment
    assert json_time(row["text"]) == encoded(moment)


@pytest.mark.django_db
def test_a_day_read_as_text_is_what_the_encoder_writes():
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    day = AdministrativeUnit.objects.filter(pk=hanoi.pk).annotate(text=DayText("valid_from")).values("text").get()
    assert hanoi.valid_from is not None
    assert day["text"] == encoded(hanoi.valid_from) == hanoi.valid_from.isoformat()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("2026-12-05 03:00:00", "2026-12-05T03:00:00Z"),
        ("2026-12-05 03:00:00.000500", "2026-12-05T03:00:00.000Z"),
        ("2026-12-05T03:00:00.1234+00", "2026-12-05T03:00:00.123Z"),
        ("2026-12-05 03:00:00.5+00:00", "2026-12-05T03:00:00.500Z"),
        ("2026-12-05 10:00:00.250+07:00", "2026-12-05T03:00:00.250Z"),  # another form: Django reads it
    ],
)
def test_json_time_of_every_form(text, expected):
    assert json_time(text) == expected


def test_json_time_refuses_what_is_not_a_time():
    with pytest.raises(ValueError, match="not a time"):
        json_time("05/12/2026")
