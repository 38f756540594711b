"""Protection, shelter stays, reintegration applications, linked persons and attachments of a case.

Kept beside services.py, like support.py, because each is one topic with its own rules:

- Protection (Law 53/2024 Art. 34–35, Decree 162/2025): a decision for the person or a linked
  person, with a risk assessment (sealed) and its measures; a refusal needs the person's written
  commitment, attached or recorded as kept on paper with its date.
- Shelter stays against the 120-day limit (Decree 162 Art. 17): the days of the person's earlier
  stays on the case count, and no day past the limit is recorded without an extension decision.
- Form 07 reintegration applications, decided within 9 working days of receipt.
- Accompanying children and relatives as linked persons, with identities sealed as at intake.
- Attachments: PDF, images and office documents recognised by their content, size-limited,
  sealed with the field-encryption keys and bound to their row; every download audited.

Every write is atomic, checks that the actor may edit the case, names the field of each refusal,
writes a timeline event and an audit entry. Nothing identifying goes into either (the timeline is
shown to readers who see identities masked): no names, no risk assessment, no reasons given by
the person, no facility, no file name.
New records need an open case; finishing existing ones (ending, deciding) is allowed after closure.
"""

import hashlib
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.cases import eligibility, services, timelimits
from haidang.cases.models import (
    ApplicantKind,
    ApplicationStatus,
    AttachmentKind,
    Case,
    CaseAttachment,
    CaseStatus,
    DocumentType,
    LinkedPerson,
    Person,
    ProtectionDecision,
    ProtectionMeasure,
    ProtectionStatus,
    ReintegrationApplication,
    ReintegrationRegime,
    Relationship,
    RiskLevel,
    ShelterStay,
    SubmissionChannel,
)
from haidang.cases.selectors import MASK, can_edit_case, can_see_identity, cases_visible_to, get_case_for_user
from haidang.common import crypto
from haidang.common.filetypes import OFFICE_TYPES, check_upload, sniff_content_type  # noqa: F401 (re-exported)
from haidang.common.text import clean_text
from haidang.places.errors import format_day

ADULT_AGE = 18
DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Case statuses from which the person is an identified victim (Form 07 is for victims).
IDENTIFIED_STATUSES = frozenset({CaseStatus.IDENTIFIED, CaseStatus.RETURNED_HOME, CaseStatus.REINTEGRATION})


# --- Shared checks -------------------------------------------------------------------------------------


def _lock_case(case: Case) -> Case:
    # Serialises writes on one case's protection, stays and applications (overlap and
    # "one waiting application" checks); the case row itself is not changed (no version bump).
    return Case.objects.select_for_update(of=("self",)).select_related("unit", "person").get(pk=case.pk)


def _require_edit(actor, case: Case) -> None:
    if not can_edit_case(actor, case):
        raise PermissionDenied


def _require_open(case: Case, errors: dict) -> None:
    if case.status == CaseStatus.CLOSED:
        errors.setdefault("case", []).append(_("The case is closed; reopen it before recording something new."))


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _day(errors: dict, field: str, value, *, required: bool = True, not_before: date | None = None, after=""):
    """Check a date: present (if required), a date, not in the future, not before `not_before`."""
    if value is None or value == "":
        if required:
            _add(errors, field, _("This field is required."))
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        _add(errors, field, _("Enter a valid date."))
        return None
    if value > timezone.localdate():
        _add(errors, field, _("%(day)s is in the future.") % {"day": format_day(value)})
    elif not_before is not None and value < not_before:
        _add(
            errors,
            field,
            _("%(day)s is before %(what)s (%(limit)s).")
            % {"day": format_day(value), "what": after, "limit": format_day(not_before)},
        )
    return value


def _links(case: Case) -> dict:
    return {link.person_id: link for link in LinkedPerson.objects.filter(case=case)}


