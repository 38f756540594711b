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

One module per part: `cells` (the data), `relations`, `auditing` (the linear-programming audit)
and `protection` (suppression, rounding and rates); every public name is importable from here.
"""

from haidang.statistics.disclosure.auditing import audit, reference_method
from haidang.statistics.disclosure.cells import (
    RULES_VERSION,
    SENSITIVE_REASONS,
    TOTAL,
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
from haidang.statistics.disclosure.protection import grid, primary_suppression, protect, rate
from haidang.statistics.disclosure.relations import derive_relations

__all__ = [
    "RULES_VERSION",
    "SENSITIVE_REASONS",
    "TOTAL",
    "AuditResult",
    "CellResult",
    "DisclosureError",
    "Earlier",
    "Key",
    "Kind",
    "Protected",
    "Range",
    "Reason",
    "Relation",
    "Rules",
    "Structure",
    "audit",
    "derive_relations",
    "grid",
    "primary_suppression",
    "protect",
    "rate",
    "reference_method",
]
