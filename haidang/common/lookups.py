"""`field__in_ids=Ids([...])`: membership in a long list of integer ids, sent as one parameter.

`unit_id IN (1, 2, ..., 750)` costs Django work per id on every query (resolving and checking
each value, compiling and binding a parameter each): for a province-wide scope that was most of a
request's Python time. `Ids` holds the list as one opaque value (Django does not walk it) and the
lookup sends it as one parameter: `= ANY(%s)` with an array on PostgreSQL (planned like an IN
list), `IN (SELECT value FROM json_each(%s))` on SQLite (a JSON array).
"""

import json

from django.db.models import Field, ForeignObject, Lookup


class Ids:
    """An immutable list of integer ids that Django's query building treats as one value."""

    __slots__ = ("_json", "_pg", "values")

    def __init__(self, values):
        self.values = tuple(int(value) for value in values)
        self._json = self._pg = None

    def as_json(self) -> str:
        if self._json is None:
            self._json = json.dumps(self.values)
        return self._json

    def as_array_literal(self) -> str:
        """'{1,2,3}': made once, then bound as one text value (psycopg adapts a list item by item)."""
        if self._pg is None:
            self._pg = "{" + ",".join(str(value) for value in self.values) + "}"
        return self._pg

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        return f"Ids({len(self.values)} ids)"


class InIds(Lookup):
    lookup_name = "in_ids"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs if isinstance(self.rhs, Ids) else Ids(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs.as_array_literal()]
        # lhs is a compiled column reference, never user input; the ids are a bound parameter.
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, self.rhs.as_json()]  # noqa: S608


def register() -> None:
    Field.register_lookup(InIds)
    # Relations keep their own lookups (they do not inherit Field's): `unit__in_ids` needs this.
    ForeignObject.register_lookup(InIds)