def _role_on_case(case: Case, person_id, links: dict) -> str:
    """'person' for the principal, else the relationship: what the timeline may say about who it is."""
    if person_id == case.person_id:
        return "person"
    link = links.get(person_id)
    return link.relationship if link is not None else "other"


def _age_at_least(birth_date: date | None, birth_year: int | None, on: date) -> int | None:
    """The age the person has certainly reached on `on` (a birth year alone counts low), or None."""
    if birth_date is not None:
        return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if birth_year is not None:
        return on.year - birth_year - 1
    return None


def _certainly_minor(person: Person, on: date) -> bool:
    """Under 18 on `on` for certain (with a birth year alone, only if even the oldest reading is)."""
    if person.birth_date is not None:
        return _age_at_least(person.birth_date, None, on) < ADULT_AGE
    return person.birth_year is not None and on.year - person.birth_year < ADULT_AGE


def _finish(case: Case, *, actor, kind: str, action: str, data: dict, changes: dict, note: str = "", **extra):
    services._event(case, actor=actor, kind=kind, note=note, data=data)
    record_event(action=action, actor=actor, target=case, unit=case.unit, changes=changes, **extra)


# --- Linked persons ----------------------------------------------------------------------------------


def _check_relationship(errors: dict, relationship, birth_date, birth_year, case: Case) -> None:
    if relationship not in Relationship.values:
        _add(errors, "relationship", _("Choose a relationship from the list."))
        return
    if relationship == Relationship.CHILD:
        age = _age_at_least(birth_date, birth_year, case.reception_date)
        if age is not None and age >= ADULT_AGE:
            _add(
                errors,
                "relationship",
                _("An accompanying child is under 18; this person was %(age)s or older on %(day)s.")
                % {"age": age, "day": format_day(case.reception_date)},
            )


@transaction.atomic
def link_person(
    *, actor, case: Case, person_data: dict, relationship: str, is_protected: bool = False, notes: str = ""
) -> LinkedPerson:
    """Record an accompanying child or a relative: a new person, identities sealed as at intake."""
    locked = _lock_case(case)
    _require_edit(actor, locked)
    errors: dict = {}
    _require_open(locked, errors)
    values = services._validate_person(person_data, errors)
    if values["document_type"] not in ("", *DocumentType.values):
        _add(errors, "document_type", _("Choose one of the allowed values."))
    if not services._country_ok(values["nationality_country"]):
        _add(errors, "nationality_country", _("Enter a three-letter country code (ISO 3166-1 alpha-3)."))
    _check_relationship(errors, relationship, values["birth_date"], values["birth_year"], locked)
    if errors:
        raise ValidationError(errors)
    person = Person.objects.create(
        created_by=actor,
        name_key=services.name_key(values["full_name"]),
        document_hash=services.document_key(values["document_number"]),
        **values,
    )
    link = LinkedPerson.objects.create(
        case=locked, person=person, relationship=relationship, is_protected=bool(is_protected), notes=clean_text(notes)
    )
    _finish(
        locked,
        actor=actor,
        kind="person_linked",
        action="cases.person_linked",
        data={"link": str(link.pk), "relationship": relationship, "is_protected": link.is_protected},
        changes={
            "link": str(link.pk),
            "person": str(person.pk),
            "relationship": relationship,
            "is_protected": link.is_protected,
            **{field: values[field] for field in services.IDENTIFYING_PERSON_FIELDS},
        },
        identifying=services.IDENTIFYING_PERSON_FIELDS,
    )
    return link


