"""API: the criminal proceedings register (`/criminal-cases`), its suspects and linked victims.

Every endpoint needs the right to record proceedings (403 `forbidden` without it: analysts get
aggregates from /stats/query, never the register) and gets its records from
`criminal_cases_visible_to`: a case outside the user's scope answers 404 exactly like a missing
one. Suspects' identities are masked unless the reader's role sees identities over the case's
unit; a read that shows them is audited. Linked victims are listed only when the reader may see
the victim case; the others are a count. A stale `version` answers 409 `conflict`.
"""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.common.api import ApiError, ErrorOut, invalid, not_found, paginate
from haidang.places.errors import UnitLookupError
from haidang.places.selectors import resolve_unit
from haidang.proceedings import selectors, services
from haidang.proceedings.models import CriminalCase
from haidang.proceedings.schemas import (
    CriminalCaseDetailOut,
    CriminalCaseFilters,
    CriminalCaseIn,
    CriminalCaseList,
    CriminalCasePatch,
    SuspectIn,
    SuspectList,
    SuspectOut,
    SuspectPatch,
    VictimLinkIn,
)

router = Router(tags=["proceedings"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _require(request) -> None:
    if not scope_for(request.user).can(Capability.MANAGE_PROCEEDINGS):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))



def _criminal_case(request, criminal_case_id) -> CriminalCase:
    _require(request)
    criminal_case = selectors.get_criminal_case_for_user(request.user, criminal_case_id)
    if criminal_case is None:
        raise not_found()
    return criminal_case


# --- Output ----------------------------------------------------------------------------------------


def _unit_ref(unit) -> dict:
    placed = unit.placement if unit.placement_id and unit.placement_id != unit.pk else unit
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "current": unit.valid_to is None,
        "placed_in": placed.code,
    }


def _case_out(criminal_case: CriminalCase) -> dict:
    return {
        "id": criminal_case.id,
        "number": criminal_case.number,
        "version": criminal_case.version,
        "article": criminal_case.article,
        "article_label": str(criminal_case.get_article_display()),
        "detected_on": criminal_case.detected_on,
        "prosecution_opened_on": criminal_case.prosecution_opened_on,
        "investigating_agency": {
            "id": criminal_case.investigating_agency.id,
            "name": criminal_case.investigating_agency.name,
        },
        "unit": _unit_ref(criminal_case.unit),
        "route": criminal_case.route,
        "destination_country": criminal_case.destination_country,
        "exploitation_forms": list(criminal_case.exploitation_forms or []),
        "suspect_count": getattr(criminal_case, "suspect_count", None) or criminal_case.suspects.count(),
        "created_at": criminal_case.created_at,
        "updated_at": criminal_case.updated_at,
    }


def _suspect_out(view: selectors.SuspectView) -> dict:
    suspect = view.suspect
    return {
        "id": suspect.id,
        "full_name": view.full_name,
        "document_number": view.document_number,
        "address": view.address,
        "identities_shown": view.identities_shown,
        "sex": suspect.sex,
        "birth_year": suspect.birth_year,
        "age_band": suspect.age_band,
        "nationality": suspect.nationality,
        "role": suspect.role,
        "role_label": str(suspect.get_role_display()),
        "prosecuted_on": suspect.prosecuted_on,
    }


def _detail(request, criminal_case: CriminalCase, purpose: str = "view") -> dict:
    fresh = selectors.get_criminal_case_for_user(request.user, criminal_case.pk) or criminal_case
    victims = selectors.linked_victims(request.user, fresh)
    return {
        **_case_out(fresh),
        "suspects": [_suspect_out(view) for view in selectors.suspect_views(request.user, fresh, purpose=purpose)],
        "victims": [
            {"case_id": case.id, "number": case.number, "status": case.status, "reception_date": case.reception_date}
            for case in victims.visible
        ],
        "hidden_victims": victims.hidden,
        "can_edit": selectors.can_edit_criminal_case(request.user, fresh),
    }


# --- Input -----------------------------------------------------------------------------------------


def _case_data(request, payload, fields: set[str], day) -> dict:
    """Payload values as the service takes them: the agency and unit resolved to records."""
    errors: dict = {}
    data = {name: getattr(payload, name) for name in fields}
    if "investigating_agency" in data:
        agency_id = data["investigating_agency"]
        data["investigating_agency"] = selectors.investigating_agencies_for(request.user).filter(pk=agency_id).first()
        if data["investigating_agency"] is None:
            errors.setdefault("investigating_agency", []).append(_("Not found."))
    if "unit" in data:
        try:
            data["unit"] = resolve_unit(data["unit"], day or timezone.localdate())
        except UnitLookupError as error:
            errors.setdefault("unit", []).append(str(error))
    if errors:
        raise invalid(errors)
    return data


# --- Criminal cases ---------------------------------------------------------------------------------


@router.get(
    "/criminal-cases",
    response={200: CriminalCaseList, **ERRORS},
    summary="Criminal cases in your area, newest first, with filters",
)
def list_criminal_cases(request, filters: Query[CriminalCaseFilters]):
    _require(request)
    unit = None
    if filters.unit:
        try:
            unit = resolve_unit(filters.unit, filters.detected_to or timezone.localdate())
        except UnitLookupError as error:
            raise invalid({"unit": [str(error)]}) from None
    queryset = selectors.filter_criminal_cases(
        selectors.criminal_cases_visible_to(request.user),
        article=filters.article or "",
        detected_from=filters.detected_from,
        detected_to=filters.detected_to,
        unit=unit,
        prosecuted=filters.prosecuted,
        number=filters.number,
    ).order_by("-detected_on", "-created_at")
    return paginate(queryset, filters.page, filters.page_size, _case_out)


