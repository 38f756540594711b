"""One release protected: primary suppression, complements until the audit passes, rounding and
rates (`protect`); `grid` builds the cells of a row × category × period table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from haidang.statistics.disclosure.auditing import audit
from haidang.statistics.disclosure.cells import (
    SENSITIVE_REASONS,
    AuditResult,
    CellResult,
    DisclosureError,
    Earlier,
    Key,
    Kind,
    Protected,
    Range,
    Reason,
    Relation,
    Rules,
    Structure,
)
from haidang.statistics.disclosure.relations import derive_relations


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


class _Pattern:
    """The suppression pattern of one release while it is chosen: the true figures, the relations
    between the cells, and why each hidden cell is hidden (`reasons`)."""

    def __init__(
        self, values: Mapping[Key, int], structure: Structure, rules: Rules, earlier: dict[Key, Earlier]
    ) -> None:
        self.values = values
        self.rules = rules
        self.earlier = earlier
        self.locked = {key for key, item in earlier.items() if item.published}  # cannot be taken back
        truth: dict[Key, int] = {key: item.value for key, item in earlier.items()}
        # A figure recomputed now replaces its earlier value, except one already out in the world.
        truth.update({key: value for key, value in values.items() if key not in self.locked})
        self.truth = truth
        self.relations = derive_relations(truth.keys(), structure)
        self.reasons = primary_suppression(values, self.relations, structure, rules)
        for key, item in earlier.items():
            if key in values and not item.published:
                # Hidden before: for its own sake (still sensitive) or as a complement (still one).
                self.reasons.setdefault(key, Reason.EARLIER if item.sensitive else Reason.SECONDARY)
        self.earlier_hidden = {key for key, item in earlier.items() if not item.published and key not in values}
        self.memo: dict = {}  # the audit's answers for blocks already solved (auditing.audit)
        self.by_key: dict[Key, list[Relation]] = defaultdict(list)
        self.positions: dict[Key, list[int]] = defaultdict(list)
        for position, relation in enumerate(self.relations):
            for key in relation.keys:
                self.by_key[key].append(relation)
                self.positions[key].append(position)
        # Relations that asked for nothing the last time the heuristic looked at them, none of whose
        # cells has been hidden since: looking again would ask for nothing again.
        self.settled: set[int] = set()
        self._targets = {k for k in self.reasons if k in self.values and self.sensitive(k)} | {
            k for k in self.earlier_hidden if self.sensitive(k)
        }

    def hide(self, key: Key) -> None:
        """Hide `key` as a complement."""
        self.reasons[key] = Reason.SECONDARY
        self.settled.difference_update(self.positions[key])
        if key in self.values and self.sensitive(key):  # a complement is not one, unless hidden before
            self._targets.add(key)

    def sensitive(self, key: Key) -> bool:
        if key in self.locked:
            return False
        earlier = self.earlier
        if key in earlier and not earlier[key].published and earlier[key].sensitive:
            return True
        return self.reasons.get(key) in SENSITIVE_REASONS

    def targets(self) -> set[Key]:
        """The cells that must keep a range (kept up to date by `hide`, the only change of `reasons`)."""
        return set(self._targets)

    def hidden_now(self) -> list[Key]:
        return [k for k in self.reasons if k in self.values and k not in self.locked]

    def unknown(self, key: Key) -> bool:
        return (key in self.reasons and key not in self.locked) or key in self.earlier_hidden or key not in self.truth

    def worth_protecting(self, key: Key) -> bool:
        # A hidden cell whose exact value would help unpick a sensitive one.
        return self.sensitive(key) or (self.reasons.get(key) == Reason.SECONDARY and self.truth.get(key, 0) > 0)

    def candidates(self, relation: Relation) -> list[Key]:
        return [k for k in relation.keys if k in self.values and k not in self.reasons and k not in self.locked]

    def complement(self, relation: Relation, mass: int) -> Key | None:
        values = self.values
        options = self.candidates(relation)
        if not options:
            return None
        # Parts before the total; non-zero before zero; the smallest cell that brings the hidden
        # mass up to the threshold, else the largest available.
        parts = [k for k in options if k != relation.total] or options
        nonzero = [k for k in parts if values[k] > 0] or parts
        nonzero.sort(key=lambda k: (values[k], k))
        for key in nonzero:
            if mass + values[key] >= self.rules.threshold:
                return key
        return nonzero[-1]

    def heuristic_pass(self) -> bool:
        """One pass of the cheap rule over the relations: a relation with a cell worth protecting and
        a single hidden cell, or too little hidden mass under a known total, gets a complement. A
        relation's answer depends only on its own cells, so a settled one is skipped."""
        changed = False
        settled = self.settled
        for position, relation in enumerate(self.relations):
            if position in settled:
                continue
            settled.add(position)  # undone by `hide` if one of its cells is hidden
            hidden = [k for k in relation.keys if self.unknown(k)]
            if not any(self.worth_protecting(k) for k in hidden):
                continue
            hidden_parts = [k for k in hidden if k != relation.total]
            mass = sum(self.truth.get(k, 0) for k in hidden_parts)
            free = any(k not in self.truth for k in hidden)
            needs = len(hidden) == 1 or (not free and not self.unknown(relation.total) and mass < self.rules.threshold)
            if needs:
                key = self.complement(relation, mass)
                if key is not None:
                    self.hide(key)
                    changed = True
        return changed

    def audit(self, only: set[Key], *, exact: bool = True) -> AuditResult:
        return audit(
            self.truth,
            self.hidden_now(),
            self.relations,
            threshold=self.rules.threshold,
            earlier_suppressed=self.earlier_hidden,
            only=only,
            certify=True,
            exact=exact,
            memo=self.memo,
        )

    def best_complement(self, failing: Key) -> Key | None:
        """The smallest complement next to a cell that failed the audit, else next to its neighbours."""
        values, by_key = self.values, self.by_key
        best = None
        for relation in by_key[failing]:
            hidden_parts = [k for k in relation.parts if self.unknown(k)]
            key = self.complement(relation, sum(self.truth.get(k, 0) for k in hidden_parts))
            if key is not None and (best is None or values[key] < values[best]):
                best = key
        if best is None:
            # Nothing left next to it: open up the neighbours' relations.
            for relation in by_key[failing]:
                for neighbour in relation.keys:
                    for other in by_key[neighbour]:
                        key = self.complement(other, 0)
                        if key is not None and (best is None or values[key] < values[best]):
                            best = key
        return best

    def suppress(self, max_rounds: int | None) -> list[Range]:
        """Add complements until the audit passes or nothing more can be added; returns the failures."""
        rounds = max_rounds if max_rounds is not None else len(self.values) + 1
        # Suppressing one more cell only widens every range, so a cell that passed stays passed and
        # later rounds audit only the others.
        protected: set[Key] = set()
        failures: list = []
        for _round in range(rounds):
            while self.heuristic_pass():
                pass
            # Which cells pass is all a round needs; the record below is the exact audit.
            partial = self.audit(self.targets() - protected, exact=False)
            protected |= {item.key for item in partial.ranges if item.width >= self.rules.threshold}
            failures = partial.failures
            if not failures:
                break
            added = False
            for failing in failures:
                best = self.best_complement(failing.key)
                if best is not None and best not in self.reasons:
                    self.hide(best)
                    added = True
            if not added:
                break
        return failures


def _published_cells(values: Mapping[Key, int], reasons: Mapping[Key, Reason], rules: Rules) -> dict[Key, CellResult]:
    """Every cell as it may leave: suppressed with its reason, or rounded with its share of the row."""
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
    return cells


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
    pattern = _Pattern(values, structure, rules, dict(earlier or {}))
    failures = pattern.suppress(max_rounds)
    if failures:
        raise DisclosureError(
            f"{len(failures)} suppressed cell(s) cannot be protected to a range of {rules.threshold}."
        )
    # The record: every sensitive cell's range under the final pattern, certified to be at least
    # the threshold wide (`certify`: the stored low and high are values the cell can really take).
    result = pattern.audit(pattern.targets())
    if not result.passed:  # cannot happen (monotone), but the record must never say otherwise
        raise DisclosureError(f"{len(result.failures)} suppressed cell(s) failed the final audit.")
    return Protected(cells=_published_cells(values, pattern.reasons, rules), audit=result, rules=rules)


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