@transaction.atomic
def update_link(*, actor, link: LinkedPerson, data: dict) -> LinkedPerson:
    """Change a linked person's relationship, protection flag or notes (keys present in `data`)."""
    locked = LinkedPerson.objects.select_for_update(of=("self",)).select_related("case__unit", "person").get(pk=link.pk)
    case = locked.case
    _require_edit(actor, case)
    errors: dict = {}
    changed: dict = {}
    if "relationship" in data:
        _check_relationship(errors, data["relationship"], locked.person.birth_date, locked.person.birth_year, case)
        if data["relationship"] != locked.relationship:
            changed["relationship"] = data["relationship"]
    if "is_protected" in data:
        flag = bool(data["is_protected"])
        if not flag and _has_active_protection(case, locked.person_id):
            _add(errors, "is_protected", _("A protection decision for this person is in force; end it first."))
        if flag != locked.is_protected:
            changed["is_protected"] = flag
    if "notes" in data and clean_text(data["notes"]) != locked.notes:
        changed["notes"] = clean_text(data["notes"])
    if errors:
        raise ValidationError(errors)
    if not changed:
        return locked
    for field, value in changed.items():
        setattr(locked, field, value)
    locked.save(update_fields=list(changed))
    # The notes are free text about a person: the timeline and the log say only that they changed.
    shown = {key: ("changed" if key == "notes" else value) for key, value in changed.items()}
    _finish(
        case,
        actor=actor,
        kind="link_updated",
        action="cases.link_updated",
        data={"link": str(locked.pk), **shown},
        changes={"link": str(locked.pk), **changed},
        identifying={"notes"},
    )
    return locked


# --- Protection --------------------------------------------------------------------------------------


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
    errors: dict = {}
    _require_open(locked, errors)
    links = _links(locked)
    subject = data.get("subject") or locked.person
    if subject.pk != locked.person_id and subject.pk not in links:
        _add(errors, "subject", _("Protection is decided for the person of this case or one of their linked persons."))
    risk = clean_text(data.get("risk_assessment"))
    if not risk:
        _add(errors, "risk_assessment", _("Describe the risk: who threatens the person, how, where."))
    if data.get("risk_level") not in RiskLevel.values:
        _add(errors, "risk_level", _("Choose a risk level from the list."))
    decided_on = _day(errors, "decided_on", data.get("decided_on"))
    decided_by = clean_text(data.get("decided_by"))
    if not decided_by:
        _add(errors, "decided_by", _("Name the competent body or person who decided (Decree 162 Art. 13)."))
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
        decided_by=decided_by,
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
            "subject": _role_on_case(locked, subject.pk, links),
            "risk_level": decision.risk_level,
            "measures": measures,
            "decision_date": decided_on.isoformat(),
            "decided_by": decided_by,
        },
        changes={
            "protection": str(decision.pk),
            "subject": str(subject.pk),
            "risk_level": decision.risk_level,
            "measures": measures,
            "decided_on": decided_on,
            "decided_by": decided_by,
            "risk_assessment": risk,
            "other_measure": decision.other_measure,
        },
        identifying={"risk_assessment", "other_measure"},
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
    )
    return locked


@dataclass(frozen=True)
class ProtectionView:
    """A decision as a reader may see it: the risk assessment and the person's reasons masked unless allowed."""

    decision: ProtectionDecision
    subject: str  # "person" or the relationship of the linked person
    risk_assessment: str
    other_measure: str
    refusal_reason: str
    end_reason: str


def protection_decisions_for(user, case: Case) -> list[ProtectionView]:
    """The case's protection decisions, oldest first (`case` comes from `selectors.get_case_for_user`)."""
    show = can_see_identity(user, case)
    links = _links(case)
    reveal = (lambda value: value) if show else (lambda value: MASK if value else "")
    return [
        ProtectionView(
            decision=decision,
            subject=_role_on_case(case, decision.subject_id, links),
            risk_assessment=reveal(decision.risk_assessment),
            other_measure=reveal(decision.other_measure),
            refusal_reason=reveal(decision.refusal_reason),
            end_reason=reveal(decision.end_reason),
        )
        for decision in ProtectionDecision.objects.filter(case=case).order_by("decided_on", "created_at")
    ]


# --- Shelter stays -----------------------------------------------------------------------------------


def _days_used_before(stays: list[ShelterStay], stay: ShelterStay) -> int:
    return sum(
        (other.end_date - other.start_date).days + 1
        for other in stays
        if other.pk != stay.pk
        and other.person_id == stay.person_id
        and other.end_date is not None
        and other.start_date < stay.start_date
    )


