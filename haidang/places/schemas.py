"""Input shapes the other apps share for a place: the unit filter of every list, with its map date."""

from ninja import Field

from haidang.common.schemas import CleanSchema, Day


class TerritoryFilter(CleanSchema):
    """The unit filter of a list: a unit code read on the map of `as_of` (see `places.territory`)."""

    unit: str = Field(
        "",
        max_length=10,
        description="Unit code, read on the map of `as_of`: a unit of today's map takes every record placed in "
        "it through the crosswalk; an old unit only records made under it before 01/07/2025.",
    )
    as_of: Day | None = Field(None, description="The map date on which `unit` is read (ISO date); default today.")
