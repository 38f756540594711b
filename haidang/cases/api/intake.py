"""Intake: the person and their case, recorded together."""

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from haidang.access.roles import Capability
from haidang.access.selectors import agencies_visible_to
from haidang.cases import services
from haidang.cases.api._common import _after_write, _named, _require, _unit, router
from haidang.cases.schemas import CaseCreateIn, CaseDetailOut, CaseIn, PersonIn
from haidang.common.api import ErrorOut, invalid
from haidang.common.countries import country_choices
from haidang.common.ethnicities import ethnicity_choices

PERSON_FIELDS = frozenset(PersonIn.model_fields)
CASE_FIELDS = frozenset(CaseIn.model_fields)


def _intake_field(key: str) -> str:
    if key in PERSON_FIELDS:
        return f"person.{key}"
    if key in CASE_FIELDS:
        return f"case.{key}"
    return key


@router.post(
    "/cases",
    response={201: CaseDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Intake: record the person and open their case",
    description="The unit (and the person's residence unit) by code valid on `case.reception_date`; the agency by "
    "id. Errors name the field by its path: `person.full_name`, `case.reception_date`, `case.unit`.",
)
def create_case(request, payload: CaseCreateIn):
    _require(request, Capability.VIEW_CASES)
    _require(request, Capability.EDIT_CASES)
    day = payload.case.reception_date
    errors: dict[str, list[str]] = {}
    unit = _unit(errors, "case.unit", payload.case.unit, day)
    agency = agencies_visible_to(request.user).filter(pk=payload.case.agency, is_active=True).first()
    if agency is None:
        errors["case.agency"] = [_("Not found.")]
    residence = None
    if payload.person.residence_unit.strip():
        residence = _unit(errors, "person.residence_unit", payload.person.residence_unit, day)
    if errors:
        raise invalid(errors)
    person_data = {**payload.person.model_dump(), "residence_unit": residence}
    case_data = {**payload.case.model_dump(), "unit": unit, "agency": agency}
    try:
        case = services.create_case(actor=request.user, person_data=person_data, case_data=case_data)
    except ValidationError as error:
        raise _named(error, _intake_field) from None
    return Status(201, _after_write(request, case))


class CodeOut(Schema):
    code: str
    name: str = Field(description="In the language of the request (Vietnamese by default).")


class CodeList(Schema):
    items: list[CodeOut]
    count: int


@router.get(
    "/code-lists/ethnic-groups",
    response={200: CodeList, 401: ErrorOut},
    summary="The 54 ethnic groups: the codes `person.ethnicity` takes (Decision 121-TCTK/PPCĐ)",
)
def ethnic_groups(request):
    items = [{"code": code, "name": name} for code, name in ethnicity_choices()]
    return {"items": items, "count": len(items)}


@router.get(
    "/code-lists/countries",
    response={200: CodeList, 401: ErrorOut},
    summary="Countries: the ISO 3166-1 alpha-3 codes the country fields take, with their names",
)
def countries(request):
    items = [{"code": code, "name": name} for code, name in country_choices(get_language() or "vi")]
    return {"items": items, "count": len(items)}
