"""Statistical disclosure control for published tables. Pure: no database, no Django models.

A release is a set of *cells* (indicator × row unit × breakdown category × period, with row,
column, hierarchy and period totals) plus the additive *relations* between them. This module

1. suppresses small counts (primary suppression),
2. chooses complementary cells (secondary suppression) until an audit by linear programming shows
   that no suppressed cell — of this release or of earlier releases — can be narrowed down to an
   interval shorter than the threshold from everything published,
3. rounds the published counts and computes shares only over large enough denominators.

The rules, decided here and applied by every release:

* **Threshold.** A count from 1 to `threshold - 1` (default 10, setting
  `STATISTICS_SUPPRESSION_THRESHOLD`) is suppressed.
* **Zeros.** A zero identifies nobody and is published, except where it would tell something about
  a small group: a zero category of a row whose total is itself a small count is suppressed too
  ("none of the 1–9 victims of X were men" is a disclosure about those few people).
* **Group disclosure.** For breakdowns of persons (sex, age band, origin…), when one category holds
  at least 90 % of a row total of `threshold` or more, that row's categories are all suppressed
  ("all 12 victims from X are women" says something about each of them).
* **One symbol.** Every suppressed cell is shown the same way ("—"), never "< 10": telling which
  cells are small would tell the reader each is in 1–9, a range shorter than the threshold.
* **Protection rule.** For every sensitive suppressed cell (a small count, a category of a
  dominated row, or such a cell of an earlier release), the minimum and maximum of its value over
  all non-negative tables consistent with the published figures differ by at least `threshold`.
  Complements (counts of 10 or more, or zeros) and zeros hidden inside a small row are hidden and
  count as unknown, but need no range of their own: their exact value identifies nobody. The
  audit treats every published figure as *exactly* known, not as its rounded value: it therefore
  also holds against an official who has the exact internal figures of the same cells (internal
  reports carry exact counts). The bounds come from the LP relaxation, tightened to integers.
* **Earlier releases.** A cell suppressed in an earlier release stays suppressed; a cell published
  earlier cannot be taken back, so it is never chosen as a complement; the audit covers the earlier
  releases' suppressed cells too, with their relations to the new cells (a half-year total next to a
  published quarter reveals the other quarter).
* **Rounding.** Published counts (totals included) are rounded to the nearest multiple of
  `rounding_base` (default 5), each from its own true value, so a table need not add up exactly.
  Conventional, not random, rounding: the same figure always rounds the same way, so publishing it
  again reveals nothing new.
* **Rates.** A share is published only when its denominator is at least 20 and neither the
  numerator nor the denominator is suppressed; it is computed from the true counts and rounded to
  a whole percent.

Relations are derived from the structure (categories of a breakdown sum to the row total, child
units to their parent, sub-periods to the period) and added only in the form that holds in the true
figures: as an equality when it holds (persons counted once), otherwise as the inequalities every
count of distinct things obeys (each part is at most the total, the total at most the sum of the
parts — a person with two forms of exploitation is in two categories but once in the total).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import bmat, csr_matrix, vstack

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


# --- Relations ------------------------------------------------------------------------------------


def derive_relations(keys: Iterable[Key], structure: Structure) -> list[Relation]:
    """Every additive relation among `keys` that the structure implies.

    A relation is kept when at least one of its parts is among `keys`; its other parts may be
    absent (cells nobody published): they enter the audit as unknowns.
    """
    keys = set(keys)
    relations: list[Relation] = []
    seen: set[tuple] = set()

    def add(total: Key, parts: list[Key], kind: str) -> None:
        if not parts or not (total in keys or any(part in keys for part in parts)):
            return
        if not any(part in keys for part in parts):
            return
        signature = (total, tuple(parts))
        if signature not in seen:
            seen.add(signature)
            relations.append(Relation(total, tuple(parts), kind))

    for key in sorted(keys):
        # Categories of a breakdown add up to the row total.
        if not key.is_total and key.variable in structure.categories:
            total = Key.total(key.measure, key.row, key.period)
            parts = [Key(key.measure, key.row, key.variable, c, key.period) for c in structure.categories[key.variable]]
            add(total, parts, Kind.CATEGORY)
    parents = {child: parent for parent, children in structure.row_children.items() for child in children}
    containers: dict[str, list[tuple[str, Sequence[str]]]] = defaultdict(list)
    for whole, tilings in structure.period_parts.items():
        for tiling in tilings:
            for part in tiling:
                containers[part].append((whole, tiling))
    for key in sorted(keys):
        for row in {key.row, parents.get(key.row)} - {None}:
            if row in structure.row_children:
                parts = [
                    Key(key.measure, child, key.variable, key.category, key.period)
                    for child in structure.row_children[row]
                ]
                add(Key(key.measure, row, key.variable, key.category, key.period), parts, Kind.HIERARCHY)
        tilings = [(key.period, t) for t in structure.period_parts.get(key.period, ())] + containers.get(key.period, [])
        for whole, tiling in tilings:
            parts = [Key(key.measure, key.row, key.variable, key.category, p) for p in tiling]
            add(Key(key.measure, key.row, key.variable, key.category, whole), parts, Kind.PERIOD)
    return relations


# --- The audit ------------------------------------------------------------------------------------


class _InfeasibleError(Exception):
    pass


def _constraints(
    relations: Sequence[Relation], truth: Mapping[Key, int], unknown: set[Key], *, loose_free: bool = False
) -> tuple[list[tuple[dict[Key, float], float]], list[tuple[dict[Key, float], float]]]:
    """Each relation as `sum(coef * unknown) (= or <=) rhs`, in the form that holds in the true figures.

    Cells absent from `truth` are unknown to everyone (never published): they are free variables.
    With `loose_free`, a relation with such a cell only says that each known part is at most the
    total (used when the equalities through never-published cells contradict each other).
    """
    equalities: list[tuple[dict[Key, float], float]] = []
    inequalities: list[tuple[dict[Key, float], float]] = []

    def linear(terms: Iterable[tuple[Key, float]]) -> tuple[dict[Key, float], float]:
        coefs: dict[Key, float] = defaultdict(float)
        constant = 0.0
        for key, coef in terms:
            if key in unknown:
                coefs[key] += coef
            else:
                constant += coef * truth[key]
        return {k: c for k, c in coefs.items() if c}, -constant

    for relation in relations:
        free = [k for k in relation.keys if k not in truth]
        known_parts = sum(truth[p] for p in relation.parts if p in truth)
        total_known = relation.total in truth
        if free and loose_free:
            for part in relation.parts:
                if part in truth and (not total_known or truth[part] <= truth[relation.total]):
                    coefs, rhs = linear([(part, 1.0), (relation.total, -1.0)])
                    if coefs:
                        inequalities.append((coefs, rhs))
            continue
        if not free:
            holds = truth[relation.total] == known_parts
        else:
            # With a never-published cell the equality can be met by that cell, if the rest allow it.
            holds = not total_known or truth[relation.total] >= known_parts
        # total - sum(parts) = 0
        terms = [(relation.total, 1.0)] + [(part, -1.0) for part in relation.parts]
        coefs, rhs = linear(terms)
        if holds:
            if coefs:
                equalities.append((coefs, rhs))
            continue
        # Distinct counts: part <= total, and total <= sum(parts).
        for part in relation.parts:
            if part in truth and total_known and truth[part] > truth[relation.total]:
                continue
            coefs, rhs = linear([(part, 1.0), (relation.total, -1.0)])
            if coefs:
                inequalities.append((coefs, rhs))
        coefs, rhs = linear(terms)
        if coefs:
            inequalities.append((coefs, rhs))
    return equalities, inequalities


def _components(rows: Sequence[dict[Key, float]], keys: Iterable[Key]) -> list[set[Key]]:
    parent: dict[Key, Key] = {key: key for key in keys}

    def find(key: Key) -> Key:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for coefs in rows:
        members = list(coefs)
        for other in members[1:]:
            a, b = find(members[0]), find(other)
            if a != b:
                parent[a] = b
    groups: dict[Key, set[Key]] = defaultdict(set)
    for key in parent:
        groups[find(key)].add(key)
    return list(groups.values())


def _bounds(
    targets: Sequence[Key],
    variables: Sequence[Key],
    equalities: Sequence[tuple[dict[Key, float], float]],
    inequalities: Sequence[tuple[dict[Key, float], float]],
    fixed_bounds: Mapping[Key, tuple[float, float | None]],
    certify: int | None = None,
) -> dict[Key, tuple[float, float]]:
    """Min and max of each target. With `certify`, a target is settled without its own LPs as soon as
    two solutions already found differ by `certify` in it (its true range can only be wider)."""
    index = {key: i for i, key in enumerate(variables)}
    solutions: list[np.ndarray] = []

    def matrix(rows):
        if not rows:
            return None, None
        data, cols, ptr, rhs = [], [], [0], []
        for coefs, value in rows:
            for key, coef in coefs.items():
                cols.append(index[key])
                data.append(coef)
            ptr.append(len(cols))
            rhs.append(value)
        return csr_matrix((data, cols, ptr), shape=(len(rows), len(variables))), np.array(rhs)

    a_eq, b_eq = matrix(equalities)
    a_ub, b_ub = matrix(inequalities)
    bounds = [fixed_bounds.get(key, (0.0, None)) for key in variables]
    result: dict[Key, tuple[float, float]] = {}
    if certify is not None and len(targets) > 1:
        solutions.extend(_pair_solutions(targets, index, a_eq, b_eq, a_ub, b_ub, bounds, certify))
    for target in targets:
        if certify is not None and len(solutions) >= 2:
            seen = [vector[index[target]] for vector in solutions]
            if max(seen) - min(seen) >= certify - 1e-6:
                result[target] = (float(math.ceil(min(seen) - 1e-6)), float(math.floor(max(seen) + 1e-6)))
                continue
        objective = np.zeros(len(variables))
        extremes = []
        for sign in (1.0, -1.0):
            objective[index[target]] = sign
            solution = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if solution.status == 3:  # unbounded: only the maximum can be
                extremes.append(math.inf)
            elif solution.status == 2:
                raise _InfeasibleError
            elif solution.status != 0:
                raise DisclosureError(f"The audit could not solve the system for {target}: {solution.message}")
            else:
                extremes.append(sign * solution.fun)
                solutions.append(solution.x)
        low, high = extremes
        # Counts are whole numbers: the integer range lies inside the LP range.
        low = float(math.ceil(low - 1e-6))
        high = high if high == math.inf else float(math.floor(high + 1e-6))
        result[target] = (low, high)
    return result


def _pair_solutions(targets, index, a_eq, b_eq, a_ub, b_ub, bounds, certify: int) -> list[np.ndarray]:
    """Two feasible tables x and y as far apart as possible on every target at once.

    One LP over two copies of the system: maximise the sum of t_i with t_i <= y_i - x_i and
    0 <= t_i <= certify. Every target whose t_i reaches `certify` is settled by these two points;
    the others get their own min and max LPs.
    """
    n, k = len(bounds), len(targets)
    columns = 2 * n + k

    def doubled(matrix, rhs):
        if matrix is None:
            return None, None
        block = bmat([[matrix, None, None], [None, matrix, None]], format="csr")
        block.resize((block.shape[0], columns))
        return block, np.concatenate([rhs, rhs])

    pair_eq, pair_b_eq = doubled(a_eq, b_eq)
    pair_ub, pair_b_ub = doubled(a_ub, b_ub)
    # t_i - y_i + x_i <= 0
    rows, cols, data = [], [], []
    for i, target in enumerate(targets):
        j = index[target]
        rows += [i, i, i]
        cols += [2 * n + i, n + j, j]
        data += [1.0, -1.0, 1.0]
    spread = csr_matrix((data, (rows, cols)), shape=(k, columns))
    pair_ub = spread if pair_ub is None else vstack([pair_ub, spread], format="csr")
    pair_b_ub = np.zeros(k) if pair_b_ub is None else np.concatenate([pair_b_ub, np.zeros(k)])
    objective = np.zeros(columns)
    objective[2 * n :] = -1.0
    pair_bounds = list(bounds) + list(bounds) + [(0.0, float(certify))] * k
    solution = linprog(
        objective, A_ub=pair_ub, b_ub=pair_b_ub, A_eq=pair_eq, b_eq=pair_b_eq, bounds=pair_bounds, method="highs"
    )
    if solution.status != 0:
        return []
    return [solution.x[:n], solution.x[n : 2 * n]]


def audit(
    truth: Mapping[Key, int],
    suppressed: Iterable[Key],
    relations: Sequence[Relation],
    *,
    threshold: int,
    published: Mapping[Key, int] | None = None,
    rounding_base: int = 0,
    earlier_suppressed: Iterable[Key] = (),
    only: Iterable[Key] | None = None,
    certify: bool = False,
) -> AuditResult:
    """The feasible range of every suppressed cell, given everything published.

    `truth` holds the true value of every cell published or suppressed (this release and earlier
    ones); cells in relations but not in `truth` were never published and are unknowns. By default
    published cells are taken as exactly known. With `published` and `rounding_base`, they are
    known only to within the rounding (the public reader's view): each lies within base // 2 of its
    published figure. `only` limits the ranges computed to those cells (the others still count as
    unknown). With `certify`, a range already known to be at least `threshold` wide is not solved to
    its ends (a quick yes/no; the record of a release uses the full ranges).
    """
    suppressed = set(suppressed)
    earlier_suppressed = set(earlier_suppressed)
    targets = sorted(suppressed | earlier_suppressed)
    checked = targets if only is None else sorted(set(only) & set(targets))
    cert = threshold if certify else None
    free = {key for relation in relations for key in relation.keys if key not in truth}
    interval_mode = published is not None and rounding_base > 1
    if interval_mode:
        # Every cell is a variable; published ones are boxed by their rounding interval.
        unknown = {key for relation in relations for key in relation.keys} | set(targets)
        half = rounding_base // 2
        fixed = {
            key: (float(max(0, value - half)), float(value + half))
            for key, value in published.items()
            if key in unknown and key not in suppressed
        }
    else:
        unknown = set(targets) | free
        fixed = {}
    try:
        ranges = _ranges(truth, relations, unknown, fixed, checked, earlier_suppressed, loose_free=False, certify=cert)
    except _InfeasibleError:
        ranges = _ranges(truth, relations, unknown, fixed, checked, earlier_suppressed, loose_free=True, certify=cert)
    return AuditResult(threshold=threshold, ranges=ranges, exact=not interval_mode)


def _ranges(
    truth, relations, unknown, fixed, targets, earlier_suppressed, *, loose_free: bool, certify: int | None = None
) -> list[Range]:
    equalities, inequalities = _constraints(relations, truth, unknown, loose_free=loose_free)
    ranges: list[Range] = []
    rows = [coefs for coefs, _ in equalities] + [coefs for coefs, _ in inequalities]
    # Linking goes through unknowns only, so the components stay small (one indicator, one area).
    for component in _components(rows, unknown):
        component_targets = [key for key in targets if key in component]
        if not component_targets:
            continue
        variables = sorted(component)
        component_eq = [(c, v) for c, v in equalities if next(iter(c)) in component]
        component_ub = [(c, v) for c, v in inequalities if next(iter(c)) in component]
        bounds = _bounds(component_targets, variables, component_eq, component_ub, fixed, certify)
        for key, (low, high) in bounds.items():
            ranges.append(Range(key, truth.get(key, 0), low, high, earlier=key in earlier_suppressed))
    ranges.sort(key=lambda item: item.key)
    return ranges


# --- Protection -----------------------------------------------------------------------------------


def primary_suppression(
    values: Mapping[Key, int], relations: Sequence[Relation], structure: Structure, rules: Rules
) -> dict[Key, str]:
    """Cells that may not be published whatever else is: small counts, zeros of small groups, dominated rows."""
    reasons: dict[Key, str] = {}
    small = {key for key, value in values.items() if 0 < value < rules.threshold}
    for key in small:
        reasons[key] = Reason.PRIMARY
    for relation in relations:
        # Only along a breakdown: "none of the 3 were men" is about those 3; a province with no
        # victims says nothing about the victims counted elsewhere.
        if relation.total in small and relation.kind == Kind.CATEGORY:
            for part in relation.parts:
                if values.get(part) == 0:
                    reasons.setdefault(part, Reason.ZERO)
        if (
            rules.group_share is not None
            and relation.kind == Kind.CATEGORY
            and relation.parts
            and relation.parts[0].variable in structure.group_variables
        ):
            total = values.get(relation.total)
            parts = [values.get(part) for part in relation.parts if part in values]
            if total and total >= rules.threshold and parts and max(parts) >= rules.group_share * total:
                for part in relation.parts:
                    if part in values:
                        reasons.setdefault(part, Reason.GROUP)
    return reasons


def protect(
    values: Mapping[Key, int],
    structure: Structure,
    rules: Rules = Rules(),  # noqa: B008 - frozen, so sharing the default is safe
    earlier: Mapping[Key, Earlier] | None = None,
    *,
    max_rounds: int | None = None,
) -> Protected:
    """Suppress, complement, audit and round one release (all its tables together).

    `values`: the true count of every cell the release would publish, margins included.
    `earlier`: cells of earlier releases (same indicators) with their values then.
    Raises DisclosureError when no suppression pattern passes the audit.

    The cells that must keep a range of `threshold` are the sensitive ones: small counts, the
    categories of a dominated row, and such cells of earlier releases. Complements are large counts
    (or zeros) whose exact value identifies nobody, and a zero hidden inside a small row is hidden so
    as not to describe that row; neither needs a range of its own, but both count as unknown.
    """
    earlier = dict(earlier or {})
    locked = {key for key, item in earlier.items() if item.published}  # cannot be taken back
    truth: dict[Key, int] = {key: item.value for key, item in earlier.items()}
    # A figure recomputed now replaces its earlier value, except one already out in the world.
    truth.update({key: value for key, value in values.items() if key not in locked})
    relations = derive_relations(truth.keys(), structure)
    reasons = primary_suppression(values, relations, structure, rules)
    for key, item in earlier.items():
        if key in values and not item.published:
            # Hidden before: for its own sake (still sensitive) or as a complement (still one).
            reasons.setdefault(key, Reason.EARLIER if item.sensitive else Reason.SECONDARY)
    earlier_hidden = {key for key, item in earlier.items() if not item.published and key not in values}
    by_key: dict[Key, list[Relation]] = defaultdict(list)
    for relation in relations:
        for key in relation.keys:
            by_key[key].append(relation)

    def sensitive(key: Key) -> bool:
        if key in locked:
            return False
        if key in earlier and not earlier[key].published and earlier[key].sensitive:
            return True
        return reasons.get(key) in SENSITIVE_REASONS

    def targets() -> set[Key]:
        return {k for k in reasons if k in values and sensitive(k)} | {k for k in earlier_hidden if sensitive(k)}

    def hidden_now() -> list[Key]:
        return [k for k in reasons if k in values and k not in locked]

    def unknown(key: Key) -> bool:
        return (key in reasons and key not in locked) or key in earlier_hidden or key not in truth

    def worth_protecting(key: Key) -> bool:
        # A hidden cell whose exact value would help unpick a sensitive one.
        return sensitive(key) or (reasons.get(key) == Reason.SECONDARY and truth.get(key, 0) > 0)

    def candidates(relation: Relation) -> list[Key]:
        return [k for k in relation.keys if k in values and k not in reasons and k not in locked]

    def complement(relation: Relation, mass: int) -> Key | None:
        options = candidates(relation)
        if not options:
            return None
        # Parts before the total; non-zero before zero; the smallest cell that brings the hidden
        # mass up to the threshold, else the largest available.
        parts = [k for k in options if k != relation.total] or options
        nonzero = [k for k in parts if values[k] > 0] or parts
        nonzero.sort(key=lambda k: (values[k], k))
        for key in nonzero:
            if mass + values[key] >= rules.threshold:
                return key
        return nonzero[-1]

    def heuristic_pass() -> bool:
        changed = False
        for relation in relations:
            hidden = [k for k in relation.keys if unknown(k)]
            if not any(worth_protecting(k) for k in hidden):
                continue
            hidden_parts = [k for k in hidden if k != relation.total]
            mass = sum(truth.get(k, 0) for k in hidden_parts)
            free = any(k not in truth for k in hidden)
            needs = len(hidden) == 1 or (not free and not unknown(relation.total) and mass < rules.threshold)
            if needs:
                key = complement(relation, mass)
                if key is not None:
                    reasons[key] = Reason.SECONDARY
                    changed = True
        return changed

    rounds = max_rounds if max_rounds is not None else len(values) + 1
    # Suppressing one more cell only widens every range, so a cell that passed stays passed and
    # later rounds audit only the others.
    protected: set[Key] = set()
    failures: list = []
    for _round in range(rounds):
        while heuristic_pass():
            pass
        partial = audit(
            truth,
            hidden_now(),
            relations,
            threshold=rules.threshold,
            earlier_suppressed=earlier_hidden,
            only=targets() - protected,
            certify=True,
        )
        protected |= {item.key for item in partial.ranges if item.width >= rules.threshold}
        failures = partial.failures
        if not failures:
            break
        added = False
        for failing in failures:
            best = None
            for relation in by_key[failing.key]:
                hidden_parts = [k for k in relation.parts if unknown(k)]
                key = complement(relation, sum(truth.get(k, 0) for k in hidden_parts))
                if key is not None and (best is None or values[key] < values[best]):
                    best = key
            if best is None:
                # Nothing left next to it: open up the neighbours' relations.
                for relation in by_key[failing.key]:
                    for neighbour in relation.keys:
                        for other in by_key[neighbour]:
                            key = complement(other, 0)
                            if key is not None and (best is None or values[key] < values[best]):
                                best = key
            if best is not None and best not in reasons:
                reasons[best] = Reason.SECONDARY
                added = True
        if not added:
            break
    if failures:
        raise DisclosureError(
            f"{len(failures)} suppressed cell(s) cannot be protected to a range of {rules.threshold}."
        )
    # The record: every sensitive cell's range under the final pattern, certified to be at least
    # the threshold wide (`certify`: the stored low and high are values the cell can really take).
    result = audit(
        truth,
        hidden_now(),
        relations,
        threshold=rules.threshold,
        earlier_suppressed=earlier_hidden,
        only=targets(),
        certify=True,
    )
    if not result.passed:  # cannot happen (monotone), but the record must never say otherwise
        raise DisclosureError(f"{len(result.failures)} suppressed cell(s) failed the final audit.")
    cells: dict[Key, CellResult] = {}
    for key, value in values.items():
        if key in reasons:
            cells[key] = CellResult(key, value, None, str(reasons[key]))
        else:
            cells[key] = CellResult(key, value, rules.round(value))
    for key, cell in cells.items():
        if key.is_total or cell.suppressed:
            continue
        total = cells.get(Key.total(key.measure, key.row, key.period))
        cell.share = rate(cell, total, rules)
    return Protected(cells=cells, audit=result, rules=rules)


def rate(numerator: CellResult | None, denominator: CellResult | None, rules: Rules) -> int | None:
    """A whole percent from the true counts, or None when it may not be published."""
    if numerator is None or denominator is None or numerator.suppressed or denominator.suppressed:
        return None
    if denominator.value < rules.rate_min_denominator:
        return None
    return round(100 * numerator.value / denominator.value)


def grid(
    measure: str,
    variable: str,
    interior: Mapping[tuple[str, str, str], int],
    *,
    structure: Structure | None = None,
    totals: Mapping[tuple[str, str], int] | None = None,
) -> dict[Key, int]:
    """Cells of a row × category × period table, with its row totals and, for parent rows and whole
    periods in `structure`, their cells.

    `interior` maps (row, category, period) to counts for the leaf rows and periods. Row totals come
    from `totals` ((row, period) → count) when given — distinct counts need not be sums — else are
    summed; parent rows and whole periods are summed from their children.
    """
    structure = structure or Structure()
    values: dict[Key, int] = {}
    for (row, category, period), value in interior.items():
        values[Key(measure, row, variable, category, period)] = int(value)
    rows = {row for row, _, _ in interior}
    periods = {period for _, _, period in interior}
    for row in rows:
        for period in periods:
            if totals is not None and (row, period) in totals:
                values[Key.total(measure, row, period)] = int(totals[(row, period)])
            else:
                values[Key.total(measure, row, period)] = sum(
                    value for (r, _, p), value in interior.items() if r == row and p == period
                )
    # Parents and whole periods, bottom-up, by summing what is there.
    for parent, children in structure.row_children.items():
        for key in [k for k in list(values) if k.row == children[0]]:
            values[Key(measure, parent, key.variable, key.category, key.period)] = sum(
                values.get(Key(measure, child, key.variable, key.category, key.period), 0) for child in children
            )
    for whole, tilings in structure.period_parts.items():
        tiling = tilings[0]
        for key in [k for k in list(values) if k.period == tiling[0]]:
            values[Key(measure, key.row, key.variable, key.category, whole)] = sum(
                values.get(Key(measure, key.row, key.variable, key.category, p), 0) for p in tiling
            )
    return values
