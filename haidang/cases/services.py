"""Writes for cases: intake, the one transition service, and updates with optimistic locking.

Each function is atomic and audited; identifying values never go into the audit entry.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases import workflow
from haidang.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseStatus,
    DocumentType,
    Exploitation,
    IntakeChannel,
    LegalRegime,
    NationalityClass,
    Person,
    Recruitment,
    Route,
    Sex,
)
from haidang.cases.selectors import can_edit_case
from haidang.common.crypto import keyed_hash
from haidang.common.text import clean_text, fold
from haidang.places.errors import format_day
from haidang.places.models import UnitLevel
from haidang.places.selectors import validate_unit_on

# Law 53/2024 took effect on 01/07/2025; earlier cases keep the 2011 regime (Art. 63).
LAW_2024_IN_FORCE = date(2025, 7, 1)
IDENTIFYING_PERSON_FIELDS = frozenset({"full_name", "other_names", "document_number", "address", "contacts"})


class StaleVersionError(Exception):
    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def name_key(full_name: str) -> str:
    """Keyed hash of the name without diacritics, case or word order (for duplicate search)."""
    words = sorted(word for word in ("".join(ch if ch.isalnum() else " " for ch in fold(full_name))).split())
    return keyed_hash(" ".join(words), purpose="person-name") if words else ""


def document_key(number: str) -> str:
    return keyed_hash(number, purpose="identity-document") if number else ""


def _country_ok(value) -> bool:
    code = clean_text(value)
    return not code or (len(code) == 3 and code.isalpha() and code.isascii())


def legal_regime_for(day: date) -> str:
    return LegalRegime.LAW_2024 if day >= LAW_2024_IN_FORCE else LegalRegime.LAW_2011


def _validate_person(data: dict, errors: dict) -> dict:
    values = {
        "full_name": clean_text(data.get("full_name")),
        "other_names": clean_text(data.get("other_names")),
        "sex": data.get("sex") or Sex.UNKNOWN,
        "birth_date": data.get("birth_date"),
        "birth_year": data.get("birth_year"),
        "ethnicity": clean_text(data.get("ethnicity")),
        "nationality_class": data.get("nationality_class") or NationalityClass.VN_CITIZEN,
        "nationality_country": clean_text(data.get("nationality_country")).upper(),
        "document_type": data.get("document_type") or "",
        "document_number": clean_text(data.get("document_number")),
        "residence_unit": data.get("residence_unit"),
        "address": clean_text(data.get("address")),
        "contacts": clean_text(data.get("contacts")),
        "languages": clean_text(data.get("languages")),
    }
    if not values["full_name"]:
        errors.setdefault("full_name", []).append(_("This field is required."))
    if values["sex"] not in Sex.values:
        errors.setdefault("sex", []).append(_("Choose one of the allowed values."))
    if values["nationality_class"] not in NationalityClass.values:
        errors.setdefault("nationality_class", []).append(_("Choose one of the allowed values."))
    if values["nationality_class"] == NationalityClass.FOREIGN and not values["nationality_country"]:
        errors.setdefault("nationality_country", []).append(_("Give the country of a foreign national."))
    today = timezone.localdate()
    birth = values["birth_date"]
    if birth is not None:
        if birth > today:
            errors.setdefault("birth_date", []).append(_("The date of birth is in the future."))
        values["birth_year"] = birth.year
    year = values["birth_year"]
    if year is not None and not 1900 <= year <= today.year:
        errors.setdefault("birth_year", []).append(_("Enter a year between 1900 and %(year)s.") % {"year": today.year})
    return values


def _next_number(province, year: int) -> tuple[int, str]:
    counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(province=province, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{province.code}-{year}-{counter.last:06d}"


def _province_of(unit):
    placement = unit.placement or unit
    current = placement
    while current.level > UnitLevel.PROVINCE and current.parent is not None:
        current = current.parent
    return current


def _event(case: Case, *, actor, kind: str, note: str = "", data: dict | None = None, source="", target="") -> None:
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        occurred_at=timezone.now(),
        note=note,
        data=data or {},
        from_status=source,
        to_status=target,
    )


@transaction.atomic
def create_case(*, actor, person_data: dict, case_data: dict) -> Case:
    """Intake: record the person and open their case at the receiving agency's unit."""
    scope = scope_for(actor)
    if not scope.can(Capability.EDIT_CASES):
        raise PermissionDenied
    errors: dict = {}
    person_values = _validate_person(person_data, errors)
    channel = case_data.get("intake_channel")
    if channel not in IntakeChannel.values:
        errors.setdefault("intake_channel", []).append(_("Choose an intake channel from the list."))
    received = case_data.get("reception_date")
    if received is None:
        errors.setdefault("reception_date", []).append(_("This field is required."))
    elif received > timezone.localdate():
        errors.setdefault("reception_date", []).append(_("%(day)s is in the future.") % {"day": format_day(received)})
    unit, agency = case_data.get("unit"), case_data.get("agency")
    if agency is None:
        errors.setdefault("agency", []).append(_("This field is required."))
    if unit is None:
        errors.setdefault("unit", []).append(_("This field is required."))
    elif received is not None and "reception_date" not in errors:
        try:
            validate_unit_on(unit, received, field="unit")
        except ValidationError as error:
            errors.setdefault("unit", []).extend(error.message_dict.get("unit", error.messages))
        if "unit" not in errors and not scope.covers_unit(unit, Capability.EDIT_CASES):
            errors.setdefault("unit", []).append(_("%(unit)s is outside your area.") % {"unit": unit.name})
    forms = list(dict.fromkeys(case_data.get("exploitation_forms") or []))
    if any(form not in Exploitation.values for form in forms):
        errors.setdefault("exploitation_forms", []).append(_("Choose forms of exploitation from the list."))
    route = case_data.get("route") or ""
    if route and route not in Route.values:
        errors.setdefault("route", []).append(_("Choose a route from the list."))
    if (case_data.get("recruitment_method") or "") not in ("", *Recruitment.values):
        errors.setdefault("recruitment_method", []).append(_("Choose one of the allowed values."))
    if person_values["document_type"] not in ("", *DocumentType.values):
        errors.setdefault("document_type", []).append(_("Choose one of the allowed values."))
    for field, value in (
        ("found_country", case_data.get("found_country")),
        ("destination_country", case_data.get("destination_country")),
        ("nationality_country", person_values["nationality_country"]),
    ):
        if not _country_ok(value):
            errors.setdefault(field, []).append(_("Enter a three-letter country code (ISO 3166-1 alpha-3)."))
    if errors:
        raise ValidationError(errors)

    person = Person.objects.create(
        created_by=actor,
        name_key=name_key(person_values["full_name"]),
        document_hash=document_key(person_values["document_number"]),
        **person_values,
    )
    province = _province_of(unit)
    sequence, number = _next_number(province, received.year)
    case = Case.objects.create(
        number=number,
        province=province,
        year=received.year,
        sequence=sequence,
        person=person,
        legal_regime=legal_regime_for(received),
        intake_channel=channel,
        reception_date=received,
        agency=agency,
        unit=unit,
        found_abroad=bool(case_data.get("found_abroad")),
        found_country=clean_text(case_data.get("found_country")).upper(),
        exploitation_forms=forms,
        destination_country=clean_text(case_data.get("destination_country")).upper(),
        route=route,
        recruitment_method=case_data.get("recruitment_method") or "",
        criminal_proceeding_number=clean_text(case_data.get("criminal_proceeding_number")),
        status=CaseStatus.REPORTED,
        created_by=actor,
    )
    _event(case, actor=actor, kind="created", target=CaseStatus.REPORTED, data={"intake_channel": channel})
    record_event(
        action="cases.case_created",
        actor=actor,
        target=case,
        unit=unit,
        changes={
            "number": number,
            "intake_channel": channel,
            "reception_date": received,
            **{field: person_values[field] for field in IDENTIFYING_PERSON_FIELDS},
        },
        identifying=IDENTIFYING_PERSON_FIELDS,
    )
    return case