@router.post(
    "/criminal-cases",
    response={201: CriminalCaseDetailOut, **ERRORS},
    summary="Record a criminal case (Criminal Code Art. 150 or 151)",
)
def create_criminal_case(request, payload: CriminalCaseIn):
    _require(request)
    data = _case_data(request, payload, set(CriminalCaseIn.model_fields), payload.detected_on)
    criminal_case = services.create_criminal_case(actor=request.user, data=data)
    return Status(201, _detail(request, criminal_case))


@router.get(
    "/criminal-cases/{criminal_case_id}",
    response={200: CriminalCaseDetailOut, **ERRORS},
    summary="One criminal case with its suspects and the linked victims you may see (404 out of scope)",
    description="A read that shows suspects' identities is audited (`proceedings.suspects_viewed`).",
)
def get_criminal_case(request, criminal_case_id: UUID):
    return _detail(request, _criminal_case(request, criminal_case_id))


@router.patch(
    "/criminal-cases/{criminal_case_id}",
    response={200: CriminalCaseDetailOut, **ERRORS, 409: ErrorOut},
    summary="Change the fields sent, with the version read (409 when someone saved since)",
)
def update_criminal_case(request, criminal_case_id: UUID, payload: CriminalCasePatch):
    criminal_case = _criminal_case(request, criminal_case_id)
    fields = set(payload.model_fields_set) - {"version"}
    nulls = [name for name in fields if getattr(payload, name) is None and name != "prosecution_opened_on"]
    if nulls:
        raise invalid({name: [_("This field cannot be empty.")] for name in nulls})
    day = payload.detected_on if "detected_on" in fields else criminal_case.detected_on
    data = _case_data(request, payload, fields, day)
    criminal_case = services.update_criminal_case(
        actor=request.user, criminal_case=criminal_case, version=payload.version, data=data
    )
    return _detail(request, criminal_case, "update")


# --- Suspects -------------------------------------------------------------------------------------


@router.get(
    "/criminal-cases/{criminal_case_id}/suspects",
    response={200: SuspectList, **ERRORS},
    summary="The suspects of a criminal case (identities masked unless your role sees them)",
)
def list_suspects(request, criminal_case_id: UUID):
    criminal_case = _criminal_case(request, criminal_case_id)
    items = [_suspect_out(view) for view in selectors.suspect_views(request.user, criminal_case)]
    return {"items": items, "count": len(items)}


@router.post(
    "/criminal-cases/{criminal_case_id}/suspects",
    response={201: SuspectOut, **ERRORS},
    summary="Add a suspect",
)
def add_suspect(request, criminal_case_id: UUID, payload: SuspectIn):
    criminal_case = _criminal_case(request, criminal_case_id)
    suspect = services.add_suspect(actor=request.user, criminal_case=criminal_case, data=payload.dict())
    view = next(
        v for v in selectors.suspect_views(request.user, criminal_case, purpose="add") if v.suspect.pk == suspect.pk
    )
    return Status(201, _suspect_out(view))


@router.patch(
    "/criminal-cases/{criminal_case_id}/suspects/{suspect_id}",
    response={200: SuspectOut, **ERRORS},
    summary="Change a suspect's fields sent",
)
def update_suspect(request, criminal_case_id: UUID, suspect_id: UUID, payload: SuspectPatch):
    criminal_case = _criminal_case(request, criminal_case_id)
    suspect = selectors.get_suspect(criminal_case, suspect_id)
    if suspect is None:
        raise not_found()
    data = {name: getattr(payload, name) for name in payload.model_fields_set}
    suspect = services.update_suspect(actor=request.user, suspect=suspect, data=data)
    view = next(
        v for v in selectors.suspect_views(request.user, criminal_case, purpose="update") if v.suspect.pk == suspect.pk
    )
    return _suspect_out(view)


# --- Linked victims -------------------------------------------------------------------------------


@router.post(
    "/criminal-cases/{criminal_case_id}/victims",
    response={200: CriminalCaseDetailOut, **ERRORS},
    summary="Link a victim case by its number (one you may see)",
)
def link_victim(request, criminal_case_id: UUID, payload: VictimLinkIn):
    criminal_case = _criminal_case(request, criminal_case_id)
    case = selectors.linkable_case(request.user, payload.case_number)
    if case is None:
        raise invalid({"case_number": [_("No victim case with this number that you can see.")]})
    try:
        services.link_victim(actor=request.user, criminal_case=criminal_case, case=case)
    except ValidationError as error:
        raise invalid({"case_number": error.message_dict.get("case", error.messages)}) from None
    return _detail(request, criminal_case, "link")


@router.delete(
    "/criminal-cases/{criminal_case_id}/victims/{case_number}",
    response={200: CriminalCaseDetailOut, **ERRORS},
    summary="Unlink a victim case",
)
def unlink_victim(request, criminal_case_id: UUID, case_number: str):
    criminal_case = _criminal_case(request, criminal_case_id)
    case = selectors.linkable_case(request.user, case_number)
    if case is None:
        raise not_found()
    try:
        services.unlink_victim(actor=request.user, criminal_case=criminal_case, case=case)
    except ValidationError as error:
        raise invalid({"case_number": error.message_dict.get("case", error.messages)}) from None
    return _detail(request, criminal_case, "unlink")