def _deadline(stay: ShelterStay, used: int, today: date | None) -> timelimits.Deadline:
    # The limit counts every day of shelter the person had on this case: a move to another
    # facility does not start the 120 days again. An extension names its own last day.
    if stay.end_date is not None:
        today = stay.end_date
    return timelimits.shelter_deadline(
        stay.start_date - timedelta(days=used), extended_until=stay.extended_until, today=today
    )


def stay_deadlines(stays, *, today: date | None = None) -> dict:
    """{stay id: Deadline} for many stays in one query (earlier stays of the same persons counted)."""
    stays = list(stays)
    if not stays:
        return {}
    case_ids = {stay.case_id for stay in stays}
    person_ids = {stay.person_id for stay in stays}
    history: dict = {}
    for other in ShelterStay.objects.filter(case_id__in=case_ids, person_id__in=person_ids, end_date__isnull=False):
        history.setdefault((other.case_id, other.person_id), []).append(other)
    return {
        stay.pk: _deadline(stay, _days_used_before(history.get((stay.case_id, stay.person_id), []), stay), today)
        for stay in stays
    }


def stay_deadline(stay: ShelterStay, *, today: date | None = None) -> timelimits.Deadline:
    """The last day of shelter for this stay (Decree 162 Art. 17) and whether it has passed.

    120 days (CASE_SHELTER_MAX_DAYS) less the days of the person's earlier stays on the case, or
    the date of the recorded extension. For an ended stay, `today` is its end date.
    """
    return stay_deadlines([stay], today=today)[stay.pk]


def _check_extension(errors: dict, data: dict, *, start: date, current_due: date) -> dict:
    number = clean_text(data.get("extension_decision_number"))
    until = data.get("extended_until")
    if not number:
        _add(errors, "extension_decision_number", _("Give the number of the extension decision."))
    decided_on = _day(errors, "extension_decided_on", data.get("extension_decided_on"))
    if until is None:
        _add(errors, "extended_until", _("This field is required."))
    elif not isinstance(until, date) or isinstance(until, datetime):
        _add(errors, "extended_until", _("Enter a valid date."))
    elif until < start:
        _add(errors, "extended_until", _("The extension ends before the stay starts."))
    elif until <= current_due:
        _add(
            errors,
            "extended_until",
            _("An extension must go past the current limit (%(day)s).") % {"day": format_day(current_due)},
        )
    return {
        "extended_until": until,
        "extension_decision_number": number,
        "extension_decided_on": decided_on,
        "extension_decided_by": clean_text(data.get("extension_decided_by")),
    }


