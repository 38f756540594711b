"""Form 07 reintegration applications with their 9-working-day limit: the list, the receipt and the decision."""

from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Status

from haidang.cases import protection, selectors
from haidang.cases.api._common import _agency, _case_for, _editable, _masked, _person_on_case, _written, router
from haidang.cases.models import Case
from haidang.cases.schemas import ApplicationDecisionIn, ApplicationIn, ApplicationList, ApplicationOut
from haidang.common.api import ErrorOut, invalid, not_found
from haidang.common.schemas import agency_ref


def _application_out(view: selectors.ApplicationView, show: bool) -> dict:
    application = view.application
    return {
        "id": application.id,
        "beneficiary_id": application.beneficiary_id,
        "beneficiary": view.beneficiary,
        "applicant": application.applicant,
        "applicant_name": view.applicant_name,
        "submitted_via": application.submitted_via,
        "received_on": application.received_on,
        "regimes": list(application.regimes or []),
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "decided_on": application.decided_on,
        "decided_by": agency_ref(application.deciding_agency) if application.deciding_agency_id else None,
        "decision_number": application.decision_number,
        "reason": _masked(application.reason, show),
        "approved_regimes": list(application.approved_regimes or []),
        "due": view.deadline.due,
        "overdue": view.deadline.overdue,
        "decided_late": view.deadline.decided_late,
    }


def _one_application(request, case: Case, application_id) -> dict:
    show = selectors.can_see_identity(request.user, case)
    view = next(v for v in selectors.applications_for(request.user, case) if v.application.pk == application_id)
    return _application_out(view, show)


@router.get(
    "/cases/{case_id}/reintegration-applications",
    response={200: ApplicationList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Form 07 applications (schooling, vocational training, hardship allowance) with their 9-day limit",
    description="The family member's name and the reason are masked unless the role shows identities. "
    "The read is audited (`cases.case_viewed`, purpose `reintegration`).",
)
def list_applications(request, case_id: UUID):
    case = _case_for(request, case_id, "reintegration")
    show = selectors.can_see_identity(request.user, case)
    items = [_application_out(view, show) for view in selectors.applications_for(request.user, case)]
    return {"items": items, "count": len(items), "identities_shown": show}


@router.post(
    "/cases/{case_id}/reintegration-applications",
    response={201: ApplicationOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record a Form 07 application on receipt (the case's person or an accompanying child)",
    description="For an identified victim only (400 naming `case`); one application per beneficiary waits at "
    "a time (`beneficiary`); for a victim under 18 the family files (`applicant`, `applicant_name`).",
)
def create_application(request, case_id: UUID, payload: ApplicationIn):
    case = _editable(request, case_id, "reintegration")
    errors: dict = {}
    beneficiary = _person_on_case(
        case, payload.beneficiary, errors, "beneficiary", _("Choose the person of this case or an accompanying child.")
    )
    if errors:
        raise invalid(errors)
    data = {**payload.dict(), "beneficiary": beneficiary}
    application = _written(protection.receive_application, actor=request.user, case=case, data=data)
    return Status(201, _one_application(request, case, application.pk))


@router.post(
    "/cases/{case_id}/reintegration-applications/{application_id}/decision",
    response={200: ApplicationOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The Department of Health approves (decision number, regimes) or refuses (reason) an application",
    description="Each approved regime is checked against the eligibility engine on the decision date. An "
    "application already decided answers 400 naming `status`; a decision after the limit is marked late.",
)
def decide_application(request, case_id: UUID, application_id: UUID, payload: ApplicationDecisionIn):
    case = _editable(request, case_id, "reintegration")
    application = case.reintegration_applications.filter(pk=application_id).first()
    if application is None:
        raise not_found()
    data = payload.dict(exclude_none=True)
    if payload.decided_by is not None:
        errors: dict = {}
        data["decided_by"] = _agency(request, errors, "decided_by", payload.decided_by)
        if errors:
            raise invalid(errors)
    _written(protection.decide_application, actor=request.user, application=application, data=data)
    return _one_application(request, case, application.pk)