def _check_transition_data(transition: workflow.Transition, data: dict, note: str) -> dict:
    errors: dict = {}
    for key in transition.requires:
        if data.get(key) in (None, "", [], ()):
            errors.setdefault(key, []).append(_("This field is required."))
    if transition.needs_note and not clean_text(note):
        errors.setdefault("note", []).append(_("Give the reason."))
    if "evidence_sources" in data and data.get("evidence_sources"):
        unknown = [s for s in data["evidence_sources"] if s not in workflow.EVIDENCE_SOURCES]
        if unknown:
            errors.setdefault("evidence_sources", []).append(_("Choose evidence sources from the list (Art. 32)."))
    if "closure_reasons" in data and data.get("closure_reasons"):
        unknown = [r for r in data["closure_reasons"] if r not in workflow.CLOSURE_REASONS]
        if unknown:
            errors.setdefault("closure_reasons", []).append(_("Choose closure reasons from the list."))
    for key in ("decision_date", "document_date"):
        value = data.get(key)
        if isinstance(value, date) and value > timezone.localdate():
            errors.setdefault(key, []).append(_("%(day)s is in the future.") % {"day": format_day(value)})
    if errors:
        raise ValidationError(errors)
    return {key: (value.isoformat() if isinstance(value, date | datetime) else value) for key, value in data.items()}


