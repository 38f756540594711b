"""Protection decisions: the list, the decision, the person's refusal and the end."""

from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Status

from haidang.cases import protection, selectors
from haidang.cases.api._common import _agency, _case_for, _editable, _person_on_case, _written, router
from haidang.cases.models import Case, ProtectionDecision
from haidang.cases.schemas import (
    ProtectionDecisionIn,
    ProtectionDecisionList,
    ProtectionDecisionOut,
    ProtectionEndIn,
    ProtectionRefusalIn,
)
from haidang.common.api import ErrorOut, invalid, not_found
from haidang.common.schemas import agency_ref


def _decision_out(view: selectors.ProtectionView) -> dict:
    decision = view.decision
    return {
        "id": decision.id,
        "subject_id": decision.subject_id,
        "subject": view.subject,
        "risk_assessment": view.risk_assessment,
        "risk_level": decision.risk_level,
        "decided_on": decision.decided_on,
        "decided_by": agency_ref(decision.deciding_agency) if decision.deciding_agency_id else None,
        "decided_by_legacy": decision.decided_by_legacy,
        "measures": list(decision.measures or []),
        "other_measure": view.other_measure,
        "status": decision.status,
        "status_label": str(decision.get_status_display()),
        "refusal_reason": view.refusal_reason,
        "commitment_recorded": decision.commitment_recorded,
        "commitment_date": decision.commitment_date,
        "commitment_file": decision.commitment_file_id,
        "ended_on": decision.ended_on,
        "end_reason": view.end_reason,
    }


def _one_decision(request, case: Case, decision_id) -> dict:
    view = next(v for v in selectors.protection_decisions_for(request.user, case) if v.decision.pk == decision_id)
    return _decision_out(view)


def _decision_for(case: Case, decision_id: UUID) -> ProtectionDecision:
    decision = case.protection_decisions.filter(pk=decision_id).first()
    if decision is None:
        raise not_found()
    return decision


@router.get(
    "/cases/{case_id}/protection-decisions",
    response={200: ProtectionDecisionList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Protection decisions of the case (Law 53/2024 Art. 34–35), oldest first",
    description="The risk assessment, the other measure and the reasons given are masked unless the role shows "
    "identities for the case. The read is audited (`cases.case_viewed`, purpose `protection`).",
)
def list_protection_decisions(request, case_id: UUID):
    case = _case_for(request, case_id, "protection")
    items = [_decision_out(view) for view in selectors.protection_decisions_for(request.user, case)]
    return {"items": items, "count": len(items), "identities_shown": selectors.can_see_identity(request.user, case)}


@router.post(
    "/cases/{case_id}/protection-decisions",
    response={201: ProtectionDecisionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record a protection decision: subject, risk assessment and level, competent body, date, measures",
    description="Refusals name the field: `subject`, `risk_assessment`, `risk_level`, `decided_on`, `decided_by`, "
    "`measures`, `other_measure`, `case` (closed).",
)
def create_protection_decision(request, case_id: UUID, payload: ProtectionDecisionIn):
    case = _editable(request, case_id, "protection")
    errors: dict = {}
    subject = _person_on_case(
        case, payload.subject, errors, "subject", _("Choose the person of this case or one of their linked persons.")
    )
    decided_by = _agency(request, errors, "decided_by", payload.decided_by)
    if errors:
        raise invalid(errors)
    data = {**payload.dict(), "subject": subject, "decided_by": decided_by}
    decision = _written(protection.decide_protection, actor=request.user, case=case, data=data)
    return Status(201, _one_decision(request, case, decision.pk))


@router.post(
    "/cases/{case_id}/protection-decisions/{decision_id}/refusal",
    response={200: ProtectionDecisionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The person refuses protection: the reason and the written commitment (attached or kept on paper)",
    description="Attach the signed commitment first (POST /cases/{id}/attachments, kind `protection_commitment`) "
    "and send its id as `commitment_file`, or send `commitment_recorded: true` with `commitment_date`. A decision "
    "no longer in force answers 400 naming `status`.",
)
def refuse_protection(request, case_id: UUID, decision_id: UUID, payload: ProtectionRefusalIn):
    case = _editable(request, case_id, "protection")
    decision = _decision_for(case, decision_id)
    data = payload.dict()
    if payload.commitment_file is not None:
        data["commitment_file"] = selectors.attachments_for(case).filter(pk=payload.commitment_file).first()
        if data["commitment_file"] is None:
            raise invalid({"commitment_file": [_("Not found.")]})
    _written(protection.record_refusal, actor=request.user, decision=decision, data=data)
    return _one_decision(request, case, decision.pk)


@router.post(
    "/cases/{case_id}/protection-decisions/{decision_id}/end",
    response={200: ProtectionDecisionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="End a protection decision in force (the date and the reason)",
)
def end_protection(request, case_id: UUID, decision_id: UUID, payload: ProtectionEndIn):
    case = _editable(request, case_id, "protection")
    decision = _decision_for(case, decision_id)
    _written(protection.end_protection, actor=request.user, decision=decision, data=payload.dict())
    return _one_decision(request, case, decision.pk)
