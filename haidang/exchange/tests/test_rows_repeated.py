"""A value repeated down a register is read once per file, yet every row gets its own answer: the same
value, or the same error on each row that holds it."""

from datetime import date

from haidang.exchange.rows import Column, Schema, validate_rows
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
