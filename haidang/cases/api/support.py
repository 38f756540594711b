"""The support regimes each beneficiary is entitled to, and the support items delivered."""

from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Status

from haidang.cases import support
from haidang.cases.api._common import _agency, _case_for, router
from haidang.cases.eligibility_text import say
from haidang.cases.schemas import EligibilityList, SupportItemIn, SupportItemList, SupportItemOut
from haidang.common.api import ErrorOut, invalid


@router.get(
    "/cases/{case_id}/eligibility",
    response={200: EligibilityList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The support regimes each beneficiary is entitled to today, each with its article and reason",
)
def case_eligibility(request, case_id: UUID):
    case = _case_for(request, case_id, "view")
    items = []
    for person in support.beneficiaries(case):
        assessment = support.assess_case(case, person)
        items.append(
            {
                "beneficiary_id": str(person.pk),
                "legal_regime": str(assessment.legal_regime),
                "legal_regime_reason": say(assessment.legal_regime_reason),
                "legal_regime_reason_key": assessment.legal_regime_reason.key,
                "category": say(assessment.category),
                "category_key": assessment.category.key,
                "notes": [{"key": note.key, "text": say(note)} for note in assessment.notes],
                "decisions": [
                    {
                        "regime": str(d.regime),
                        "outcome": str(d.outcome),
                        "article": say(d.article),
                        "article_key": d.article.key,
                        "reason": say(d.reason),
                        "reason_key": d.reason.key,
                        "conditions": [say(condition) for condition in d.conditions],
                        "condition_keys": [condition.key for condition in d.conditions],
                    }
                    for d in assessment.decisions
                ],
            }
        )
    return {"items": items, "count": len(items)}


def _support_out(item) -> dict:
    return {
        "id": item.id,
        "regime": item.regime,
        "item": item.item,
        "provider_id": item.provider_id,
        "beneficiary_id": item.beneficiary_id,
        "start_date": item.start_date,
        "end_date": item.end_date,
        "quantity": item.quantity,
        "unit_amount": int(item.unit_amount),
        "total": int(item.total),
        "decision_number": item.decision_number,
    }


@router.get(
    "/cases/{case_id}/support-items",
    response={200: SupportItemList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Support delivered on the case",
)
def list_support_items(request, case_id: UUID):
    case = _case_for(request, case_id, "view")
    items = [_support_out(item) for item in case.support_items.order_by("start_date", "recorded_at")]
    return {"items": items, "count": len(items)}


@router.post(
    "/cases/{case_id}/support-items",
    response={201: SupportItemOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record a support item at the provincial rate valid on its date",
    description="Refused (400 naming the field) when the beneficiary is not entitled to the regime (the message "
    "gives the article), when no rate is in force, or when the item would pass its limit without a recorded "
    "extension decision.",
)
def create_support_item(request, case_id: UUID, payload: SupportItemIn):
    case = _case_for(request, case_id, "support")
    errors: dict = {}
    provider = _agency(request, errors, "provider", payload.provider)
    beneficiary = None
    if payload.beneficiary is not None:
        beneficiary = next((p for p in support.beneficiaries(case) if p.pk == payload.beneficiary), None)
        if beneficiary is None:
            errors.setdefault("beneficiary", []).append(_("Not found."))
    if errors:
        raise invalid(errors)
    data = payload.dict()
    data.update({"provider": provider, "beneficiary": beneficiary})
    item = support.record_support_item(actor=request.user, case=case, data=data)
    return Status(201, _support_out(item))