def _check_closable(case: Case) -> None:
    """A case closes only when nothing is left running: protection, shelter stays, pending transfers."""
    from haidang.cases.models import ProtectionDecision, ProtectionStatus, ShelterStay, Transfer

    open_items = []
    if ProtectionDecision.objects.filter(case=case, status=ProtectionStatus.ACTIVE).exists():
        open_items.append(_("a protection decision is still in force"))
    if ShelterStay.objects.filter(case=case, end_date__isnull=True).exists():
        open_items.append(_("a shelter stay has not ended"))
    if Transfer.objects.filter(case=case, status="pending").exists():
        open_items.append(_("a transfer is waiting for an answer"))
    if open_items:
        raise ValidationError(
            {
                "target": [
                    _("The case cannot be closed yet: %(items)s.")
                    % {"items": "; ".join(str(item) for item in open_items)}
                ]
            }
        )


@transaction.atomic
def transition_case(*, actor, case: Case, target: str, version: int, note: str = "", data: dict | None = None) -> Case:
    """Move the case along the transition table; refused moves change nothing."""
    locked = Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)
    if not can_edit_case(actor, locked):
        raise PermissionDenied
    if version != locked.version:
        raise StaleVersionError(locked.version)
    transition = workflow.find_transition(locked.status, target)
    if transition is None:
        raise ValidationError(
            {
                "target": [
                    _("A case that is “%(status)s” cannot move to “%(target)s”.")
                    % {"status": CaseStatus(locked.status).label, "target": target}
                ]
            }
        )
    if not scope_for(actor).can(transition.capability):
        raise PermissionDenied
    recorded = _check_transition_data(transition, data or {}, note)
    source = locked.status
    if target == "reopen":
        closing = locked.events.filter(to_status=CaseStatus.CLOSED).order_by("-occurred_at", "-id").first()
        target = closing.from_status if closing is not None else CaseStatus.RECEIVED
    if target == CaseStatus.CLOSED:
        _check_closable(locked)
    if target == CaseStatus.INITIAL_VERIFICATION and locked.notified_at is None:
        locked.notified_at = timezone.now()
    if target == CaseStatus.IDENTIFIED:
        # The regime follows the date the person was identified (Art. 63).
        locked.legal_regime = legal_regime_for(date.fromisoformat(recorded["decision_date"]))
    locked.status = target
    locked.version += 1
    locked.save(update_fields=["status", "version", "notified_at", "legal_regime", "updated_at"])
    _event(locked, actor=actor, kind="transition", note=clean_text(note), data=recorded, source=source, target=target)
    record_event(
        action="cases.case_transition",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={"from": source, "to": target, **{k: v for k, v in recorded.items() if k != "note"}},
        reason=clean_text(note),
    )
    return locked


CASE_EDITABLE_FIELDS = (
    "intake_channel",
    "found_abroad",
    "found_country",
    "exploitation_forms",
    "destination_country",
    "route",
    "recruitment_method",
    "criminal_proceeding_number",
)


