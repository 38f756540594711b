"""Protection (Law 53/2024 Art. 34–35, Decree 162/2025): a decision for the person or a linked
person, with a risk assessment (sealed) and its measures; a refusal needs the person's written
commitment, attached or recorded as kept on paper with its date."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haidang.cases.models import (
    AttachmentKind,
    Case,
    LinkedPerson,
    ProtectionDecision,
    ProtectionMeasure,
    ProtectionStatus,
    RiskLevel,
)
from haidang.cases.protection._common import (
    _add,
    _day,
    _deciding_agency,
    _finish,
    _lock_case,
    _require_edit,
    _require_open,
    _require_recorder,
)
from haidang.cases.selectors import links_by_person, role_on_case
from haidang.common.text import clean_text


def _has_active_protection(case: Case, person_id, *, excluding=None) -> bool:
    decisions = ProtectionDecision.objects.filter(case=case, subject_id=person_id, status=ProtectionStatus.ACTIVE)
    if excluding is not None:
        decisions = decisions.exclude(pk=excluding.pk)
    return decisions.exists()


def _sync_link_protection(case: Case, person_id, *, excluding=None) -> None:
    """A linked person is 'under protection' while a decision for them is in force."""
    if person_id == case.person_id:
        return
    LinkedPerson.objects.filter(case=case, person_id=person_id).update(
        is_protected=_has_active_protection(case, person_id, excluding=excluding)
    )


@transaction.atomic
def decide_protection(*, actor, case: Case, data: dict) -> ProtectionDecision:
    """Record a protection decision: subject, risk assessment and level, competent body, date, measures."""
    locked = _lock_case(case)
    _require_edit(actor, locked)
    _require_recorder(actor, locked, "protection")
    errors: dict = {}
    _require_open(locked, errors)
    links = links_by_person(locked)
    subject = data.get("subject") or locked.person
    if subject.pk != locked.person_id and subject.pk not in links:
        _add(errors, "subject", _("Protection is decided for the person of this case or one of their linked persons."))
    risk = clean_text(data.get("risk_assessment"))
    if not risk:
        _add(errors, "risk_assessment", _("Describe the risk: who threatens the person, how, where."))
    if data.get("risk_level") not in RiskLevel.values:
        _add(errors, "risk_level", _("Choose a risk level from the list."))
    decided_on = _day(errors, "decided_on", data.get("decided_on"))
    decided_by = _deciding_agency(errors, "decided_by", data.get("decided_by"), "protection", decided_on)
    measures = list(dict.fromkeys(data.get("measures") or []))
    if not measures:
        _add(errors, "measures", _("Choose at least one measure."))
    elif any(measure not in ProtectionMeasure.values for measure in measures):
        _add(errors, "measures", _("Choose measures from the list (Decree 162)."))
    other = clean_text(data.get("other_measure"))
    if ProtectionMeasure.OTHER in measures and not other:
        _add(errors, "other_measure", _("Describe the other measure."))
    if errors:
        raise ValidationError(errors)
    decision = ProtectionDecision.objects.create(
        case=locked,
        subject=subject,
        risk_assessment=risk,
        risk_level=data["risk_level"],
        decided_on=decided_on,
        deciding_agency=decided_by,
        measures=measures,
        other_measure=other if ProtectionMeasure.OTHER in measures else "",
        recorded_by=actor,
    )
    _sync_link_protection(locked, subject.pk)
    _finish(
        locked,
        actor=actor,
        kind="protection_decided",
        action="cases.protection_decided",
        data={
            "protection": str(decision.pk),
            "subject": role_on_case(locked, subject.pk, links),
            "risk_level": decision.risk_level,
            "measures": measures,
            "decision_date": decided_on.isoformat(),
            "decided_by": decided_by.name,
        },
        changes={
            "protection": str(decision.pk),
            "subject": str(subject.pk),
            "risk_level": decision.risk_level,
            "measures": measures,
            "decided_on": decided_on,
            "decided_by": str(decided_by.pk),
            "risk_assessment": risk,
            "other_measure": decision.other_measure,
        },
        identifying={"risk_assessment", "other_measure"},
        event_date=decided_on,
    )
    return decision


def _lock_decision(decision: ProtectionDecision) -> ProtectionDecision:
    return ProtectionDecision.objects.select_for_update(of=("self",)).select_related("case__unit").get(pk=decision.pk)


def _require_active(decision: ProtectionDecision) -> None:
    if decision.status != ProtectionStatus.ACTIVE:
        raise ValidationError(
            {
                "status": [
                    _("This protection decision is already “%(status)s”.")
                    % {"status": ProtectionStatus(decision.status).label}
                ]
            }
        )


@transaction.atomic
def record_refusal(*, actor, decision: ProtectionDecision, data: dict) -> ProtectionDecision:
    """The person refuses the protection (Decree 162): a reason and a written commitment are required.

    The commitment is either an attachment of kind 'protection_commitment' on this case
    (`commitment_file`), or `commitment_recorded=True` with its `commitment_date` (kept on paper).
    """
    locked = _lock_decision(decision)
    case = locked.case
    _require_edit(actor, case)
    _require_active(locked)
    errors: dict = {}
    reason = clean_text(data.get("refusal_reason"))
    if not reason:
        _add(errors, "refusal_reason", _("Give the reason the person refuses protection."))
    refused_on = _day(
        errors, "refused_on", data.get("refused_on"), not_before=locked.decided_on, after=_("the decision")
    )
    attachment = data.get("commitment_file")
    on_paper = bool(data.get("commitment_recorded"))
    commitment_date = data.get("commitment_date")
    if attachment is None and not on_paper:
        _add(
            errors,
            "commitment_file",
            _("A refusal needs the person's written commitment: attach it signed, or record that it is kept on paper."),
        )
    if attachment is not None and (
        attachment.case_id != case.pk or attachment.kind != AttachmentKind.PROTECTION_COMMITMENT
    ):
        _add(errors, "commitment_file", _("Attach the signed commitment to this case as a “written commitment”."))
    if on_paper and attachment is None and commitment_date is None:
        _add(errors, "commitment_date", _("Give the date of the written commitment kept on paper."))
    else:
        commitment_date = _day(errors, "commitment_date", commitment_date, required=False)
    if errors:
        raise ValidationError(errors)
    locked.status = ProtectionStatus.REFUSED
    locked.refusal_reason = reason
    locked.commitment_file = attachment
    locked.commitment_recorded = on_paper
    locked.commitment_date = commitment_date or refused_on
    locked.ended_on = refused_on
    locked.save(
        update_fields=[
            "status",
            "refusal_reason",
            "commitment_file",
            "commitment_recorded",
            "commitment_date",
            "ended_on",
            "updated_at",
        ]
    )
    _sync_link_protection(case, locked.subject_id)
    commitment = "attached" if attachment is not None else "on_paper"
    _finish(
        case,
        actor=actor,
        kind="protection_refused",
        action="cases.protection_refused",
        data={
            "protection": str(locked.pk),
            "end_date": refused_on.isoformat(),
            "commitment": commitment,
            "commitment_date": locked.commitment_date.isoformat(),
        },
        changes={
            "protection": str(locked.pk),
            "refused_on": refused_on,
            "commitment": commitment,
            "commitment_file": str(attachment.pk) if attachment is not None else "",
            "commitment_date": locked.commitment_date,
            "refusal_reason": reason,
        },
        identifying={"refusal_reason"},
        event_date=refused_on,
    )
    return locked


@transaction.atomic
def end_protection(*, actor, decision: ProtectionDecision, data: dict) -> ProtectionDecision:
    """End a decision in force: the date (not before the decision) and the reason."""
    locked = _lock_decision(decision)
    case = locked.case
    _require_edit(actor, case)
    _require_active(locked)
    errors: dict = {}
    ended_on = _day(errors, "ended_on", data.get("ended_on"), not_before=locked.decided_on, after=_("the decision"))
    reason = clean_text(data.get("end_reason"))
    if not reason:
        _add(errors, "end_reason", _("Give the reason."))
    if errors:
        raise ValidationError(errors)
    locked.status = ProtectionStatus.ENDED
    locked.ended_on = ended_on
    locked.end_reason = reason
    locked.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
    _sync_link_protection(case, locked.subject_id)
    _finish(
        case,
        actor=actor,
        kind="protection_ended",
        action="cases.protection_ended",
        data={"protection": str(locked.pk), "end_date": ended_on.isoformat()},
        changes={"protection": str(locked.pk), "ended_on": ended_on, "end_reason": reason},
        identifying={"end_reason"},
        event_date=ended_on,
    )
    return locked
