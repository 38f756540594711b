"""The hot lists write their JSON directly (`plain_answer`): the same JSON Ninja would have written,
and, with the test settings' check, an answer that drifts from its published schema is an error."""

import json
from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from django.test import RequestFactory
from ninja import Schema

from haidang.common.api import plain_answer


class _Item(Schema):
    id: UUID
    day: date
    at: datetime | None
    name: str


class _Items(Schema):
    items: list[_Item]
    count: int


ROW = {
    "id": UUID(int=7),
    "day": date(2026, 3, 1),
    "at": datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC),
    "name": "Lò Thị Mai",
}


def test_a_plain_answer_is_the_json_the_schema_would_give():
    response = plain_answer(RequestFactory().get("/"), _Items, {"items": [ROW], "count": 1})
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content) == {
        "items": [
            {
                "id": "00000000-0000-0000-0000-000000000007",
                "day": "2026-03-01",
                "at": "2026-03-01T08:30:15.123Z",
                "name": "Lò Thị Mai",
            }
        ],
        "count": 1,
    }


@pytest.mark.parametrize(
    "item",
    [
        {**ROW, "extra": "not in the schema"},  # the schema would drop it
        {key: value for key, value in ROW.items() if key != "name"},  # the schema requires it
        {**ROW, "day": "01/03/2026"},  # not the schema's date
    ],
)
def test_an_answer_that_drifts_from_its_schema_fails_in_the_tests(item):
    with pytest.raises(Exception):  # noqa: B017, PT011 (pydantic's ValidationError or the check's AssertionError)
        plain_answer(RequestFactory().get("/"), _Items, {"items": [item], "count": 1})


def test_without_the_check_the_answer_is_written_as_given(settings):
    settings.API_CHECK_PLAIN_ANSWERS = False
    response = plain_answer(RequestFactory().get("/"), _Items, {"items": [{**ROW, "extra": 1}], "count": 1})
    assert json.loads(response.content)["items"][0]["extra"] == 1


def test_the_plain_renderer_writes_ids_days_and_times_as_ninjas_renderer_does():
    from datetime import timedelta, timezone
    from decimal import Decimal

    from django.utils.translation import gettext_lazy
    from ninja.renderers import JSONRenderer

    from haidang.common.api import _PLAIN_RENDERER

    hanoi = timezone(timedelta(hours=7))
    values = [
        UUID(int=7),
        UUID("d0fff20e-16f9-4c49-b2b4-4bf8c562653b"),
        date(2026, 3, 1),
        datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 3, 1, 8, 30, 15, tzinfo=UTC),
        datetime(2026, 3, 1, 8, 30, 15, 5, tzinfo=hanoi),
        datetime(2026, 3, 1, 8, 30),
        {"nested": [date(2025, 12, 31), None, "text", 3, 2.5, True, ("a", "b")]},
        'Nguyễn Thị Hòa <b> "x" \\ \u0001',
        {1: "a key that is a number"},
        gettext_lazy("Case number"),
        Decimal("12.50"),
    ]
    request = RequestFactory().get("/")
    written = _PLAIN_RENDERER.render(request, values, response_status=200)
    # The same values, to the character once read (orjson writes text as UTF-8 where Ninja escapes it).
    assert json.loads(written) == json.loads(JSONRenderer().render(request, values, response_status=200))
    assert "Nguyễn Thị Hòa".encode() in written