@transaction.atomic
def start_stay(*, actor, case: Case, data: dict) -> ShelterStay:
    """A person (the principal or a linked person) starts a stay at a facility.

    Refused while the person has a stay on this case that is open or ends on or after the new
    start. If the person's 120 days are already used, an extension (`extended_until`,
    `extension_decision_number`, `extension_decided_on`) must come with it.
    """
    locked = _lock_case(case)
    _require_edit(actor, locked)
    errors: dict = {}
    _require_open(locked, errors)
    links = _links(locked)
    person = data.get("person") or locked.person
    if person.pk != locked.person_id and person.pk not in links:
        _add(errors, "person", _("Choose the person of this case or one of their linked persons."))
    facility = data.get("facility")
    if facility is None:
        _add(errors, "facility", _("This field is required."))
    start = _day(errors, "start_date", data.get("start_date"))
    if errors:
        raise ValidationError(errors)
    earlier = list(ShelterStay.objects.filter(case=locked, person=person))
    clash = next((s for s in earlier if s.end_date is None or s.end_date >= start), None)
    if clash is not None:
        if clash.end_date is None:
            message = _("This person's stay that started on %(day)s is still open; end it first.") % {
                "day": format_day(clash.start_date)
            }
        else:
            message = _("This person's stay from %(day)s to %(end)s overlaps this date.") % {
                "day": format_day(clash.start_date),
                "end": format_day(clash.end_date),
            }
        raise ValidationError({"start_date": [message]})
    stay = ShelterStay(case=locked, person=person, facility=facility, start_date=start, recorded_by=actor)
    due = _deadline(stay, _days_used_before(earlier, stay), None).due
    extension = {}
    if due < start or data.get("extension_decision_number") or data.get("extended_until"):
        if due < start and not data.get("extension_decision_number"):
            raise ValidationError(
                {
                    "start_date": [
                        _(
                            "This person has used the %(days)s days of shelter on this case; "
                            "record the extension decision with the stay."
                        )
                        % {"days": timelimits.shelter_max_days()}
                    ]
                }
            )
        extension = _check_extension(errors, data, start=start, current_due=due)
        if errors:
            raise ValidationError(errors)
    for field, value in extension.items():
        setattr(stay, field, value)
    stay.save()
    deadline = _deadline(stay, _days_used_before(earlier, stay), None)
    _finish(
        locked,
        actor=actor,
        kind="shelter_stay_started",
        action="cases.shelter_stay_started",
        # The facility is where the person is: not in the timeline, which masked readers see.
        data={
            "stay": str(stay.pk),
            "person": _role_on_case(locked, person.pk, links),
            "start_date": start.isoformat(),
            "due_date": deadline.due.isoformat(),
        },
        changes={
            "stay": str(stay.pk),
            "person": str(person.pk),
            "facility": str(facility.pk),
            "start_date": start,
            "due": deadline.due,
            **({"extension_decision_number": stay.extension_decision_number} if extension else {}),
        },
    )
    return stay


def _lock_stay(stay: ShelterStay) -> ShelterStay:
    return ShelterStay.objects.select_for_update(of=("self",)).select_related("case__unit").get(pk=stay.pk)


def _require_open_stay(stay: ShelterStay) -> None:
    if stay.end_date is not None:
        raise ValidationError({"status": [_("This stay ended on %(day)s.") % {"day": format_day(stay.end_date)}]})


@transaction.atomic
def extend_stay(*, actor, stay: ShelterStay, data: dict) -> ShelterStay:
    """Record an extension decision (number, date, new last day) on an open stay."""
    locked = _lock_stay(stay)
    case = locked.case
    _require_edit(actor, case)
    _require_open_stay(locked)
    errors: dict = {}
    current = stay_deadline(locked)
    values = _check_extension(errors, data, start=locked.start_date, current_due=current.due)
    if errors:
        raise ValidationError(errors)
    for field, value in values.items():
        setattr(locked, field, value)
    locked.save(update_fields=[*values, "updated_at"])
    _finish(
        case,
        actor=actor,
        kind="shelter_stay_extended",
        action="cases.shelter_stay_extended",
        data={
            "stay": str(locked.pk),
            "decision_number": locked.extension_decision_number,
            "decision_date": locked.extension_decided_on.isoformat(),
            "previous_due_date": current.due.isoformat(),
            "due_date": locked.extended_until.isoformat(),
        },
        changes={
            "stay": str(locked.pk),
            "extension_decision_number": locked.extension_decision_number,
            "extension_decided_on": locked.extension_decided_on,
            "extended_until": locked.extended_until,
            "previous_due": current.due,
        },
    )
    return locked


