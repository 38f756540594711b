"""`page_cache`: SQLite's page cache is larger while an import writes, and the connection's own afterwards;
`insert_row`: one row by a kept plan; `json_text`: JSON written by orjson as the standard library would."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from haidang.access.models import Agency
from haidang.common.bulkinsert import insert_row, page_cache
from haidang.places.models import AdministrativeUnit


def _cache_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_page_cache_is_larger_during_the_write_and_set_back_after(settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: other databases are left as they are")
    settings.IMPORT_SQLITE_CACHE_MB = 8
    before = _cache_size()
    with page_cache():
        assert _cache_size() == -8 * 1024
    assert _cache_size() == before
    with pytest.raises(RuntimeError), page_cache():
        raise RuntimeError
    assert _cache_size() == before


@pytest.mark.django_db
def test_a_single_row_insert_keeps_its_plan_but_fills_each_rows_own_defaults(demo_users):
    """`insert_row` keeps the statement per connection and table, never the values: each row gets its own
    id (a callable default) and the time of its own call (auto_now), and the fixed defaults."""
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    times = [datetime(2026, 7, 1, 8, 0, tzinfo=UTC), datetime(2026, 7, 2, 9, 30, tzinfo=UTC)]
    for name, moment in zip(("Đội một", "Đội hai"), times, strict=True):
        with time_machine.travel(moment, tick=False):
            insert_row(Agency, {"name": name, "unit_id": hanoi.pk, "agency_type": "police"})
    one, two = (Agency.objects.get(name=name) for name in ("Đội một", "Đội hai"))
    assert one.pk != two.pk
    assert [(a.created_at, a.updated_at, a.is_active) for a in (one, two)] == [(t, t, True) for t in times]


@pytest.mark.django_db
def test_many_rows_get_their_keys_in_order_and_one_row_gets_one(demo_users):
    """Keys left to `new_id` are made in blocks (`new_ids`): every row its own, in the rows' order, after the
    keys made before."""
    from haidang.common.bulkinsert import insert_rows
    from haidang.common.ids import new_id

    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    before = new_id()
    names = [f"Đội {n:04d}" for n in range(1300)]  # past a few blocks
    assert insert_rows(Agency, [{"name": n, "unit_id": hanoi.pk, "agency_type": "police"} for n in names]) == 1300
    keys = list(Agency.objects.filter(name__in=names).order_by("name").values_list("pk", flat=True))
    assert len(set(keys)) == 1300 and keys == sorted(keys) and keys[0] > before
    insert_row(Agency, {"name": "Đội cuối", "unit_id": hanoi.pk, "agency_type": "police"})
    assert Agency.objects.get(name="Đội cuối").pk > keys[-1]


@pytest.mark.django_db(transaction=True)
def test_a_refused_row_is_djangos_integrity_error_and_nothing_of_the_call_is_kept(demo_users):
    """On PostgreSQL the rows go by COPY: a constraint it breaks is still Django's IntegrityError, and the
    statement is all or nothing, as an INSERT per row inside the caller's transaction is."""
    from django.db import IntegrityError, transaction

    from haidang.common.bulkinsert import insert_rows

    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    taken = Agency.objects.filter(is_active=True).first().pk
    rows = [{"name": "Đội mới", "unit_id": hanoi.pk, "agency_type": "police"}, {"id": taken, "name": "Trùng"}]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Agency, rows)
    assert not Agency.objects.filter(name__in=["Đội mới", "Trùng"]).exists()


def test_json_is_written_as_the_standard_library_writes_it():
    """`json_text` (orjson) reads back as `json.dumps(cls=DjangoJSONEncoder)` does, value for value: times
    in Django's form (milliseconds, "Z"), amounts as text, keys of other types as text, and what orjson
    refuses written by the standard library."""
    import json
    from decimal import Decimal
    from uuid import UUID

    from django.core.serializers.json import DjangoJSONEncoder
    from django.utils.translation import gettext_lazy

    from haidang.cases.models import CaseStatus
    from haidang.common.jsontext import json_text

    values = {
        "day": datetime(2026, 3, 1, 7, 5, 9, 123456, tzinfo=UTC).date(),
        "at": datetime(2026, 3, 1, 7, 5, 9, 123456, tzinfo=UTC),
        "amount": Decimal("1250000.50"),
        "id": UUID("01a2438c-638a-75a2-bdd1-c45c447c2b7d"),
        "name": "Lò Thị Mai (minh họa)",
        "status": CaseStatus.RECEIVED,
        "label": gettext_lazy("status"),
        "nested": [{"2": [1, 2.5, None, True]}, ("a", "b")],
        5: "a key that is a number",
    }
    written = json_text(DjangoJSONEncoder)(values)
    assert json.loads(written) == json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    assert '"at":"2026-03-01T07:05:09.123Z"' in written and "Lò Thị Mai" in written  # orjson's own form
    large = {**values, "large": 2**70}  # past orjson's 64 bits: the standard library writes it all
    assert json.loads(json_text(DjangoJSONEncoder)(large)) == json.loads(json.dumps(large, cls=DjangoJSONEncoder))
    plain = {"name": "Mai", "n": [1, 2]}
    assert json.loads(json_text()(plain)) == plain
    with pytest.raises(TypeError):  # as `json.dumps` without an encoder
        json_text()({"at": values["at"]})
