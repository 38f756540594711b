"""Transfers of a case to another unit, and the receiving unit's answer."""

from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Status

from haidang.access.models import Agency
from haidang.access.roles import Capability
from haidang.cases import selectors, services
from haidang.cases.api._common import _case_for, _require, _unit, router
from haidang.cases.models import Transfer
from haidang.cases.schemas import TransferDecisionIn, TransferIn, TransferOut
from haidang.common.api import ErrorOut, invalid, not_found


def _transfer_out(transfer) -> dict:
    return {
        "id": transfer.id,
        "to_unit": transfer.to_unit.code,
        "to_agency_id": transfer.to_agency_id,
        "status": transfer.status,
        "reason": transfer.reason,
    }


@router.post(
    "/cases/{case_id}/transfer",
    response={201: TransferOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Ask another unit to take the case (needs consent for transfer, or a legal basis)",
)
def request_transfer(request, case_id: UUID, payload: TransferIn):
    case = _case_for(request, case_id, "transfer")
    errors: dict = {}
    to_unit = _unit(errors, "to_unit", payload.to_unit, timezone.localdate())
    # The receiving agency is usually outside the sender's area: any active agency may be named.
    to_agency = Agency.objects.filter(pk=payload.to_agency, is_active=True).select_related("unit").first()
    if to_agency is None:
        errors.setdefault("to_agency", []).append(_("Not found."))
    consent = None
    if payload.consent is not None:
        consent = case.consents.filter(pk=payload.consent).first()
        if consent is None:
            errors.setdefault("consent", []).append(_("Not found."))
    if errors:
        raise invalid(errors)
    data = payload.dict()
    data.update({"to_unit": to_unit, "to_agency": to_agency, "consent": consent})
    transfer = services.request_transfer(actor=request.user, case=case, data=data)
    return Status(201, _transfer_out(transfer))


@router.post(
    "/cases/{case_id}/transfer/{transfer_id}/decision",
    response={200: TransferOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The receiving unit accepts or declines a transfer (the case and its scope move on acceptance)",
)
def decide_transfer(request, case_id: UUID, transfer_id: UUID, payload: TransferDecisionIn):
    _require(request, Capability.EDIT_CASES)
    transfer = Transfer.objects.select_related("case", "to_unit").filter(pk=transfer_id, case_id=case_id).first()
    # The receiving unit cannot see the case yet; the transfer addressed to it is what it may answer.
    if transfer is None or not selectors.can_decide_transfer(request.user, transfer):
        raise not_found()
    transfer = services.decide_transfer(actor=request.user, transfer=transfer, accept=payload.accept, note=payload.note)
    return _transfer_out(transfer)
