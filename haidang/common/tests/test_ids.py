import uuid

from haidang.common.ids import new_id


def test_ids_are_version_7_and_increase_within_a_millisecond():
    ids = [new_id() for _ in range(5000)]  # many share a millisecond
    assert all(type(value) is uuid.UUID and value.version == 7 for value in ids)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    # As text (SQLite's char(32), PostgreSQL's uuid order) the order is the same.
    assert [value.hex for value in ids] == sorted(value.hex for value in ids)
