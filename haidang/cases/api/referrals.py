"""Referrals of the person to service providers."""

from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Status

from haidang.cases import services
from haidang.cases.api._common import _agency, _case_for, router
from haidang.cases.schemas import ReferralIn, ReferralList, ReferralOut
from haidang.common.api import ErrorOut, invalid


def _referral_out(referral) -> dict:
    return {
        "id": referral.id,
        "provider_id": referral.provider_id,
        "service_type": referral.service_type,
        "reason": referral.reason,
        "status": referral.status,
        "outcome": referral.outcome,
        "follow_up_on": referral.follow_up_on,
    }


@router.get(
    "/cases/{case_id}/referrals",
    response={200: ReferralList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Referrals of the case to service providers",
)
def list_referrals(request, case_id: UUID):
    case = _case_for(request, case_id, "view")
    items = [_referral_out(r) for r in case.referrals.order_by("created_at")]
    return {"items": items, "count": len(items)}


@router.post(
    "/cases/{case_id}/referrals",
    response={201: ReferralOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Refer the person to a service provider (needs their consent for referral, or a legal basis)",
)
def create_referral(request, case_id: UUID, payload: ReferralIn):
    case = _case_for(request, case_id, "referral")
    errors: dict = {}
    provider = _agency(request, errors, "provider", payload.provider)
    consent = None
    if payload.consent is not None:
        consent = case.consents.filter(pk=payload.consent).first()
        if consent is None:
            errors.setdefault("consent", []).append(_("Not found."))
    if errors:
        raise invalid(errors)
    data = payload.dict()
    data.update({"provider": provider, "consent": consent})
    referral = services.create_referral(actor=request.user, case=case, data=data)
    return Status(201, _referral_out(referral))