@transaction.atomic
def update_case(*, actor, case: Case, version: int, data: dict) -> Case:
    """Change the case's details; a stale `version` is refused and nothing is written."""
    locked = Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)
    if not can_edit_case(actor, locked):
        raise PermissionDenied
    if version != locked.version:
        raise StaleVersionError(locked.version)
    errors: dict = {}
    changed = {}
    for field in CASE_EDITABLE_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if isinstance(value, str):
            value = clean_text(value)
            if field.endswith("country"):
                value = value.upper()
        allowed = {"intake_channel": IntakeChannel.values, "recruitment_method": ["", *Recruitment.values]}
        if value is None or (field in allowed and value not in allowed[field]):
            errors.setdefault(field, []).append(_("Choose one of the allowed values."))
            continue
        if field.endswith("country") and not _country_ok(value):
            errors.setdefault(field, []).append(_("Enter a three-letter country code (ISO 3166-1 alpha-3)."))
            continue
        if field == "exploitation_forms" and any(v not in Exploitation.values for v in value or []):
            errors.setdefault(field, []).append(_("Choose forms of exploitation from the list."))
            continue
        if field == "route" and value and value not in Route.values:
            errors.setdefault(field, []).append(_("Choose a route from the list."))
            continue
        if getattr(locked, field) != value:
            setattr(locked, field, value)
            changed[field] = value
    if errors:
        raise ValidationError(errors)
    if changed:
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
        _event(locked, actor=actor, kind="updated", data={"fields": sorted(changed)})
        record_event(action="cases.case_updated", actor=actor, target=locked, unit=locked.unit, changes=changed)
    return locked


@transaction.atomic
def merge_persons(*, actor, keep: Person, duplicate: Person, reason: str) -> Person:
    """Merge a duplicate person record into the one kept: both histories stay, nothing is lost.

    The duplicate's cases and links move to the kept person; the duplicate stays as a record
    pointing at the kept one. Only someone who may edit every case involved may merge.
    """
    from haidang.cases.models import LinkedPerson

    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": [_("A person cannot be merged into themselves.")]})
    if not clean_text(reason):
        raise ValidationError({"reason": [_("Give the reason.")]})
    cases = list(
        Case.objects.select_for_update(of=("self",)).filter(person__in=[keep, duplicate]).select_related("unit")
    )
    if not cases or not all(can_edit_case(actor, case) for case in cases):
        raise PermissionDenied
    moved = [case.number for case in cases if case.person_id == duplicate.pk]
    Case.objects.filter(person=duplicate).update(person=keep)
    LinkedPerson.objects.filter(person=duplicate).exclude(case__linked_persons__person=keep).update(person=keep)
    # Keep whatever the kept record lacks from the duplicate.
    for field in ("birth_date", "birth_year", "ethnicity", "residence_unit", "document_type", "languages"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    for field in ("other_names", "document_number", "address", "contacts"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    if not keep.document_hash:
        keep.document_hash = duplicate.document_hash
    keep.version += 1
    keep.save()
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into", "updated_at"])
    for case in cases:
        _event(
            case,
            actor=actor,
            kind="person_merged",
            note=clean_text(reason),
            data={"kept": str(keep.pk), "merged": str(duplicate.pk)},
        )
    record_event(
        action="cases.persons_merged",
        actor=actor,
        target=keep,
        unit=cases[0].unit,
        changes={"kept": str(keep.pk), "merged": str(duplicate.pk), "cases_moved": moved},
        reason=clean_text(reason),
    )
    return keep


# --- Consent and disclosure (Law 53/2024 Art. 3(10): no disclosure without consent) -----------------

DISCLOSURE_PURPOSES = ("referral", "transfer", "export", "share")
CONSENT_METHODS = ("written", "verbal_witnessed", "electronic")


@transaction.atomic
def record_consent(*, actor, case: Case, data: dict):
    from haidang.cases.models import Consent, ConsentGiver

    if not can_edit_case(actor, case):
        raise PermissionDenied
    errors: dict = {}
    given_by = data.get("given_by")
    if given_by not in ConsentGiver.values:
        errors["given_by"] = [_("Say who gave the consent.")]
    if given_by == ConsentGiver.REPRESENTATIVE and not clean_text(data.get("representative_name")):
        errors["representative_name"] = [_("Name the legal representative.")]
    if data.get("purpose") not in DISCLOSURE_PURPOSES:
        errors["purpose"] = [_("Choose the purpose from the list.")]
    if data.get("method") not in CONSENT_METHODS:
        errors["method"] = [_("Say how the consent was given.")]
    given_on = data.get("given_on")
    if given_on is None:
        errors["given_on"] = [_("This field is required.")]
    elif given_on > timezone.localdate():
        errors["given_on"] = [_("%(day)s is in the future.") % {"day": format_day(given_on)}]
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        person=case.person,
        case=case,
        given_by=given_by,
        representative_name=clean_text(data.get("representative_name")),
        purpose=data["purpose"],
        recipient=data.get("recipient"),
        given_on=given_on,
        method=data["method"],
        recorded_by=actor,
    )
    _event(case, actor=actor, kind="consent_recorded", data={"purpose": consent.purpose, "consent": str(consent.pk)})
    record_event(
        action="cases.consent_recorded",
        actor=actor,
        target=case,
        unit=case.unit,
        changes={"consent": str(consent.pk), "purpose": consent.purpose, "given_by": given_by},
    )
    return consent


@transaction.atomic
def withdraw_consent(*, actor, consent, withdrawn_on: date):
    if not can_edit_case(actor, consent.case):
        raise PermissionDenied
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])
    _event(consent.case, actor=actor, kind="consent_withdrawn", data={"consent": str(consent.pk)})
    record_event(
        action="cases.consent_withdrawn",
        actor=actor,
        target=consent.case,
        unit=consent.case.unit,
        changes={"consent": str(consent.pk)},
    )
    return consent


