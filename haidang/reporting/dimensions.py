"""The dimensions a figure can be broken down by, each a fixed code list with translated labels.

A report value stores one column per dimension; a blank column means "all values" of that
dimension, so the total of an indicator is the row with every column blank. The age bands follow
the Criminal Code's lines for trafficking in children (Art. 151: under 16) and in persons aged
16 and 17 (Art. 150), and adults.
"""

from dataclasses import dataclass
from datetime import date
from itertools import product

from django.utils.translation import gettext_lazy as _

from haidang.common.ages import age_band, age_on
from haidang.prevention.models import ActivityType, MaterialKind


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str
    values: tuple[tuple[str, str], ...]  # (code, label), in display order

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label in self.values)

    def label_of(self, code: str) -> str:
        if not code:
            return str(_("Total"))
        return str(dict(self.values).get(code, code))


UNKNOWN = "unknown"

SEX = Dimension(
    "sex",
    _("Sex"),
    (("female", _("Female")), ("male", _("Male")), (UNKNOWN, _("Not known"))),
)
AGE_BAND = Dimension(
    "age_band",
    _("Age band"),
    (
        ("under_16", _("Under 16")),
        ("16_17", _("16 to under 18")),
        ("18_plus", _("18 and over")),
        (UNKNOWN, _("Age not known")),
    ),
)
NATIONALITY = Dimension(
    "nationality",
    _("Nationality"),
    (("vietnamese", _("Vietnamese")), ("foreign", _("Foreign")), ("stateless", _("Stateless"))),
)
MATERIAL_KIND = Dimension("material_kind", _("Material"), tuple(MaterialKind.choices))
ACTIVITY_TYPE = Dimension("activity_type", _("Activity type"), tuple(ActivityType.choices))

DIMENSIONS: dict[str, Dimension] = {d.code: d for d in (SEX, AGE_BAND, NATIONALITY, MATERIAL_KIND, ACTIVITY_TYPE)}
# Column order of ReportValue (and of the key tuples below).
DIMENSION_CODES: tuple[str, ...] = tuple(DIMENSIONS)

# A cell of a breakdown: (dimension code, value code) pairs in the indicator's breakdown order.
Cell = tuple[tuple[str, str], ...]
TOTAL: Cell = ()


def validate_breakdowns(codes) -> list[str]:
    """The unknown or repeated dimension codes in `codes` (empty when all are fine)."""
    if not isinstance(codes, list | tuple):
        return [str(codes)]
    seen: set[str] = set()
    bad = []
    for code in codes:
        if code not in DIMENSIONS or code in seen:
            bad.append(str(code))
        seen.add(code)
    return bad


def cells(breakdowns) -> list[Cell]:
    """Every cell an indicator has: the total first, then each single dimension's values, then the
    full cross-product (sex × age band). Sums over a dimension are stored, not recomputed, so a
    figure entered by hand only as totals still rolls up."""
    breakdowns = list(breakdowns or [])
    result: list[Cell] = [TOTAL]
    if len(breakdowns) > 1:
        for code in breakdowns:
            result.extend(((code, value),) for value in DIMENSIONS[code].codes)
    if breakdowns:
        result.extend(full_cells(breakdowns))
    return result


def full_cells(breakdowns) -> list[Cell]:
    """The finest cells only (the cross-product), or the total for an indicator without breakdowns."""
    breakdowns = list(breakdowns or [])
    if not breakdowns:
        return [TOTAL]
    values = product(*(DIMENSIONS[code].codes for code in breakdowns))
    return [tuple(zip(breakdowns, combination, strict=True)) for combination in values]


def cell_columns(cell: Cell) -> dict[str, str]:
    """The ReportValue dimension columns for a cell (every column present, blank = all)."""
    columns = dict.fromkeys(DIMENSION_CODES, "")
    columns.update(dict(cell))
    return columns


def cell_from_columns(row, breakdowns) -> Cell:
    """The cell a ReportValue (or a dict of its columns) stands for, in breakdown order."""
    get = row.get if isinstance(row, dict) else lambda code: getattr(row, code)
    return tuple((code, get(code)) for code in breakdowns if get(code))


def cell_label(cell: Cell) -> str:
    if not cell:
        return str(_("Total"))
    return " · ".join(DIMENSIONS[code].label_of(value) for code, value in cell)


def cell_key(cell: Cell) -> str:
    """A stable text key for a cell, e.g. "sex=female|age_band=under_16" ("" for the total)."""
    return "|".join(f"{code}={value}" for code, value in cell)


def value_field(indicator_code: str, cell: Cell) -> str:
    """The name of a figure in forms and validation errors: "values[<indicator>][<cell key>]"."""
    return f"values[{indicator_code}][{cell_key(cell)}]"


def parse_cell(dimensions: dict | None, breakdowns) -> Cell:
    """The cell named by {dimension: value}; ValueError (translated) when it is not one of the
    indicator's cells."""
    dimensions = {k: v for k, v in (dimensions or {}).items() if v not in (None, "")}
    for code, value in dimensions.items():
        if code not in breakdowns:
            raise ValueError(_("%(dimension)s is not a breakdown of this indicator.") % {"dimension": code})
        if value not in DIMENSIONS[code].codes:
            raise ValueError(
                _("%(value)s is not a value of %(dimension)s.") % {"value": value, "dimension": DIMENSIONS[code].label}
            )
    cell = tuple((code, dimensions[code]) for code in breakdowns if code in dimensions)
    if len(cell) not in (0, 1, len(breakdowns)):
        raise ValueError(_("Give every breakdown of the indicator, one of them, or none for the total."))
    return cell


def age_band_for(birth_year: int | None, on: date, birth_date: date | None = None) -> str:
    """The age band of a person on a day, by the one age rule (`haidang.common.ages`)."""
    age = age_on(on, birth_date=birth_date, birth_year=birth_year)
    if age is None or age < 0:
        return UNKNOWN
    return age_band(age)


def sex_for(value: str | None) -> str:
    return value if value in ("female", "male") else UNKNOWN


def nationality_for(value: str | None) -> str:
    return {"vn_citizen": "vietnamese", "foreign": "foreign", "stateless_resident": "stateless"}.get(
        value or "", "vietnamese"
    )
