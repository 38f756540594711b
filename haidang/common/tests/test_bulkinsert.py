"""`page_cache`: SQLite's page cache is larger while an import writes, and the connection's own afterwards."""

import pytest
from django.db import connection

from haidang.common.bulkinsert import page_cache


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