@transaction.atomic
def end_stay(*, actor, stay: ShelterStay, data: dict) -> ShelterStay:
    """End an open stay; the end date may not pass the limit unless an extension is recorded."""
    locked = _lock_stay(stay)
    case = locked.case
    _require_edit(actor, case)
    _require_open_stay(locked)
    errors: dict = {}
    end = _day(errors, "end_date", data.get("end_date"), not_before=locked.start_date, after=_("the start of the stay"))
    if end is not None and not errors:
        due = stay_deadline(locked).due
        if end > due:
            _add(
                errors,
                "end_date",
                _("The limit of this stay is %(due)s; record an extension decision before recording later days.")
                % {"due": format_day(due)},
            )
    if errors:
        raise ValidationError(errors)
    locked.end_date = end
    locked.save(update_fields=["end_date", "updated_at"])
    days = (end - locked.start_date).days + 1
    _finish(
        case,
        actor=actor,
        kind="shelter_stay_ended",
        action="cases.shelter_stay_ended",
        data={"stay": str(locked.pk), "end_date": end.isoformat(), "days": days},
        changes={"stay": str(locked.pk), "end_date": end, "days": days},
    )
    return locked


@dataclass(frozen=True)
class StayView:
    stay: ShelterStay
    person: str  # "person" or the relationship of the linked person
    facility: str  # masked unless the reader sees identities (where the person is)
    deadline: timelimits.Deadline


def shelter_stays_for(user, case: Case, *, today: date | None = None) -> list[StayView]:
    """The case's stays with their limits, oldest first; two queries however many stays."""
    show = can_see_identity(user, case)
    links = _links(case)
    stays = list(ShelterStay.objects.filter(case=case).select_related("facility").order_by("start_date"))
    deadlines = stay_deadlines(stays, today=today)
    return [
        StayView(
            stay=stay,
            person=_role_on_case(case, stay.person_id, links),
            facility=stay.facility.name if show else MASK,
            deadline=deadlines[stay.pk],
        )
        for stay in stays
    ]


# --- Reintegration applications (Form 07) -------------------------------------------------------------


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
    from haidang.cases.support import identification_date

    locked = _lock_case(case)
    _require_edit(actor, locked)
    errors: dict = {}
    _require_open(locked, errors)
    if locked.status not in IDENTIFIED_STATUSES:
        _add(errors, "case", _("A Form 07 application is for a person identified as a victim."))
    links = _links(locked)
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
            "beneficiary": _role_on_case(locked, beneficiary.pk, links),
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
    )
    return application


@transaction.atomic
def decide_application(*, actor, application: ReintegrationApplication, data: dict) -> ReintegrationApplication:
    """Record the Department of Health's decision: `status` "approved" or "refused".

    Approved: the decision number, and `approved_regimes` (default: all requested), each of which
    the eligibility engine must not refuse for the beneficiary on the decision date. Refused: the
    reason. A decision after the 9-working-day limit is recorded, and marked late.
    """
    from haidang.cases.support import assess_case

    locked = (
        ReintegrationApplication.objects.select_for_update(of=("self",))
        .select_related("case__unit", "case__person", "beneficiary")
        .get(pk=application.pk)
    )
    case = locked.case
    _require_edit(actor, case)
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
    if errors:
        raise ValidationError(errors)
    deadline = timelimits.reintegration_decision_deadline(locked.received_on, today=decided_on)
    locked.status = status
    locked.decided_on = decided_on
    locked.decision_number = number
    locked.reason = reason
    locked.approved_regimes = approved
    locked.decided_by = actor
    locked.save(
        update_fields=[
            "status",
            "decided_on",
            "decision_number",
            "reason",
            "approved_regimes",
            "decided_by",
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
        },
        changes={
            "application": str(locked.pk),
            "status": status,
            "approved_regimes": approved,
            "decision_number": number,
            "decided_on": decided_on,
            "due": deadline.due,
            "late": deadline.overdue,
        },
    )
    return locked


@dataclass(frozen=True)
class ApplicationDeadline:
    """The 9-working-day limit of an application: its due day, and whether it is or was missed."""

    due: date
    pending: bool
    overdue: bool  # still waiting and past the due day
    decided_late: bool  # decided after the due day

    @property
    def late(self) -> bool:
        return self.overdue or self.decided_late


