import uuid

from haidang.common.ids import new_id


def test_ids_are_version_7_and_increase_within_a_millisecond():
    ids = [new_id() for _ in range(5000)]  # many share a millisecond
    assert all(type(value) is uuid.UUID and value.version == 7 for value in ids)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    # As text (SQLite's char(32), PostgreSQL's uuid order) the order is the same.
    assert [value.hex for value in ids] == sorted(value.hex for value in ids)


def test_ids_made_in_bulk_are_version_7_in_order_between_single_ones():
    from haidang.common.ids import new_ids

    before = new_id()
    made = new_ids(5000)
    after = new_id()
    assert all(type(value) is uuid.UUID and value.version == 7 and value.variant == uuid.RFC_4122 for value in made)
    assert [before, *made, after] == sorted([before, *made, after]) and len(set(made)) == 5000
    assert [value.hex for value in made] == sorted(value.hex for value in made)
    assert made[0].int >> 80 == made[-1].int >> 80  # one millisecond: the random bits count up
    assert [uuid.UUID(str(value)) for value in made] == made  # read back as Django reads them
