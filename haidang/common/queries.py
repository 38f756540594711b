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
