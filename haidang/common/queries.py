"""Query shapes shared by the selectors: several counts in one statement, a list whose count is known."""

from collections.abc import Sequence

from django.db import connections
from django.db.models import QuerySet


def counts(**querysets: QuerySet) -> dict[str, int]:
    """COUNT(*) of each queryset, all in one statement (one round trip instead of one each).

    `counts(waiting=a, overdue=b)` runs `SELECT (SELECT COUNT(*) FROM (a)), (SELECT COUNT(*) FROM (b))`;
    each sub-select keeps its own plan, so nothing is counted differently from `queryset.count()`.
    """
    if not querysets:
        return {}
    parts, params, alias = [], [], None
    for number, queryset in enumerate(querysets.values()):
        alias = alias or queryset.db
        sql, sql_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{number})")  # noqa: S608 (compiled SQL)
        params.extend(sql_params)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, (int(value) for value in row), strict=True))


class Counted(Sequence):
    """A queryset whose count is already known (from `counts`): a Paginator slices it without counting."""

    def __init__(self, queryset: QuerySet, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]

    def __iter__(self):
        return iter(self.queryset)


class PageFirst(Sequence):
    """A list read page by page: the page's keys first, then only those rows, joined.

    `queryset[a:b]` on a filtered, ordered list makes the database join every matching row to
    its related tables before it sorts and keeps one page (at national scale: 11,000 cases of a
    province joined to 14,000 units to show 50). Here the ordering and the LIMIT run on the main
    table alone (served by its indexes), then `rows(keys)` reads just those rows with whatever
    joins they need; the page keeps the order of the keys.

    `rows(keys)` returns {key: row}; `count` is the total when already known (else counted).
    """

    def __init__(self, queryset: QuerySet, rows, *, count: int | None = None):
        self.queryset, self._rows, self._count = queryset, rows, count

    def count(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            page = self[index : index + 1]
            if not page:
                raise IndexError(index)
            return page[0]
        keys = list(self.queryset.values_list("pk", flat=True)[index])
        if not keys:
            return []
        found = self._rows(keys)
        return [found[key] for key in keys if key in found]

    def __iter__(self):
        return iter(self[0 : self.count()])