def application_deadline(application: ReintegrationApplication, *, today: date | None = None) -> ApplicationDeadline:
    """Due 9 working days (CASE_REINTEGRATION_DECISION_WORKING_DAYS) after receipt, skipping
    weekends and PUBLIC_HOLIDAYS (`timelimits.reintegration_decision_deadline`)."""
    today = today or timezone.localdate()
    deadline = timelimits.reintegration_decision_deadline(application.received_on, today=today)
    pending = application.status == ApplicationStatus.RECEIVED
    return ApplicationDeadline(
        due=deadline.due,
        pending=pending,
        overdue=pending and deadline.overdue,
        decided_late=not pending and application.decided_on is not None and application.decided_on > deadline.due,
    )


@dataclass(frozen=True)
class ApplicationView:
    application: ReintegrationApplication
    beneficiary: str  # "person" or "child"
    applicant_name: str  # masked unless the reader sees identities
    deadline: ApplicationDeadline


def applications_for(user, case: Case, *, today: date | None = None) -> list[ApplicationView]:
    """The case's Form 07 applications with their deadlines, oldest first."""
    show = can_see_identity(user, case)
    links = _links(case)
    return [
        ApplicationView(
            application=application,
            beneficiary=_role_on_case(case, application.beneficiary_id, links),
            applicant_name=application.applicant_name if show else (MASK if application.applicant_name else ""),
            deadline=application_deadline(application, today=today),
        )
        for application in ReintegrationApplication.objects.filter(case=case).order_by("received_on", "created_at")
    ]


def applications_waiting_for(
    user, *, today: date | None = None, limit: int | None = None
) -> list[tuple[ReintegrationApplication, ApplicationDeadline]]:
    """Applications waiting for a decision in the user's cases, most urgent first.

    The due day grows with the day received, so ordering by it in the database is ordering by
    urgency; `limit` keeps a page from reading every waiting application.
    """
    visible = cases_visible_to(user).filter(pk=OuterRef("case_id"))
    waiting = (
        ReintegrationApplication.objects.filter(Exists(visible), status=ApplicationStatus.RECEIVED)
        .select_related("case")
        .order_by("received_on", "pk")
    )
    if limit is not None:
        waiting = waiting[:limit]
    return [(application, application_deadline(application, today=today)) for application in waiting]


# --- Attachments -------------------------------------------------------------------------------------


