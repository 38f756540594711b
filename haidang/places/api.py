"""API: the administrative map as it was on any date.

Units are public knowledge: any valid token reads them (no scope applies).
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from haidang.common.api import ApiError, ErrorOut, paginate
from haidang.common.schemas import CleanSchema, Day, UnitRef, unit_ref
from haidang.places import resolver, selectors
from haidang.places.models import AdministrativeUnit, UnitLevel

router = Router(tags=["places"])


class UnitLink(UnitRef):
    unit_type: str
    valid_from: date | None
    valid_to: date | None
    is_default: bool = Field(description="The successor that takes records whose exact place is unknown.")


class UnitOut(Schema):
    code: str
    name: str
    unit_type: str = Field(
        description="nation, province, municipality, urban_district, rural_district, town, "
        "provincial_city, commune, ward, township or special_zone"
    )
    unit_type_label: str
    level: int = Field(description="0 nation, 1 province, 2 district (until 30/06/2025), 3 commune")
    parent: UnitRef | None
    valid_from: date | None = Field(description="First day of validity; null when unknown (the old map).")
    valid_to: date | None = Field(description="Last day of validity; null while the unit is current.")
    is_current: bool


class UnitDetailOut(UnitOut):
    ancestors: list[UnitRef] = Field(description="The parent chain from the nation down to the parent.")
    successors: list[UnitLink] = Field(description="Where an old unit went on 01/07/2025.")
    predecessors: list[UnitLink] = Field(description="The old units that, whole or in part, became this unit.")
    current_unit: UnitRef | None = Field(
        description="Where records made under this unit count today; the unit itself when it is current."
    )


class ResolvedUnitOut(Schema):
    unit: UnitOut
    label: str = Field(description='The unit with its parents: "Xã Thạch Thất — Thành phố Hà Nội".')
    confidence: float = Field(
        description="1.0 exact name or code; 0.95 the name without its type word; less: "
        "another spelling or the start of a name."
    )
    how: str = Field(description="name, code, successor (in place of an old unit) or predecessor (of a new one).")
    note: str = Field(description="For an old unit: until when, and what it became.")
    current_unit: UnitRef | None = Field(description="Where records made under this unit count today.")


class ResolutionOut(Schema):
    query: str
    as_of: date
    status: str = Field(
        description="resolved (`unit` is set); ambiguous (choose among `alternatives`); not_valid (the name or "
        "code is of units of another date: `alternatives` are the units valid on `as_of` in their place); unknown."
    )
    unit: UnitOut | None
    label: str | None
    confidence: float
    message: str = Field(description="Why no unit was chosen, in words (empty when resolved).")
    alternatives: list[ResolvedUnitOut]
    current_unit: UnitRef | None = Field(
        None, description="Where records made under the chosen unit count on today's map (the crosswalk)."
    )
    set_aside: list[str] = Field(
        default_factory=list,
        description="For an address: the leading parts read as places below the commune (hamlet, street, house).",
    )


class ResolveParams(CleanSchema):
    name: str | None = Field(
        None,
        max_length=200,
        description="A name (with or without diacritics, with or without its type "
        'word, optionally followed by its parents: "Kim Quan, Thạch Thất, Hà Nội") or a code.',
    )
    address: str | None = Field(
        None,
        max_length=300,
        description='A whole address as registers write it: "thôn 3, xa binh yen, thach that, ha noi", '
        '"X. Bình Yên, H. Thạch Thất, TP Hà Nội" (short type words, no diacritics, hamlet and street parts first). '
        "Give `name` or `address`.",
    )
    as_of: Day | None = Field(None, description="The date the record is about (ISO); default today.")
    level: int | None = Field(None, description="Only units of this level: 1 province, 2 district, 3 commune.")


class UnitListOut(Schema):
    items: list[UnitOut]
    count: int
    page: int
    page_size: int


class AsOf(CleanSchema):
    as_of: Day | None = Field(None, description="ISO date; default today.")


class UnitFilters(CleanSchema):
    level: int | None = Field(None, description="0 nation, 1 province, 2 district, 3 commune")
    parent: str | None = Field(None, max_length=10, description="Code of the parent unit (valid on as_of).")
    q: str | None = Field(None, max_length=100, description="Name (with or without diacritics) or code.")
    as_of: Day | None = Field(None, description="ISO date; default today.")
    page: int = 1
    page_size: int = 50


def _link(unit: AdministrativeUnit) -> dict:
    return {
        **unit_ref(unit),
        "unit_type": unit.unit_type,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "is_default": bool(getattr(unit, "is_default", False)),
    }


def _unit(unit: AdministrativeUnit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "unit_type": unit.unit_type,
        "unit_type_label": str(unit.get_unit_type_display()),
        "level": unit.level,
        "parent": unit_ref(unit.parent),
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "is_current": unit.is_current,
    }


def _lookup_error(exc: selectors.UnitLookupError, status: int = 404, field: str | None = None) -> ApiError:
    fields: dict[str, list[str]] = {}
    if field:
        fields[field] = [exc.message]
    successors = getattr(exc, "successors", [])
    if successors:
        fields["successors"] = [unit.code for unit in successors]
    if status == 400:
        return ApiError(400, "invalid", _("The request has invalid values."), fields)
    return ApiError(status, exc.api_code, exc.message, fields)


@router.get(
    "/units",
    response={200: UnitListOut, 400: ErrorOut, 401: ErrorOut},
    summary="List administrative units valid on a date",
    description="Units valid on `as_of` (default today): filter by `level`, by `parent` (a unit code, "
    "read as of the same date; its direct children) and by `q` (name with or without diacritics, or code; "
    "the closest names first). To turn a typed name into one unit, use GET /units/resolve.",
)
def list_units(request, filters: Query[UnitFilters]):
    day = filters.as_of or timezone.localdate()
    if filters.level is not None and filters.level not in UnitLevel.values:
        raise ApiError(
            400,
            "invalid",
            _("The request has invalid values."),
            {"level": [_("Choose a level from 0 (nation) to 3 (commune).")]},
        )
    if filters.q and filters.q.strip():
        queryset = resolver.ranked_search(filters.q, as_of=day, level=filters.level)
    else:
        queryset = selectors.units_valid_on(day, level=filters.level)
    if filters.parent:
        try:
            parent = selectors.resolve_unit(filters.parent, day)
        except selectors.UnitLookupError as exc:
            raise _lookup_error(exc, status=400, field="parent") from exc
        queryset = queryset.filter(parent=parent)
    return paginate(queryset, filters.page, filters.page_size, _unit)


def _resolved_out(described: resolver.Described, match: resolver.Match) -> dict:
    return {
        "unit": _unit(match.unit),
        "label": described.label,
        "confidence": round(match.score, 2),
        "how": match.how,
        "note": described.note,
        "current_unit": unit_ref(selectors.current_unit_for(match.unit)),
    }


# Before /units/{code}, so that "resolve" is never read as a code.
@router.get(
    "/units/resolve",
    response={200: ResolutionOut, 400: ErrorOut, 401: ErrorOut},
    summary="The unit a typed name, code or whole address names on a date, with a confidence and the alternatives",
    description="The one name resolver the place pickers use: `name` read on the map of `as_of` (default today). "
    "A name that fits one unit surely answers `resolved`; two units of one name, or a name only begun or spelt "
    "otherwise, answer `ambiguous` with the units to choose from; the name of an old unit on a later date (or of a "
    "new unit on an earlier one) answers `not_valid`, explaining why, with the units valid on `as_of` in its place. "
    "With `address` instead of `name`, a whole address is read: short type words (TP, Tp., H., X., P., Q., TT), no "
    "diacritics, and the leading parts below the commune (hamlet, street, house) set aside. `current_unit` is where "
    "the unit counts on today's map. Always 200 for a text that could be read; 400 for neither `name` nor `address`, "
    "or an impossible date.",
)
def resolve_unit_name(request, params: Query[ResolveParams]):
    day = params.as_of or timezone.localdate()
    name, address = (params.name or "").strip(), (params.address or "").strip()
    if not name and not address:
        raise ApiError(400, "invalid", _("The request has invalid values."), {"name": [_("This field is required.")]})
    levels = [params.level] if params.level is not None else None
    prefer = resolver.home_paths(request.user)
    set_aside: list[str] = []
    if address and not name:
        read = resolver.resolve_address(address, as_of=day, levels=levels, prefer=prefer)
        found, set_aside = read.resolution, read.set_aside
    else:
        found = resolver.resolve(name, day=day, levels=levels, prefer=prefer)
    alternatives = found.alternatives[: resolver.ALTERNATIVES]
    matches = ([resolver.Match(found.unit, found.confidence)] if found.unit else []) + alternatives
    described = resolver.describe(matches)
    chosen = described[0] if found.unit else None
    return {
        "query": found.text,
        "as_of": day,
        "status": found.status,
        "unit": _unit(found.unit) if found.unit else None,
        "label": chosen.label if chosen else None,
        "confidence": round(found.confidence, 2),
        "message": found.message,
        "alternatives": [
            _resolved_out(item, match)
            for item, match in zip(described[1:] if found.unit else described, alternatives, strict=True)
        ],
        "current_unit": unit_ref(selectors.current_unit_for(found.unit)) if found.unit else None,
        "set_aside": set_aside,
    }


@router.get(
    "/units/{code}",
    response={200: UnitDetailOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="One administrative unit as of a date",
    description="The unit with this code valid on `as_of` (default today), with its crosswalk. An old code "
    "asked for after 30/06/2025 answers 404 `unit_not_valid`, naming its successors (codes in "
    "`fields.successors`); a code no unit ever had answers 404 `unknown_unit`.",
)
def get_unit(request, code: str, params: Query[AsOf]):
    day = params.as_of or timezone.localdate()
    try:
        unit = selectors.resolve_unit(code, day)
    except selectors.UnitLookupError as exc:
        raise _lookup_error(exc) from exc
    return {
        **_unit(unit),
        "ancestors": [unit_ref(u) for u in selectors.ancestors(unit)],
        "successors": [_link(u) for u in selectors.successors(unit)],
        "predecessors": [_link(u) for u in selectors.predecessors(unit)],
        "current_unit": unit_ref(selectors.current_unit_for(unit)),
    }