def check_disclosure(*, case: Case, purpose: str, recipient, consent=None, legal_basis: str = "") -> None:
    """Refuse a disclosure unless a live consent for this purpose (and recipient) or a legal basis is given."""
    if clean_text(legal_basis):
        return
    if consent is None:
        raise ValidationError({"consent": [_("Record the person's consent, or the legal basis, before sharing.")]})
    problems = []
    if consent.case_id != case.pk:
        problems.append(_("This consent belongs to another case."))
    if consent.withdrawn_on is not None and consent.withdrawn_on <= timezone.localdate():
        problems.append(_("This consent was withdrawn on %(day)s.") % {"day": format_day(consent.withdrawn_on)})
    if consent.purpose != purpose:
        problems.append(_("This consent does not cover this purpose."))
    if consent.recipient_id is not None and consent.recipient_id != getattr(recipient, "pk", None):
        problems.append(_("This consent names another recipient."))
    if problems:
        raise ValidationError({"consent": problems})


def _disclose(*, actor, case, kind, recipient, purpose, consent, legal_basis):
    from haidang.cases.models import Disclosure

    check_disclosure(case=case, purpose=purpose, recipient=recipient, consent=consent, legal_basis=legal_basis)
    Disclosure.objects.create(
        case=case,
        kind=kind,
        recipient=recipient,
        purpose=purpose,
        consent=consent,
        legal_basis=clean_text(legal_basis),
        disclosed_by=actor,
    )


@transaction.atomic
def create_referral(*, actor, case: Case, data: dict):
    from haidang.cases.models import Referral, ServiceType

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


@transaction.atomic
def request_transfer(*, actor, case: Case, data: dict):
    from haidang.cases.models import Transfer

    locked = Case.objects.select_for_update(of=("self",)).select_related("unit", "agency").get(pk=case.pk)
    if not can_edit_case(actor, locked):
        raise PermissionDenied
    errors: dict = {}
    to_unit, to_agency = data.get("to_unit"), data.get("to_agency")
    if to_unit is None or not to_unit.is_current:
        errors["to_unit"] = [_("Choose a unit of today's map.")]
    if to_agency is None:
        errors["to_agency"] = [_("This field is required.")]
    elif to_unit is not None and not (to_unit.path or "").startswith(
        to_agency.unit.placement_path or to_agency.unit.path
    ):
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


