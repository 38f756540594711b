"""Form 07 reintegration applications, decided within 9 working days of receipt."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haidang.cases import eligibility, timelimits
from haidang.cases.models import (
    ApplicantKind,
    ApplicationStatus,
    Case,
    CaseStatus,
    ReintegrationApplication,
    ReintegrationRegime,
    Relationship,
    SubmissionChannel,
)
from haidang.cases.protection._common import (
    _add,
    _certainly_minor,
    _day,
    _deciding_agency,
    _finish,
    _lock_case,
    _require_edit,
    _require_open,
    _require_recorder,
)
from haidang.cases.selectors import links_by_person, role_on_case
from haidang.cases.support import assess_case, identification_date
from haidang.common.text import clean_text

# Case statuses from which the person is an identified victim (Form 07 is for victims).
IDENTIFIED_STATUSES = frozenset({CaseStatus.IDENTIFIED, CaseStatus.RETURNED_HOME, CaseStatus.REINTEGRATION})


def _regimes(errors: dict, field: str, values, *, allowed) -> list[str]:
    regimes = list(dict.fromkeys(values or []))
    if not regimes:
        _add(errors, field, _("Choose at least one kind of support."))
    elif any(regime not in allowed for regime in regimes):
        _add(errors, field, _("Choose schooling, vocational training or the initial hardship allowance."))
    return regimes


@transaction.atomic
def receive_application(*, actor, case: Case, data: dict) -> ReintegrationApplication:
    """Record a Form 07 application on receipt; the 9-working-day clock starts on `received_on`.

    The victim files, or the family for a victim under 18 (then `applicant="family"` and the
    family member's `applicant_name`). The beneficiary is the case's person (default) or an
    accompanying child; one application per beneficiary waits at a time.
    """
    locked = _lock_case(case)
    _require_edit(actor, locked)
    errors: dict = {}
    _require_open(locked, errors)
    if locked.status not in IDENTIFIED_STATUSES:
        _add(errors, "case", _("A Form 07 application is for a person identified as a victim."))
    links = links_by_person(locked)
    beneficiary = data.get("beneficiary") or locked.person
    link = links.get(beneficiary.pk)
    if beneficiary.pk != locked.person_id and (link is None or link.relationship != Relationship.CHILD):
        _add(errors, "beneficiary", _("Choose the person of this case or an accompanying child."))
    applicant = data.get("applicant") or ApplicantKind.PERSON
    applicant_name = clean_text(data.get("applicant_name"))
    if applicant not in ApplicantKind.values:
        _add(errors, "applicant", _("Say who filed the application."))
    elif applicant == ApplicantKind.FAMILY and not applicant_name:
        _add(errors, "applicant_name", _("Name the family member who filed the application."))
    channel = data.get("submitted_via") or SubmissionChannel.IN_PERSON
    if channel not in SubmissionChannel.values:
        _add(errors, "submitted_via", _("Choose one of the allowed values."))
    identified_on = identification_date(locked) if beneficiary.pk == locked.person_id else None
    received = _day(
        errors, "received_on", data.get("received_on"), not_before=identified_on, after=_("the identification")
    )
    if received is not None and applicant == ApplicantKind.PERSON and _certainly_minor(beneficiary, received):
        _add(errors, "applicant", _("For a victim under 18 the family files the application."))
    regimes = _regimes(errors, "regimes", data.get("regimes"), allowed=ReintegrationRegime.values)
    if ReintegrationApplication.objects.filter(
        case=locked, beneficiary=beneficiary, status=ApplicationStatus.RECEIVED
    ).exists():
        _add(errors, "beneficiary", _("An application for this person is still waiting for a decision."))
    if errors:
        raise ValidationError(errors)
    application = ReintegrationApplication.objects.create(
        case=locked,
        beneficiary=beneficiary,
        applicant=applicant,
        applicant_name=applicant_name if applicant == ApplicantKind.FAMILY else "",
        submitted_via=channel,
        received_on=received,
        regimes=regimes,
        recorded_by=actor,
    )
    due = timelimits.reintegration_decision_deadline(received).due
    _finish(
        locked,
        actor=actor,
        kind="reintegration_application_received",
        action="cases.reintegration_application_received",
        data={
            "application": str(application.pk),
            "beneficiary": role_on_case(locked, beneficiary.pk, links),
            "regimes": regimes,
            "received_date": received.isoformat(),
            "due_date": due.isoformat(),
        },
        changes={
            "application": str(application.pk),
            "beneficiary": str(beneficiary.pk),
            "applicant": applicant,
            "applicant_name": application.applicant_name,
            "regimes": regimes,
            "received_on": received,
            "due": due,
        },
        identifying={"applicant_name"},
        event_date=received,
    )
    return application


@transaction.atomic
def decide_application(*, actor, application: ReintegrationApplication, data: dict) -> ReintegrationApplication:
    """Record the Department of Health's decision: `status` "approved" or "refused".

    Approved: the decision number, and `approved_regimes` (default: all requested), each of which
    the eligibility engine must not refuse for the beneficiary on the decision date. Refused: the
    reason. A decision after the 9-working-day limit is recorded, and marked late.
    """
    locked = (
        ReintegrationApplication.objects.select_for_update(of=("self",))
        .select_related("case__unit", "case__person", "beneficiary")
        .get(pk=application.pk)
    )
    case = locked.case
    _require_edit(actor, case)
    recorder = _require_recorder(actor, case, "form_07")
    if locked.status != ApplicationStatus.RECEIVED:
        raise ValidationError({"status": [_("This application has already been decided.")]})
    errors: dict = {}
    status = data.get("status")
    if status not in (ApplicationStatus.APPROVED, ApplicationStatus.REFUSED):
        _add(errors, "status", _("Choose approved or refused."))
    decided_on = _day(
        errors, "decided_on", data.get("decided_on"), not_before=locked.received_on, after=_("the receipt")
    )
    number = clean_text(data.get("decision_number"))
    reason = clean_text(data.get("reason"))
    approved: list[str] = []
    if status == ApplicationStatus.APPROVED:
        if not number:
            _add(errors, "decision_number", _("Give the number of the decision."))
        approved = _regimes(
            errors, "approved_regimes", data.get("approved_regimes") or locked.regimes, allowed=locked.regimes
        )
        if decided_on is not None and "approved_regimes" not in errors and "decided_on" not in errors:
            assessment = assess_case(case, locked.beneficiary, on=decided_on)
            for regime in approved:
                decision = assessment.decision(regime)
                if decision.outcome == eligibility.Outcome.REFUSED:
                    _add(
                        errors,
                        "approved_regimes",
                        _("%(regime)s is not available: %(reason)s (%(article)s)")
                        % {
                            "regime": ReintegrationRegime(regime).label,
                            "reason": decision.reason,
                            "article": decision.article,
                        },
                    )
    elif status == ApplicationStatus.REFUSED and not reason:
        _add(errors, "reason", _("Give the reason for the refusal."))
    deciding = _deciding_agency(errors, "decided_by", data.get("decided_by") or recorder.agency, "form_07", decided_on)
    if errors:
        raise ValidationError(errors)
    deadline = timelimits.reintegration_decision_deadline(locked.received_on, today=decided_on)
    locked.status = status
    locked.decided_on = decided_on
    locked.decision_number = number
    locked.reason = reason
    locked.approved_regimes = approved
    # The Department of Health decides (Decree 162 Art. 24): the recorder's, unless another is named.
    locked.deciding_agency = deciding
    locked.decision_recorded_by = actor
    locked.save(
        update_fields=[
            "status",
            "decided_on",
            "decision_number",
            "reason",
            "approved_regimes",
            "deciding_agency",
            "decision_recorded_by",
            "updated_at",
        ]
    )
    _finish(
        case,
        actor=actor,
        kind="reintegration_application_decided",
        action="cases.reintegration_application_decided",
        note=reason,
        data={
            "application": str(locked.pk),
            "status": status,
            "regimes": approved,
            "decision_number": number,
            "decision_date": decided_on.isoformat(),
            "late": deadline.overdue,
            "decided_by": deciding.name,
        },
        changes={
            "application": str(locked.pk),
            "status": status,
            "approved_regimes": approved,
            "decision_number": number,
            "decided_on": decided_on,
            "due": deadline.due,
            "late": deadline.overdue,
            "decided_by": str(deciding.pk),
        },
        event_date=decided_on,
    )
    return locked
