"""The audit: the range of each suppressed cell over every non-negative table consistent with the
published figures, by linear programming (the LP relaxation, tightened to integers).

Relations enter in the form that holds in the true figures: as an equality when it holds (persons
counted once), otherwise as the inequalities every count of distinct things obeys.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import bmat, csr_matrix, vstack

from haidang.statistics.disclosure.cells import AuditResult, DisclosureError, Key, Range, Relation


class _InfeasibleError(Exception):
    pass


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

    for relation in relations:
        free = [k for k in relation.keys if k not in truth]
        known_parts = sum(truth[p] for p in relation.parts if p in truth)
        total_known = relation.total in truth
        if free and loose_free:
            for part in relation.parts:
                if part in truth and (not total_known or truth[part] <= truth[relation.total]):
                    coefs, rhs = _linear([(part, 1.0), (relation.total, -1.0)], truth, unknown)
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
        coefs, rhs = _linear(terms, truth, unknown)
        if holds:
            if coefs:
                equalities.append((coefs, rhs))
            continue
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
