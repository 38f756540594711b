"""A value repeated down a register is read once per file, yet every row gets its own answer: the same
value, or the same error on each row that holds it."""

from datetime import date

import pytest

from haidang.exchange.rows import Column, Schema, UnitCache, validate_rows
from haidang.prevention.models import ActivityType, TargetGroup

SCHEMA = Schema(
    [
        Column("number", "Số", required=True),
        Column("day", "Ngày", kind="day", required=True),
        Column("type", "Loại", kind="code", choices=tuple(ActivityType.choices)),
        Column("groups", "Đối tượng", kind="codes", choices=tuple(TargetGroup.choices)),
        Column("people", "Số người", kind="count"),
    ],
    source_key="number",
)


def _rows(*cells):
    return [(number, {"number": str(number), **row}) for number, row in enumerate(cells, start=2)]


def test_a_repeated_bad_value_is_an_error_on_every_row_that_holds_it():
    good = {"day": "05/03/2026", "type": ActivityType.values[0], "people": "1.200"}
    bad = {"day": "31/02/2026", "type": ActivityType.values[0], "people": "-3"}
    results = list(validate_rows(SCHEMA, _rows(bad, good, bad, good, bad)))

    assert [r.ok for r in results] == [False, True, False, True, False]
    first = [(e.column, e.message) for e in results[0].errors]
    assert len(first) == 2
    for result in (results[2], results[4]):
        assert [(e.column, e.message) for e in result.errors] == first
        assert [e.row for e in result.errors] == [result.row, result.row]
    for result in (results[1], results[3]):
        assert result.values["day"] == date(2026, 3, 5)
        assert result.values["people"] == 1200


def test_rows_with_the_same_list_of_codes_each_get_their_own_list():
    groups = "; ".join(TargetGroup.values[:2])  # the codes, as a register may give them
    row = {"day": date(2026, 3, 5), "groups": groups}
    first, second = validate_rows(SCHEMA, _rows(row, row))

    assert first.values["groups"] == second.values["groups"] == list(TargetGroup.values[:2])
    first.values["groups"].append("changed")
    assert second.values["groups"] == list(TargetGroup.values[:2])


@pytest.mark.django_db
def test_a_place_is_read_once_per_map_epoch_and_again_across_the_reform():
    """A place cell read without error is kept for every day on which the map is the same (the scope check
    too); on a day of the other map the same text is read again and names that day's unit."""
    checked = []
    units = UnitCache(covers=lambda unit: checked.append(unit.pk) or True)
    first = units.read("Thạch Thất", date(2026, 1, 5))
    assert units.read("Thạch Thất", date(2026, 5, 30)) == first
    assert first.name == "Xã Thạch Thất" and checked == [first.pk]
    before = units.read("Thạch Thất", date(2024, 3, 1))
    assert before.name == "Huyện Thạch Thất" and checked == [first.pk, before.pk]
