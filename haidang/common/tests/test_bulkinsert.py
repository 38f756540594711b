"""`page_cache`: SQLite's page cache is larger while an import writes, and the connection's own afterwards;
`insert_row`: one row by a kept plan."""

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
