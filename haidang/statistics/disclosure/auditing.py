"""The audit: the range of each suppressed cell over every non-negative table consistent with the
published figures, by linear programming (the LP relaxation, tightened to integers).

Relations enter in the form that holds in the true figures: as an equality when it holds (persons
counted once), otherwise as the inequalities every count of distinct things obeys.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import bmat, csc_array, csr_matrix, vstack

from haidang.statistics.disclosure.cells import AuditResult, DisclosureError, Key, Range, Relation

try:  # HiGHS as scipy ships it: the solver behind linprog(method="highs")
    from scipy.optimize._highspy import _core as _highs
except ImportError:  # pragma: no cover - another scipy layout: linprog does the same, more slowly
    _highs = None

OPTIMAL, INFEASIBLE, UNBOUNDED = 0, 2, 3  # linprog's status codes
_plain = {"on": False}  # see `reference_method`


@contextmanager
def reference_method() -> Iterator[None]:
    """Audit the plain way inside the block: every LP through `scipy.optimize.linprog`, nothing
    remembered between audits. The faster way must give the same pattern and the same ranges;
    tests and `bench/stats_national.py` compare the two on the same figures."""
    before = _plain["on"]
    _plain["on"] = True
    try:
        yield
    finally:
        _plain["on"] = before


class _InfeasibleError(Exception):
    pass


class _System:
    """One linear system (`A_ub x <= b_ub`, `A_eq x = b_eq`, bounds) minimised for many objectives.

    The model is handed to HiGHS exactly as `linprog(method="highs")` hands it (same matrix, same
    bounds, same options) and each objective is solved by a fresh HiGHS instance, so every answer
    is linprog's answer, vertex for vertex; what is saved is linprog's checking and converting of
    the same inputs again for every objective (most of the time of a small LP).
    """

    def __init__(self, a_ub, b_ub, a_eq, b_eq, bounds, *, warm: bool = False, stacked=None) -> None:
        self.args = (a_ub, b_ub, a_eq, b_eq, bounds)
        self.lp = None
        # `warm`: one HiGHS instance for every objective, each solve starting from the last basis.
        # The optimal values are the same; the optimal points reached may differ.
        self.warm = warm
        self.solver = None
        if _highs is None or _plain["on"]:
            return
        n = len(bounds)
        b_ub = np.zeros(0) if b_ub is None else np.asarray(b_ub, dtype=float)
        b_eq = np.zeros(0) if b_eq is None else np.asarray(b_eq, dtype=float)
        if stacked is None:
            empty = csr_matrix((0, n))
            a_ub = empty if a_ub is None else a_ub
            a_eq = empty if a_eq is None else a_eq
            stacked = csc_array(vstack((a_ub, a_eq)))
        matrix = stacked
        lp = _highs.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = len(b_ub) + len(b_eq)
        lp.a_matrix_.num_col_ = n
        lp.a_matrix_.num_row_ = len(b_ub) + len(b_eq)
        lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
        lp.col_lower_ = np.array([0.0 if low is None else low for low, _high in bounds], dtype=float)
        lp.col_upper_ = np.array([np.inf if high is None else high for _low, high in bounds], dtype=float)
        lp.row_lower_ = np.concatenate((np.full(len(b_ub), -np.inf), b_eq))
        lp.row_upper_ = np.concatenate((b_ub, b_eq))
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        options = _highs.HighsOptions()
        # linprog(method="highs")'s settings: presolve on, dual simplex, silent.
        # The warm rounds solve small systems from a basis: presolve would only be undone each time.
        options.presolve = "off" if warm else "on"
        options.highs_debug_level = _highs.HighsDebugLevel.kHighsDebugLevelNone
        options.log_to_console = False
        options.output_flag = False
        options.simplex_strategy = 1  # dual
        self.lp, self.options = lp, options

    def minimise(self, objective: np.ndarray) -> tuple[int, float | None, np.ndarray | None, str]:
        """(linprog status, minimum, a minimising point, message)."""
        if self.lp is None:
            a_ub, b_ub, a_eq, b_eq, bounds = self.args
            solution = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            return solution.status, solution.fun, solution.x, solution.message
        solver = self.solver
        reused = solver is not None
        if solver is None:
            solver = _highs._Highs()
            solver.passOptions(self.options)
            self.lp.col_cost_ = objective
            solver.passModel(self.lp)
            if self.warm:
                self.solver = solver
        else:
            count = len(objective)
            solver.changeColsCost(count, np.arange(count, dtype=np.int32), np.asarray(objective, dtype=float))
        solver.run()
        status = solver.getModelStatus()
        if reused and status != _highs.HighsModelStatus.kOptimal:
            self.solver = None  # anything but an optimum from a warm start is asked again of a fresh solver
            return self.minimise(objective)
        if status == _highs.HighsModelStatus.kOptimal:
            value = solver.getInfo().objective_function_value
            return OPTIMAL, value, np.array(solver.getSolution().col_value), ""
        message = solver.modelStatusToString(status)
        if status == _highs.HighsModelStatus.kInfeasible:
            return INFEASIBLE, None, None, message
        if status == _highs.HighsModelStatus.kUnbounded:
            return UNBOUNDED, None, None, message
        return 4, None, None, message


def _linear(
    terms: Iterable[tuple[Key, float]], truth: Mapping[Key, int], unknown: set[Key]
) -> tuple[dict[Key, float], float]:
    """`sum(coef * cell)` as coefficients of the unknown cells and a right-hand side from the known ones."""
    coefs: dict[Key, float] = defaultdict(float)
    constant = 0.0
    for key, coef in terms:
        if key in unknown:
            coefs[key] += coef
        else:
            constant += coef * truth[key]
    return {k: c for k, c in coefs.items() if c}, -constant


def _relation_rows(
    relations: Sequence[Relation],
    truth: Mapping[Key, int],
    unknown: set[Key],
    *,
    loose_free: bool = False,
    memo: dict | None = None,
):
    """`rows(position)`: the relation at `position` as (equalities, inequalities), each
    `sum(coef * unknown) (= or <=) rhs`, in the form that holds in the true figures.

    Cells absent from `truth` are unknown to everyone (never published): they are free variables.
    With `loose_free`, a relation with such a cell only says that each known part is at most the
    total (used when the equalities through never-published cells contradict each other). With
    `memo` (same truth and relations between calls), a relation whose cells are unknown as before
    is not rewritten again.
    """

    written: dict[int, tuple[list, list]] = {}

    def rows(position: int):
        done = written.get(position)
        if done is not None:
            return done
        relation = relations[position]
        if memo is None:
            done = _relation_constraints(relation, truth, unknown, loose_free)
        else:
            signature = (id(relation), loose_free, tuple(key in unknown for key in relation.keys))
            found = memo.get(signature)
            if found is None or found[0] is not relation:
                found = (relation, _relation_constraints(relation, truth, unknown, loose_free))
                memo[signature] = found
            done = found[1]  # the same object for the same rows: `_blocks` and `_ranges` key on it
        written[position] = done
        return done

    return rows


def _relation_constraints(relation: Relation, truth: Mapping[Key, int], unknown: set[Key], loose_free: bool):
    equalities: list[tuple[dict[Key, float], float]] = []
    inequalities: list[tuple[dict[Key, float], float]] = []
    free = [k for k in relation.keys if k not in truth]
    known_parts = sum(truth[p] for p in relation.parts if p in truth)
    total_known = relation.total in truth
    if free and loose_free:
        for part in relation.parts:
            if part in truth and (not total_known or truth[part] <= truth[relation.total]):
                coefs, rhs = _linear([(part, 1.0), (relation.total, -1.0)], truth, unknown)
                if coefs:
                    inequalities.append((coefs, rhs))
        return equalities, inequalities
    if not free:
        holds = truth[relation.total] == known_parts
    else:
        # With a never-published cell the equality can be met by that cell, if the rest allow it.
        holds = not total_known or truth[relation.total] >= known_parts
    # total - sum(parts) = 0
    terms = [(relation.total, 1.0)] + [(part, -1.0) for part in relation.parts]
    coefs, rhs = _linear(terms, truth, unknown)
    if holds:
        if coefs:
            equalities.append((coefs, rhs))
        return equalities, inequalities
    # Distinct counts: part <= total, and total <= sum(parts).
    for part in relation.parts:
        if part in truth and total_known and truth[part] > truth[relation.total]:
            continue
        coefs, rhs = _linear([(part, 1.0), (relation.total, -1.0)], truth, unknown)
        if coefs:
            inequalities.append((coefs, rhs))
    coefs, rhs = _linear(terms, truth, unknown)
    if coefs:
        inequalities.append((coefs, rhs))
    return equalities, inequalities


def _blocks(targets: Sequence[Key], relations: Sequence[Relation], rows, memo: dict | None):
    """The blocks of the system that hold targets: (cells, equalities, inequalities) of each set of
    cells linked (directly or through others) by the rows, found from the targets outwards, so that
    the rest of the release is not rewritten. Rows keep the order of their relations."""
    index = memo.get("by_key") if memo is not None else None
    if index is None or index[0] is not relations:
        by_key: dict[Key, list[int]] = defaultdict(list)
        for position, relation in enumerate(relations):
            for key in relation.keys:
                by_key[key].append(position)
        index = (relations, by_key)
        if memo is not None:
            memo["by_key"] = index
    by_key = index[1]
    # position -> [((position, kind, number), coefs)]: kind 0 equality, 1 inequality. Kept in `memo`
    # for the same rows (the same object from `rows`), which most relations keep between rounds.
    flat: dict[int, list] = {}
    kept: dict = memo.setdefault("flat", {}) if memo is not None else {}

    def rows_at(position: int) -> list:
        found = flat.get(position)
        if found is None:
            found = flat[position] = _listed(position, rows(position), kept)
        return found

    placed: set[Key] = set()
    for target in targets:
        if target in placed:
            continue
        component, frontier, found = {target}, [target], set()
        while frontier:
            key = frontier.pop()
            for position in by_key.get(key, ()):
                for row, coefs in rows_at(position):
                    if key in coefs and row not in found:
                        found.add(row)
                        fresh = [other for other in coefs if other not in component]
                        component.update(fresh)
                        frontier.extend(fresh)
        placed |= component
        equalities, inequalities = [], []
        for position, kind, number in sorted(found):
            (inequalities if kind else equalities).append(rows(position)[kind][number])
        yield component, equalities, inequalities


def _listed(position: int, written, kept: dict) -> list:
    """The rows of the relation at `position` as [((position, kind, number), coefs)], listed once per
    rows object (`kept`)."""
    known = kept.get((position, id(written)))
    if known is not None and known[0] is written:
        return known[1]
    found = [
        ((position, kind, number), coefs)
        for kind, group in enumerate(written)
        for number, (coefs, _rhs) in enumerate(group)
    ]
    kept[(position, id(written))] = (written, found)
    return found


def _bounds(
    targets: Sequence[Key],
    variables: Sequence[Key],
    equalities: Sequence[tuple[dict[Key, float], float]],
    inequalities: Sequence[tuple[dict[Key, float], float]],
    fixed_bounds: Mapping[Key, tuple[float, float | None]],
    certify: int | None = None,
    exact: bool = True,
) -> dict[Key, tuple[float, float]]:
    """Min and max of each target. With `certify`, a target is settled without its own LPs as soon as
    two solutions already found differ by `certify` in it (its true range can only be wider).

    Not `exact` (only whether each range reaches `certify` is wanted): the LPs are warm-started on one
    solver and a target is settled as soon as the points found so far span `certify`, even between
    its own minimum and maximum. Whether a range reaches `certify` is the same either way (a range
    that does not is solved to its optimal ends, which do not depend on the points); the values of
    ranges settled by points may differ from the exact ones, which are what a release stores."""
    index = {key: i for i, key in enumerate(variables)}
    # The least and greatest value of each variable over the points found so far.
    lowest = np.full(len(variables), np.inf)
    highest = np.full(len(variables), -np.inf)
    found = [0]

    def seen(point: np.ndarray) -> None:
        np.minimum(lowest, point, out=lowest)
        np.maximum(highest, point, out=highest)
        found[0] += 1

    bounds = [fixed_bounds.get(key, (0.0, None)) for key in variables]
    paired = certify is not None and len(targets) > 1
    if paired or _highs is None or _plain["on"]:  # scipy's matrices: for linprog and the pair LP
        a_eq, b_eq = _matrix(equalities, index)
        a_ub, b_ub = _matrix(inequalities, index)
    else:
        a_eq = a_ub = None
        b_eq = np.array([rhs for _coefs, rhs in equalities], dtype=float)
        b_ub = np.array([rhs for _coefs, rhs in inequalities], dtype=float)
    stacked = _Stacked(inequalities, equalities, index)
    system = _System(a_ub, b_ub, a_eq, b_eq, bounds, warm=not exact, stacked=stacked)
    result: dict[Key, tuple[float, float]] = {}
    if paired:
        for point in _pair_solutions(targets, index, a_eq, b_eq, a_ub, b_ub, bounds, certify):
            seen(point)

    def settled(target: Key) -> bool:
        if certify is None or found[0] < 2:
            return False
        i = index[target]
        # Counts are whole numbers: the points certify only the whole values between them (5.5 and
        # 15.5 span 10, but certify 6 to 15); short of the threshold, the LPs give the true ends.
        low, high = float(math.ceil(lowest[i] - 1e-6)), float(math.floor(highest[i] + 1e-6))
        if high - low < certify:
            return False
        result[target] = (low, high)
        return True

    for target in targets:
        if settled(target):
            continue
        objective = np.zeros(len(variables))
        extremes = []
        for sign in (1.0, -1.0):
            if extremes and not exact and settled(target):  # its minimum's point widened the span
                break
            objective[index[target]] = sign
            value, point = _solved(system, objective, target)
            extremes.append(sign * value)
            if point is not None:
                seen(point)
        if target in result:
            continue
        low, high = extremes
        # Counts are whole numbers: the integer range lies inside the LP range.
        low = float(math.ceil(low - 1e-6))
        high = high if high == math.inf else float(math.floor(high + 1e-6))
        result[target] = (low, high)
    return result


def _matrix(rows, index: Mapping[Key, int]):
    """Rows `(coefs, rhs)` as a sparse matrix over the variables of `index`, and their right-hand sides."""
    if not rows:
        return None, None
    data, cols, ptr, rhs = [], [], [0], []
    for coefs, value in rows:
        for key, coef in coefs.items():
            cols.append(index[key])
            data.append(coef)
        ptr.append(len(cols))
        rhs.append(value)
    return csr_matrix((data, cols, ptr), shape=(len(rows), len(index))), np.array(rhs)


class _Stacked:
    """The rows `A_ub` over `A_eq` in compressed columns, as `csc_array(vstack((A_ub, A_eq)))` holds
    them (row indices rising within each column), built straight from the rows."""

    def __init__(self, inequalities, equalities, index: Mapping[Key, int]) -> None:
        rows, cols, data = [], [], []
        number = 0
        for group in (inequalities, equalities):
            for coefs, _rhs in group:
                for key, coef in coefs.items():
                    rows.append(number)
                    cols.append(index[key])
                    data.append(coef)
                number += 1
        columns = np.array(cols, dtype=np.int32)
        order = np.argsort(columns, kind="stable")  # rows were listed rising: stable keeps them so
        self.indices = np.array(rows, dtype=np.int32)[order]
        self.data = np.array(data, dtype=float)[order]
        self.indptr = np.zeros(len(index) + 1, dtype=np.int32)
        np.cumsum(np.bincount(columns, minlength=len(index)), out=self.indptr[1:])


def _solved(system: _System, objective: np.ndarray, target: Key) -> tuple[float, np.ndarray | None]:
    """The minimum of `objective` and a point reaching it; (inf, None) when unbounded (only a maximum can be)."""
    status, value, point, message = system.minimise(objective)
    if status == UNBOUNDED:
        return -math.inf, None
    if status == INFEASIBLE:
        raise _InfeasibleError
    if status != OPTIMAL:
        raise DisclosureError(f"The audit could not solve the system for {target}: {message}")
    return value, point


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
    status, _value, point, _message = _System(pair_ub, pair_b_ub, pair_eq, pair_b_eq, pair_bounds).minimise(objective)
    if status != OPTIMAL:
        return []
    return [point[:n], point[n : 2 * n]]


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
    exact: bool = True,
    memo: dict | None = None,
) -> AuditResult:
    """The feasible range of every suppressed cell, given everything published.

    `truth` holds the true value of every cell published or suppressed (this release and earlier
    ones); cells in relations but not in `truth` were never published and are unknowns. By default
    published cells are taken as exactly known. With `published` and `rounding_base`, they are
    known only to within the rounding (the public reader's view): each lies within base // 2 of its
    published figure. `only` limits the ranges computed to those cells (the others still count as
    unknown). With `certify`, a range already known to be at least `threshold` wide is not solved to
    its ends (a quick yes/no; the record of a release uses the full ranges). `memo`, a dict kept
    between audits of the same release, answers a block of cells whose system and targets were
    already solved from the earlier answer (the solver is deterministic: the answer is the same).
    Not `exact` (with `certify`): which ranges reach the threshold is the same, found faster, but a
    range that does may come out with other ends than the exact audit's (`_bounds`); for choosing the
    pattern, not for the record.
    """
    if _plain["on"]:
        memo = None
        exact = True
    suppressed = set(suppressed)
    earlier_suppressed = set(earlier_suppressed)
    targets = sorted(suppressed | earlier_suppressed)
    checked = targets if only is None else sorted(set(only) & set(targets))
    cert = threshold if certify else None
    cached = memo.get("free") if memo is not None else None
    if cached is None or cached[0] is not relations or cached[1] is not truth:
        cached = (relations, truth, {key for relation in relations for key in relation.keys if key not in truth})
        if memo is not None:
            memo["free"] = cached
    free = cached[2]
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
    system = (truth, relations, unknown, fixed, checked, earlier_suppressed)
    try:
        ranges = _ranges(*system, loose_free=False, certify=cert, exact=exact, memo=memo)
    except _InfeasibleError:
        ranges = _ranges(*system, loose_free=True, certify=cert, exact=exact, memo=memo)
    return AuditResult(threshold=threshold, ranges=ranges, exact=not interval_mode)


def _ranges(
    truth,
    relations,
    unknown,
    fixed,
    targets,
    earlier_suppressed,
    *,
    loose_free: bool,
    certify: int | None = None,
    exact: bool = True,
    memo: dict | None = None,
) -> list[Range]:
    rows = _relation_rows(
        relations, truth, unknown, loose_free=loose_free, memo=None if memo is None else memo.setdefault("rows", {})
    )
    ranges: list[Range] = []
    # Linking goes through unknowns only, so the blocks stay small (one indicator, one area).
    for component, component_eq, component_ub in _blocks(targets, relations, rows, memo):
        component_targets = [key for key in targets if key in component]
        variables = sorted(component)
        signature = None
        if memo is not None:
            signature = (
                tuple(component_targets),
                tuple(variables),
                # The rows by identity: the same rows are the same objects (`_relation_rows`), and the
                # entry keeps them alive below, so no other row can take their ids.
                tuple(map(id, component_eq)),
                tuple(map(id, component_ub)),
                tuple(fixed.get(key) for key in variables),
                certify,
                exact,
            )
        solved = memo.setdefault("blocks", {}) if memo is not None else {}
        entry = solved.get(signature)
        if entry is None:
            bounds = _bounds(component_targets, variables, component_eq, component_ub, fixed, certify, exact)
            if memo is not None:
                solved[signature] = (bounds, component_eq, component_ub)
        else:
            bounds = entry[0]
        for key, (low, high) in bounds.items():
            ranges.append(Range(key, truth.get(key, 0), low, high, earlier=key in earlier_suppressed))
    ranges.sort(key=lambda item: item.key)
    return ranges
