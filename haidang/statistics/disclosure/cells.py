"""The data of a release: its cells (`Key`), the relations between them, the rules, the cells of
earlier releases, and the results. Plain data, no computation beyond rounding."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

TOTAL = "*"  # The category of a row total (all categories of every breakdown).
RULES_VERSION = "sdc-2026.1"


class Reason(StrEnum):
    PRIMARY = "primary"  # a count from 1 to threshold - 1
    ZERO = "zero"  # a zero inside a small total
    GROUP = "group"  # one category dominates the row
    EARLIER = "earlier"  # suppressed in an earlier release
    SECONDARY = "secondary"  # complement chosen so the others cannot be recovered


# Hidden for their own sake: these must keep a range of at least the threshold.
SENSITIVE_REASONS = frozenset({Reason.PRIMARY, Reason.GROUP, Reason.EARLIER})


class Kind(StrEnum):
    CATEGORY = "category"
    HIERARCHY = "hierarchy"
    PERIOD = "period"


class Key(NamedTuple):
    """One cell: what is counted, where, in which category of which breakdown, when.

    A named tuple: hashed and compared in C, which the audit does millions of times.
    """

    measure: str
    row: str
    variable: str  # breakdown name; "" for the row total
    category: str  # category code; TOTAL for the row total
    period: str

    @classmethod
    def total(cls, measure: str, row: str, period: str) -> Key:
        return cls(measure, row, "", TOTAL, period)

    @property
    def is_total(self) -> bool:
        return self.category == TOTAL

    def as_list(self) -> list[str]:
        return [self.measure, self.row, self.variable, self.category, self.period]

    @classmethod
    def from_list(cls, values: Sequence[str]) -> Key:
        return cls(*(str(value) for value in values))


@dataclass(frozen=True)
class Relation:
    total: Key
    parts: tuple[Key, ...]
    kind: str

    @property
    def keys(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Rules:
    threshold: int = 10
    rounding_base: int = 5  # 0 or 1: no rounding
    rate_min_denominator: int = 20
    group_share: float | None = 0.9  # None: no group-disclosure rule
    version: str = RULES_VERSION

    def round(self, value: int) -> int:
        base = self.rounding_base
        if base <= 1:
            return value
        return base * ((2 * value + base) // (2 * base))  # to the nearest multiple, halves up

    def as_dict(self) -> dict:
        return {
            "threshold": self.threshold,
            "rounding_base": self.rounding_base,
            "rate_min_denominator": self.rate_min_denominator,
            "group_share": self.group_share,
            "version": self.version,
        }


@dataclass(frozen=True)
class Structure:
    """What adds up to what.

    `row_children`: parent row → every child row (complete: the children make up the parent).
    `categories`: breakdown name → every category code (complete, "unknown" included).
    `period_parts`: period → sub-periods that tile it (e.g. a year → its four quarters).
    `group_variables`: breakdowns of persons, subject to the group-disclosure rule.
    """

    row_children: Mapping[str, Sequence[str]] = field(default_factory=dict)
    categories: Mapping[str, Sequence[str]] = field(default_factory=dict)
    period_parts: Mapping[str, Sequence[Sequence[str]]] = field(default_factory=dict)
    group_variables: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Earlier:
    """A cell of an earlier release: its true value then, whether it was published, and whether it was
    hidden for its own sake (a small count or a dominated row) rather than as a complement."""

    value: int
    published: bool
    sensitive: bool = True


@dataclass
class CellResult:
    key: Key
    value: int  # the true count: stays inside the system
    published: int | None  # the figure that may leave (rounded), None when suppressed
    reason: str = ""  # why it is suppressed
    share: int | None = None  # percent of the row total, when publishable

    @property
    def suppressed(self) -> bool:
        return self.published is None


@dataclass(frozen=True)
class Range:
    key: Key
    value: int
    low: float
    high: float  # math.inf when unbounded
    earlier: bool = False  # a cell suppressed in an earlier release

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass
class AuditResult:
    threshold: int
    ranges: list[Range]
    exact: bool = True  # published figures taken as exactly known (see module docstring)

    @property
    def failures(self) -> list[Range]:
        return [item for item in self.ranges if item.width < self.threshold]

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def narrowest(self) -> float | None:
        return min((item.width for item in self.ranges), default=None)

    def as_dict(self) -> dict:
        # No true values here: the audit summary is shown to approvers next to published tables.
        return {
            "threshold": self.threshold,
            "passed": self.passed,
            "exact": self.exact,
            "checked": len(self.ranges),
            "failures": len(self.failures),
            "narrowest": None if self.narrowest in (None, math.inf) else self.narrowest,
        }


@dataclass
class Protected:
    cells: dict[Key, CellResult]
    audit: AuditResult
    rules: Rules

    @property
    def suppressed(self) -> set[Key]:
        return {key for key, cell in self.cells.items() if cell.suppressed}


class DisclosureError(ValueError):
    """The table cannot be protected under the rules (the release must be refused)."""
