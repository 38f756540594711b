"""Transfers of a case to another unit: the request (with consent for transfer or a legal basis)
and the receiving unit's answer."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.cases.models import Case, Transfer, TransferStatus
from haidang.cases.selectors import can_decide_transfer, can_edit_case
from haidang.cases.services._common import _event
from haidang.cases.services.consent import _disclose
from haidang.common.text import clean_text


@transaction.atomic
def request_transfer(*, actor, case: Case, data: dict):
    locked = Case.objects.select_for_update(of=("self",)).select_related("unit", "agency").get(pk=case.pk)
    if not can_edit_case(actor, locked):
        raise PermissionDenied
    errors: dict = {}
    to_unit, to_agency = data.get("to_unit"), data.get("to_agency")
    if to_unit is None or not to_unit.is_current:
        errors["to_unit"] = [_("Choose a unit of today's map.")]
    if to_agency is None:
        errors["to_agency"] = [_("This field is required.")]
    elif to_unit is not None and not (to_unit.path or "").startswith(to_agency.unit.scope_path):
        errors["to_agency"] = [
            _("%(agency)s does not work in %(unit)s.") % {"agency": to_agency.name, "unit": to_unit.name}
        ]
    if not clean_text(data.get("reason")):
        errors["reason"] = [_("Give the reason.")]
    if locked.transfers.filter(status="pending").exists():
        errors["to_unit"] = [_("A transfer of this case is already waiting for an answer.")]
    if to_unit is not None and to_unit.pk == locked.unit_id:
        errors["to_unit"] = [_("The case is already in this unit.")]
    if errors:
        raise ValidationError(errors)
    _disclose(
        actor=actor,
        case=locked,
        kind="transfer",
        recipient=to_agency,
        purpose="transfer",
        consent=data.get("consent"),
        legal_basis=data.get("legal_basis", ""),
    )
    transfer = Transfer.objects.create(
        case=locked,
        from_unit=locked.unit,
        from_agency=locked.agency,
        to_unit=to_unit,
        to_agency=to_agency,
        reason=clean_text(data["reason"]),
        consent=data.get("consent"),
        legal_basis=clean_text(data.get("legal_basis")),
        requested_by=actor,
    )
    _event(
        locked,
        actor=actor,
        kind="transfer_requested",
        note=transfer.reason,
        data={"transfer": str(transfer.pk), "to_unit": to_unit.code, "to_agency": to_agency.name},
    )
    record_event(
        action="cases.transfer_requested",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={"transfer": str(transfer.pk), "to_unit": to_unit.code},
    )
    return transfer


@transaction.atomic
def decide_transfer(*, actor, transfer, accept: bool, note: str = ""):
    """The receiving unit accepts (the case and its scope move there; history stays) or declines."""
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("case", "to_unit", "to_agency")
        .get(pk=transfer.pk)
    )
    if not can_decide_transfer(actor, transfer):
        raise PermissionDenied
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError({"status": [_("This transfer has already been answered.")]})
    if not accept and not clean_text(note):
        raise ValidationError({"note": [_("Give the reason.")]})
    transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.DECLINED
    transfer.decided_by, transfer.decided_at, transfer.decision_note = actor, timezone.now(), clean_text(note)
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    if accept:
        case.unit, case.agency = transfer.to_unit, transfer.to_agency
        case.version += 1
        case.save(update_fields=["unit", "agency", "version", "updated_at"])
    _event(
        case,
        actor=actor,
        kind="transfer_accepted" if accept else "transfer_declined",
        note=clean_text(note),
        data={"transfer": str(transfer.pk), "to_unit": transfer.to_unit.code},
    )
    record_event(
        action="cases.transfer_decided",
        actor=actor,
        target=case,
        unit=transfer.to_unit,
        changes={"transfer": str(transfer.pk), "accepted": accept},
    )
    return transfer