def can_decide_transfer(user, transfer) -> bool:
    return scope_for(user).covers_unit(transfer.to_unit, Capability.EDIT_CASES)


@transaction.atomic
def decide_transfer(*, actor, transfer, accept: bool, note: str = ""):
    """The receiving unit accepts (the case and its scope move there; history stays) or declines."""
    from haidang.cases.models import Transfer, TransferStatus

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


@transaction.atomic
def record_visit(*, actor, case: Case, data: dict):
    from haidang.cases.models import FollowUpVisit

    if not can_edit_case(actor, case):
        raise PermissionDenied
    errors: dict = {}
    visit_date, next_visit = data.get("visit_date"), data.get("next_visit_on")
    if visit_date is None:
        errors["visit_date"] = [_("This field is required.")]
    elif visit_date > timezone.localdate():
        errors["visit_date"] = [_("%(day)s is in the future.") % {"day": format_day(visit_date)}]
    if not clean_text(data.get("situation")):
        errors["situation"] = [_("This field is required.")]
    if visit_date is not None and next_visit is not None and next_visit <= visit_date:
        errors["next_visit_on"] = [_("The next visit must come after this one.")]
    if errors:
        raise ValidationError(errors)
    visit = FollowUpVisit.objects.create(
        case=case,
        visit_date=visit_date,
        situation=clean_text(data["situation"]),
        needs=clean_text(data.get("needs")),
        next_visit_on=next_visit,
        recorded_by=actor,
    )
    _event(
        case, actor=actor, kind="visit_recorded", data={"visit": str(visit.pk), "visit_date": visit_date.isoformat()}
    )
    record_event(
        action="cases.visit_recorded", actor=actor, target=case, unit=case.unit, changes={"visit": str(visit.pk)}
    )
    return visit


BREAK_GLASS_HOURS = 8


@transaction.atomic
def break_glass(*, actor, case_number: str, reason: str):
    """Open one case outside the user's scope: a reason, an audit entry and a notice to the supervisors."""
    from datetime import timedelta

    from django.conf import settings
    from django.core.mail import send_mail

    from haidang.access.models import Membership
    from haidang.access.roles import ROLE_CAPABILITIES
    from haidang.cases.models import CaseAccessGrant

    if not scope_for(actor).can(Capability.BREAK_GLASS):
        raise PermissionDenied
    if len(clean_text(reason)) < 10:
        raise ValidationError({"reason": [_("Explain in a sentence why you need this case.")]})
    case = Case.objects.select_related("unit").filter(number=clean_text(case_number).upper()).first()
    if case is None:
        raise ValidationError({"case_number": [_("No case has this number.")]})
    grant = CaseAccessGrant.objects.create(
        case=case,
        user=actor,
        reason=clean_text(reason),
        expires_at=timezone.now() + timedelta(hours=BREAK_GLASS_HOURS),
    )
    _event(case, actor=actor, kind="break_glass", note=clean_text(reason))
    record_event(
        action="cases.break_glass",
        actor=actor,
        target=case,
        unit=case.unit,
        reason=clean_text(reason),
        changes={"grant": str(grant.pk), "expires_at": grant.expires_at},
    )
    # Supervisors over the case's unit are told who opened it and why (no personal data in the mail).
    supervisor_roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.DECIDE_CASES in caps]
    memberships = Membership.objects.filter(is_active=True, role__in=supervisor_roles).select_related("unit", "user")
    recipients = sorted(
        {
            m.user.email
            for m in memberships
            if m.user.email and (case.unit.placement_path or case.unit.path).startswith(m.unit.path)
        }
    )
    if recipients:
        transaction.on_commit(
            lambda: send_mail(
                subject=_("Break-the-glass access to case %(number)s") % {"number": case.number},
                message=_("%(user)s opened case %(number)s outside their area. Reason: %(reason)s")
                % {"user": actor.get_username(), "number": case.number, "reason": clean_text(reason)},
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
                fail_silently=True,
            )
        )
    return grant
