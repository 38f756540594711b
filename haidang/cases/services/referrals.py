"""Referrals of the person to service providers, with consent for referral or a legal basis."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.cases.models import Case, Referral, ServiceType
from haidang.cases.selectors import can_edit_case
from haidang.cases.services._common import _event
from haidang.cases.services.consent import _disclose
from haidang.common.text import clean_text


@transaction.atomic
def create_referral(*, actor, case: Case, data: dict):
    if not can_edit_case(actor, case):
        raise PermissionDenied
    errors: dict = {}
    provider = data.get("provider")
    if provider is None:
        errors["provider"] = [_("This field is required.")]
    if data.get("service_type") not in ServiceType.values:
        errors["service_type"] = [_("Choose a service from the list.")]
    if not clean_text(data.get("reason")):
        errors["reason"] = [_("Give the reason.")]
    if errors:
        raise ValidationError(errors)
    _disclose(
        actor=actor,
        case=case,
        kind="referral",
        recipient=provider,
        purpose="referral",
        consent=data.get("consent"),
        legal_basis=data.get("legal_basis", ""),
    )
    referral = Referral.objects.create(
        case=case,
        provider=provider,
        service_type=data["service_type"],
        reason=clean_text(data["reason"]),
        consent=data.get("consent"),
        legal_basis=clean_text(data.get("legal_basis")),
        follow_up_on=data.get("follow_up_on"),
        created_by=actor,
    )
    _event(
        case,
        actor=actor,
        kind="referral_sent",
        data={"referral": str(referral.pk), "provider": provider.name, "service_type": referral.service_type},
    )
    record_event(
        action="cases.referral_sent",
        actor=actor,
        target=case,
        unit=case.unit,
        changes={"referral": str(referral.pk), "provider": str(provider.pk)},
    )
    return referral


REFERRAL_MOVES = {"sent": {"accepted", "declined"}, "accepted": {"completed"}}


@transaction.atomic
def update_referral(*, actor, referral, status: str, outcome: str = "", follow_up_on=None):
    if not can_edit_case(actor, referral.case):
        raise PermissionDenied
    if status not in REFERRAL_MOVES.get(referral.status, set()):
        raise ValidationError(
            {
                "status": [
                    _("A referral that is “%(current)s” cannot become “%(status)s”.")
                    % {"current": referral.get_status_display(), "status": status}
                ]
            }
        )
    previous = referral.status
    referral.status = status
    referral.outcome = clean_text(outcome) or referral.outcome
    referral.follow_up_on = follow_up_on or referral.follow_up_on
    referral.save(update_fields=["status", "outcome", "follow_up_on", "updated_at"])
    _event(
        referral.case,
        actor=actor,
        kind="referral_updated",
        note=referral.outcome,
        data={"referral": str(referral.pk), "from": previous, "to": status},
    )
    record_event(
        action="cases.referral_updated",
        actor=actor,
        target=referral.case,
        unit=referral.case.unit,
        changes={"referral": str(referral.pk), "status": status},
    )
    return referral
