"""The case itself: intake, the one transition service, and updates with optimistic locking."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases import workflow
from haidang.cases.matching import document_key, name_key
from haidang.cases.models import (
    Case,
    CaseNumberCounter,
    CaseStatus,
    DocumentType,
    Exploitation,
    IntakeChannel,
    LegalRegime,
    Person,
    ProtectionDecision,
    ProtectionStatus,
    Recruitment,
    Route,
    ShelterStay,
    Transfer,
)
from haidang.cases.selectors import can_edit_case
from haidang.cases.services._common import _country_ok, _event
from haidang.cases.services.people import IDENTIFYING_PERSON_FIELDS, _validate_person
from haidang.common.errors import StaleVersionError
from haidang.common.text import clean_text
from haidang.places.errors import format_day
from haidang.places.models import UnitLevel
from haidang.places.selectors import validate_unit_on

# Law 53/2024 took effect on 01/07/2025; earlier cases keep the 2011 regime (Art. 63).
LAW_2024_IN_FORCE = date(2025, 7, 1)


def legal_regime_for(day: date) -> str:
    return LegalRegime.LAW_2024 if day >= LAW_2024_IN_FORCE else LegalRegime.LAW_2011


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


def _check_reception(scope, case_data: dict, errors: dict) -> tuple:
    """The reception date, the agency, and the unit: valid on that date and inside the actor's area."""
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
    return received, unit, agency


def _check_case_details(case_data: dict, person_values: dict, errors: dict) -> tuple[list, str]:
    """Values that must come from a list (forms of exploitation, route, recruitment, document) and countries."""
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
    return forms, route


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
    received, unit, agency = _check_reception(scope, case_data, errors)
    forms, route = _check_case_details(case_data, person_values, errors)
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
