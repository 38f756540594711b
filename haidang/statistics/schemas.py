"""Input and output shapes of the statistics API.

S1 section: the indicator catalogue and the query (/stats/indicators, /stats/query).
"""

from datetime import date

from ninja import Field, Schema

# --- Catalogue and query (S1) -------------------------------------------------------------------


class BreakdownValueOut(Schema):
    value: str
    label: str


class BreakdownOut(Schema):
    code: str
    label: str
    multi: bool = Field(description="A record may carry several values and counts under each.")
    values: list[BreakdownValueOut] | None = Field(description="The closed list of values; null for an open list.")


class CatalogueIndicatorOut(Schema):
    code: str
    label: str
    group: str
    group_label: str
    counts: str = Field(description="What is counted and what is distinct.")
    placed_by: str = Field(description="The date that places a record in a period.")
    filters: str
    breakdowns: list[BreakdownOut]
    sensitive: bool = Field(description="Counts of persons: disclosure control applies before publication.")
    additive: bool = Field(description="False when unit rows may add up to more than the total (distinct persons).")
    pending: str | None = Field(description="Why the indicator cannot be computed yet; null when it can.")


class IndicatorList(Schema):
    items: list[CatalogueIndicatorOut]
    count: int


class PeriodOut(Schema):
    identifier: str
    label: str
    start: date
    end: date


class RowOut(Schema):
    unit_code: str = Field(description="Empty for records above the level asked (e.g. at the province itself).")
    unit_name: str
    breakdown: dict[str, str]
    value: int
    previous: int | None
    change: int | None
    change_pct: float | None = Field(description="Null when there is no comparison or the base is zero.")
    zero_base: bool


class QueryOut(Schema):
    indicator: str
    indicator_label: str
    sensitive: bool
    additive: bool
    period: PeriodOut
    previous_period: PeriodOut | None
    unit_code: str
    unit_name: str
    level: int | None
    breakdowns: list[str]
    labels: dict[str, dict[str, str]] = Field(description="Breakdown code → value → label.")
    total: int
    previous_total: int | None
    change: int | None
    change_pct: float | None
    zero_base: bool
    rows: list[RowOut]


# --- Releases (S2) -------------------------------------------------------------------------------
