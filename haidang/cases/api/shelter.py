"""Shelter stays with their limit: the list, the start, the extension and the end."""

from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Status

from haidang.cases import protection, selectors
from haidang.cases.api._common import _agency, _case_for, _editable, _person_on_case, _written, router
from haidang.cases.models import Case, ShelterStay
from haidang.cases.schemas import ExtensionIn, ShelterStayEndIn, ShelterStayIn, ShelterStayList, ShelterStayOut
from haidang.common.api import ErrorOut, invalid, not_found
from haidang.common.schemas import agency_ref


def _stay_out(view: selectors.StayView, show: bool) -> dict:
    stay = view.stay
    return {
        "id": stay.id,
        "person_id": stay.person_id,
        "person": view.person,
        "facility": view.facility,
        "facility_id": stay.facility_id if show else None,
        "start_date": stay.start_date,
        "end_date": stay.end_date,
        "due": view.deadline.due,
        "overdue": stay.end_date is None and view.deadline.overdue,
        "extended_until": stay.extended_until,
        "extension_decision_number": stay.extension_decision_number,
        "extension_decided_on": stay.extension_decided_on,
        "extension_decided_by": (
            agency_ref(stay.extension_deciding_agency) if stay.extension_deciding_agency_id else None
        ),
        "extension_decided_by_legacy": stay.extension_decided_by_legacy,
    }


def _one_stay(request, case: Case, stay_id) -> dict:
    show = selectors.can_see_identity(request.user, case)
    view = next(v for v in selectors.shelter_stays_for(request.user, case) if v.stay.pk == stay_id)
    return _stay_out(view, show)


def _stay_for(case: Case, stay_id: UUID) -> ShelterStay:
    stay = case.shelter_stays.filter(pk=stay_id).first()
    if stay is None:
        raise not_found()
    return stay


@router.get(
    "/cases/{case_id}/shelter-stays",
    response={200: ShelterStayList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Shelter stays with their limit (120 days on the case, Decree 162 Art. 17, or the extension)",
    description="The facility (where the person is) is masked unless the role shows identities for the case. "
    "The read is audited (`cases.case_viewed`, purpose `shelter`).",
)
def list_shelter_stays(request, case_id: UUID):
    case = _case_for(request, case_id, "shelter")
    show = selectors.can_see_identity(request.user, case)
    items = [_stay_out(view, show) for view in selectors.shelter_stays_for(request.user, case)]
    return {"items": items, "count": len(items), "identities_shown": show}


@router.post(
    "/cases/{case_id}/shelter-stays",
    response={201: ShelterStayOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="A person (the case's person or a linked person) starts a stay at a facility",
    description="Refused (400 naming `start_date`) while the person has an open or overlapping stay, or when the "
    "120 days are used and no extension comes with it. Other fields: `person`, `facility`, `extended_until`, "
    "`extension_decision_number`, `extension_decided_on`, `case` (closed).",
)
def create_shelter_stay(request, case_id: UUID, payload: ShelterStayIn):
    case = _editable(request, case_id, "shelter")
    errors: dict = {}
    person = _person_on_case(
        case, payload.person, errors, "person", _("Choose the person of this case or one of their linked persons.")
    )
    facility = _agency(request, errors, "facility", payload.facility)
    decided_by = None
    if payload.extension_decided_by is not None:
        decided_by = _agency(request, errors, "extension_decided_by", payload.extension_decided_by)
    if errors:
        raise invalid(errors)
    data = {**payload.dict(), "person": person, "facility": facility, "extension_decided_by": decided_by}
    stay = _written(protection.start_stay, actor=request.user, case=case, data=data)
    return Status(201, _one_stay(request, case, stay.pk))


@router.post(
    "/cases/{case_id}/shelter-stays/{stay_id}/extension",
    response={200: ShelterStayOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record the decision that extends an open stay past its limit",
)
def extend_shelter_stay(request, case_id: UUID, stay_id: UUID, payload: ExtensionIn):
    case = _editable(request, case_id, "shelter")
    stay = _stay_for(case, stay_id)
    errors: dict = {}
    decided_by = None
    if payload.extension_decided_by is not None:
        decided_by = _agency(request, errors, "extension_decided_by", payload.extension_decided_by)
    if errors:
        raise invalid(errors)
    data = {**payload.dict(), "extension_decided_by": decided_by}
    _written(protection.extend_stay, actor=request.user, stay=stay, data=data)
    return _one_stay(request, case, stay.pk)


@router.post(
    "/cases/{case_id}/shelter-stays/{stay_id}/end",
    response={200: ShelterStayOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="End an open stay (not past its limit unless an extension is recorded)",
    description="A stay that has already ended answers 400 naming `status`.",
)
def end_shelter_stay(request, case_id: UUID, stay_id: UUID, payload: ShelterStayEndIn):
    case = _editable(request, case_id, "shelter")
    stay = _stay_for(case, stay_id)
    _written(protection.end_stay, actor=request.user, stay=stay, data=payload.dict())
    return _one_stay(request, case, stay.pk)