def max_attachment_bytes() -> int:
    return int(getattr(settings, "CASE_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


def _attachment_context(attachment_id) -> bytes:
    return f"cases.caseattachment.content:{attachment_id}".encode()


def seal_attachment_content(attachment_id, plaintext: bytes) -> tuple[str, bytes]:
    """(key id, stored bytes): '<key id>:' + nonce + AES-256-GCM(plaintext), bound to the attachment id."""
    ring = crypto.key_ring()
    nonce = os.urandom(crypto.NONCE_BYTES)
    sealed = ring.keys[ring.active_id].encrypt(nonce, plaintext, _attachment_context(attachment_id))
    return ring.active_id, ring.active_id.encode("ascii") + b":" + nonce + sealed


def open_attachment_content(attachment_id, stored) -> bytes:
    """The plaintext of a stored blob; crypto.DecryptionError (never any content) if it does not open."""
    from cryptography.exceptions import InvalidTag

    where = f"cases.caseattachment.content {attachment_id}"
    raw = bytes(stored or b"")
    key_id, separator, blob = raw.partition(b":")
    key_text = key_id.decode("ascii", "replace")
    if not separator or not crypto.KEY_ID_PATTERN.fullmatch(key_text):
        raise crypto.DecryptionError(f"{where}: malformed sealed file")
    if len(blob) < crypto.NONCE_BYTES + crypto.TAG_BYTES:
        raise crypto.DecryptionError(f"{where}: malformed sealed file")
    aead = crypto.key_ring().keys.get(key_text)
    if aead is None:
        raise crypto.DecryptionError(f"{where}: no key with id {key_text!r} is configured")
    try:
        return aead.decrypt(blob[: crypto.NONCE_BYTES], blob[crypto.NONCE_BYTES :], _attachment_context(attachment_id))
    except InvalidTag:
        raise crypto.DecryptionError(f"{where}: sealed file failed authentication (altered or moved)") from None


@transaction.atomic
def add_attachment(*, actor, case: Case, kind: str, uploaded_file) -> CaseAttachment:
    """Keep a file with the case: type checked by content, at most CASE_ATTACHMENT_MAX_BYTES, sealed."""
    _require_edit(actor, case)
    errors: dict = {}
    if kind not in AttachmentKind.values:
        _add(errors, "kind", _("Choose the kind of document from the list."))
    upload = None
    try:
        upload = check_upload(uploaded_file, max_bytes=max_attachment_bytes())
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    content, content_type, name = upload.content, upload.content_type, upload.name
    attachment = CaseAttachment(
        case=case,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )
    attachment.key_id, attachment.content = seal_attachment_content(attachment.pk, content)
    attachment.save(force_insert=True)
    _finish(
        case,
        actor=actor,
        kind="attachment_added",
        action="cases.attachment_added",
        data={"attachment": str(attachment.pk), "kind": kind, "content_type": content_type, "size": len(content)},
        changes={
            "attachment": str(attachment.pk),
            "kind": kind,
            "content_type": content_type,
            "size": len(content),
            "original_name": name,
        },
        identifying={"original_name"},
    )
    return attachment


def attachments_for(case: Case):
    """The case's attachments without their content (which is read only to be downloaded)."""
    return CaseAttachment.objects.filter(case=case).defer("content").order_by("uploaded_at", "id")


def get_attachment_for_user(user, attachment_id) -> CaseAttachment | None:
    """The attachment if its case is visible to the user, else None (answer 404); content not loaded."""
    try:
        return (
            CaseAttachment.objects.filter(pk=attachment_id, case__in=cases_visible_to(user).values("pk"))
            .defer("content")
            .first()
        )
    except ValidationError:  # not a UUID
        return None


def download_attachment(*, actor, attachment: CaseAttachment) -> tuple[str, str, bytes] | None:
    """(file name, content type, bytes) for a reader who may see identities on the case; audited.

    None if the case is outside the actor's scope (answer 404, as for a missing file);
    PermissionDenied (the refusal audited) for a reader who sees the case with identities masked,
    since a document may show who the person is. A blob that fails to open or whose SHA-256 differs
    raises crypto.DecryptionError and hands out nothing.
    """
    case = get_case_for_user(actor, attachment.case_id, purpose="attachment")
    if case is None:
        return None
    if not can_see_identity(actor, case):
        record_event(
            action="cases.attachment_download_refused",
            actor=actor,
            target=case,
            unit=case.unit,
            changes={"attachment": str(attachment.pk)},
        )
        raise PermissionDenied
    row = CaseAttachment.objects.filter(pk=attachment.pk, case=case).first()
    if row is None:
        return None
    content = open_attachment_content(row.pk, row.content)
    if hashlib.sha256(content).hexdigest() != row.sha256:
        raise crypto.DecryptionError(f"cases.caseattachment.content {row.pk}: checksum differs")
    record_event(
        action="cases.attachment_downloaded",
        actor=actor,
        target=case,
        unit=case.unit,
        changes={"attachment": str(row.pk), "kind": row.kind, "size": row.size},
    )
    return row.original_name, row.content_type, content


def reseal_attachment(attachment: CaseAttachment) -> bool:
    """Seal the content again under the active key (key rotation); True if it was under another key.

    `manage.py rotate_field_keys` handles EncryptedTextFields only; files need this, row by row.
    """
    ring = crypto.key_ring()
    with transaction.atomic():
        row = CaseAttachment.objects.select_for_update().filter(pk=attachment.pk).first()
        if row is None or row.key_id == ring.active_id:
            return False
        key_id, sealed = seal_attachment_content(row.pk, open_attachment_content(row.pk, row.content))
        CaseAttachment.objects.filter(pk=row.pk).update(key_id=key_id, content=sealed)
    return True
