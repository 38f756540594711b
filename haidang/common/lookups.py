"""Two lookups for hot statements: `field__in_ids=Ids([...])` and `field__in_codes=(...)`.

`in_ids`: membership in a long list of integer ids, sent as one parameter.

`unit_id IN (1, 2, ..., 750)` costs Django work per id on every query (resolving and checking
each value, compiling and binding a parameter each): for a province-wide scope that was most of a
request's Python time. `Ids` holds the list as one opaque value (Django does not walk it) and the
lookup sends it as one parameter: `= ANY(%s)` with an array on PostgreSQL (planned like an IN
list), `IN (SELECT value FROM json_each(%s))` on SQLite (a JSON array).

`in_codes`: membership in a short, fixed list of the code's own values (the waiting statuses), written
into the statement as literals instead of bound parameters. A partial index whose condition lists those
values (`WHERE status IN ('reported', 'received', 'initial_verification')`) can then serve the
statement: SQLite matches an index's condition against a bound parameter only in `x = ?`, never inside
an IN list, and a prepared PostgreSQL statement's generic plan cannot prove it at all. Write the values
in the order of the index's condition.
"""

import json
import re

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


# A code of the domain's lists: lower-case letters, digits and "_". Nothing else is ever written as a literal.
_CODE = re.compile(r"[a-z0-9_]+")


class InCodes(Lookup):
    lookup_name = "in_codes"
    prepare_rhs = False
    can_use_none_as_rhs = False

    def get_prep_lookup(self):
        codes = tuple(str(value) for value in self.rhs)
        if not codes or not all(_CODE.fullmatch(code) for code in codes):
            raise ValueError(f"in_codes takes a non-empty list of the code's own values, not {self.rhs!r}")
        return codes

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Only codes matching _CODE reach here: no quote can be in them.
        literals = ", ".join(f"'{code}'" for code in self.rhs)
        return f"{lhs} IN ({literals})", lhs_params


def register() -> None:
    Field.register_lookup(InIds)
    Field.register_lookup(InCodes)
    # Relations keep their own lookups (they do not inherit Field's): `unit__in_ids` needs this.
    ForeignObject.register_lookup(InIds)
