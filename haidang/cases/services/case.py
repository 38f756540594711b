"""The case itself: intake, the one transition service, and updates with optimistic locking."""

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases import authority as law
from haidang.cases import selectors, support, timelimits, workflow
from haidang.cases.matching import document_key, name_key
from haidang.cases.models import (
    Case,
    CaseNumberCounter,
    CaseStatus,
    ConfirmingDocument,
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
from haidang.cases.services._common import COUNTRY_MESSAGE, _country_ok, _event
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


def _check_reception(scope, case_data: dict, errors: dict, *, today: date | None = None) -> tuple:
    """The reception date, the agency, and the unit: valid on that date and inside the actor's area.
    `today`: the caller's, when it checks many cases (an import asks once)."""
    received = case_data.get("reception_date")
    if received is None:
        errors.setdefault("reception_date", []).append(_("This field is required."))
    elif received > (today or timezone.localdate()):
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


# The code lists as sets, built once (an import checks them on every row).
_EXPLOITATION, _ROUTES = frozenset(Exploitation.values), frozenset(Route.values)
_RECRUITMENT, _DOCUMENTS = frozenset(("", *Recruitment.values)), frozenset(("", *DocumentType.values))


def _check_case_details(case_data: dict, person_values: dict, errors: dict) -> tuple[list, str]:
    """Values that must come from a list (forms of exploitation, route, recruitment, document) and countries."""
    forms = list(dict.fromkeys(case_data.get("exploitation_forms") or []))
    if any(form not in _EXPLOITATION for form in forms):
        errors.setdefault("exploitation_forms", []).append(_("Choose forms of exploitation from the list."))
    route = case_data.get("route") or ""
    if route and route not in _ROUTES:
        errors.setdefault("route", []).append(_("Choose a route from the list."))
    if (case_data.get("recruitment_method") or "") not in _RECRUITMENT:
        errors.setdefault("recruitment_method", []).append(_("Choose one of the allowed values."))
    if person_values["document_type"] not in _DOCUMENTS:
        errors.setdefault("document_type", []).append(_("Choose one of the allowed values."))
    for field, value in (
        ("found_country", case_data.get("found_country")),
        ("destination_country", case_data.get("destination_country")),
        ("nationality_country", person_values["nationality_country"]),
    ):
        if not _country_ok(value):
            errors.setdefault(field, []).append(COUNTRY_MESSAGE % {"code": clean_text(value)})
    return forms, route


def _check_return_at_intake(case_data: dict, channel, received, errors: dict) -> tuple:
    """A person handed over at the border is back in Vietnam on the day received, unless a
    return date is given; a return date is never after the reception or in the future."""
    returned_on = case_data.get("returned_on")
    gate = clean_text(case_data.get("return_border_gate"))
    if len(gate) > 120:
        errors.setdefault("return_border_gate", []).append(_("Enter at most 120 characters."))
    if returned_on is None and channel == IntakeChannel.BORDER_HANDOVER and isinstance(received, date):
        returned_on = received
    if returned_on is not None and isinstance(received, date) and returned_on > received:
        errors.setdefault("returned_on", []).append(
            _("The return (%(day)s) is after the reception (%(received)s); record it on the case when it happens.")
            % {"day": format_day(returned_on), "received": format_day(received)}
        )
    return returned_on, gate


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
    returned_on, gate = _check_return_at_intake(case_data, channel, received, errors)
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
        # Corrected below by the engine (Art. 63): a person not yet identified is under today's law.
        legal_regime=legal_regime_for(received),
        intake_channel=channel,
        reception_date=received,
        agency=agency,
        unit=unit,
        found_abroad=bool(case_data.get("found_abroad")),
        found_country=clean_text(case_data.get("found_country")).upper(),
        returned_on=returned_on,
        return_border_gate=gate,
        exploitation_forms=forms,
        destination_country=clean_text(case_data.get("destination_country")).upper(),
        route=route,
        recruitment_method=case_data.get("recruitment_method") or "",
        criminal_proceeding_number=clean_text(case_data.get("criminal_proceeding_number")),
        status=CaseStatus.REPORTED,
        created_by=actor,
    )
    case.legal_regime = support.legal_regime_of(case)
    case.save(update_fields=["legal_regime"])
    _event(
        case,
        actor=actor,
        kind="created",
        target=CaseStatus.REPORTED,
        data={"intake_channel": channel},
        event_date=received,
    )
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
    if data.get("document_type") and data["document_type"] not in ConfirmingDocument.values:
        errors.setdefault("document_type", []).append(_("Choose a confirming document from the list (Art. 33)."))
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


def _previous_step(case: Case):
    """The latest step of the path (intake or a transition): a new step may not be dated before it."""
    return (
        case.events.filter(kind__in=("created", "transition"))
        .order_by("-event_date", "-recorded_at", "-id")
        .only("event_date", "to_status")
        .first()
    )


def _step_date(case: Case, target: str, event_date: date | None, recorded: dict, errors: dict) -> date | None:
    """The day the step happened: the reception date for "received", the decision date for an
    identification, else the date given (default today); never in the future, never before the
    previous step."""
    today = timezone.localdate()
    fixed = None
    if target == CaseStatus.RECEIVED:
        fixed, name = case.reception_date, _("the reception date")
    elif target == CaseStatus.IDENTIFIED and recorded.get("decision_date"):
        fixed, name = date.fromisoformat(recorded["decision_date"]), _("the decision date")
    if fixed is not None:
        if event_date is not None and event_date != fixed:
            errors.setdefault("event_date", []).append(
                _("This step is dated by %(what)s (%(day)s).") % {"what": name, "day": format_day(fixed)}
            )
        event_date = fixed
    day = event_date or today
    if day > today:
        errors.setdefault("event_date", []).append(_("%(day)s is in the future.") % {"day": format_day(day)})
        return None
    previous = _previous_step(case)
    if previous is not None and day < previous.event_date:
        errors.setdefault("event_date", []).append(
            _("%(day)s is before the previous step (“%(step)s”, %(previous)s).")
            % {
                "day": format_day(day),
                "step": CaseStatus(previous.to_status).label if previous.to_status in CaseStatus.values else "",
                "previous": format_day(previous.event_date),
            }
        )
        return None
    return day


def _check_backdating(day: date | None, late_reason: str, errors: dict) -> str:
    """A step dated more than CASE_BACKDATE_DAYS_WITHOUT_REASON days ago needs the reason it is recorded late."""
    reason = clean_text(late_reason)
    if day is None:
        return reason
    late = (timezone.localdate() - day).days
    if late > timelimits.backdate_days_without_reason() and not reason:
        errors.setdefault("late_reason", []).append(
            _("This step happened %(days)s days ago: say why it is recorded only now.") % {"days": late}
        )
    return reason


def _authorised(actor, case: Case, authority) -> selectors.Acting:
    acting = selectors.acting_for(actor, case, authority)
    if not acting.allowed:
        raise PermissionDenied(acting.reason)
    return acting


@transaction.atomic
def transition_case(
    *,
    actor,
    case: Case,
    target: str,
    version: int,
    note: str = "",
    data: dict | None = None,
    event_date: date | None = None,
    late_reason: str = "",
) -> Case:
    """Move the case along the transition table; refused moves change nothing.

    Only an agency the law gives the step to may take it (`workflow` → `authority`): otherwise
    PermissionDenied with a message naming who may. `event_date` is the day the step happened
    (default today; the reception date for "received", the decision date for an identification);
    a step dated more than CASE_BACKDATE_DAYS_WITHOUT_REASON days ago needs `late_reason`.
    """
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
    acting = _authorised(actor, locked, transition.authority)
    recorded = _check_transition_data(transition, data or {}, note)
    errors: dict = {}
    day = _step_date(locked, target, event_date, recorded, errors)
    reason = _check_backdating(day, late_reason, errors)
    if errors:
        raise ValidationError(errors)
    source = locked.status
    if target == "reopen":
        closing = locked.events.filter(to_status=CaseStatus.CLOSED).order_by("-event_date", "-id").first()
        target = closing.from_status if closing is not None else CaseStatus.RECEIVED
    if target == CaseStatus.CLOSED:
        _check_closable(locked)
    if target == CaseStatus.INITIAL_VERIFICATION and locked.notified_at is None:
        # The notification's own day (Art. 27(2) counts from it); the clock time only when it is today.
        locked.notified_at = (
            timezone.now() if day == timezone.localdate() else timezone.make_aware(datetime.combine(day, time.min))
        )
    locked.status = target
    locked.version += 1
    agency = acting.membership.agency
    if reason:
        recorded["late_reason"] = reason
    recorded["agency"] = agency.name
    _event(
        locked,
        actor=actor,
        kind="transition",
        note=clean_text(note),
        data=recorded,
        source=source,
        target=target,
        event_date=day,
    )
    # The regime follows the engine: Art. 63 by the identification date (support.legal_regime_of).
    locked.legal_regime = support.legal_regime_of(locked)
    locked.save(update_fields=["status", "version", "notified_at", "legal_regime", "updated_at"])
    record_event(
        action="cases.case_transition",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={
            "from": source,
            "to": target,
            "event_date": day,
            "agency": str(agency.pk),
            **{k: v for k, v in recorded.items() if k not in ("note", "late_reason", "agency")},
        },
        reason=" ".join(part for part in (clean_text(note), reason) if part),
    )
    return locked


@transaction.atomic
def record_return(*, actor, case: Case, version: int, returned_on, border_gate: str, late_reason: str = "") -> Case:
    """Record that a person found abroad came back to Vietnam: the day and the border gate.

    From that day eligibility treats the person as in Vietnam (Art. 37(3) para 2 instead of para 1).
    Taken by the bodies that receive persons (Art. 27(1), 30(1)); a mission abroad for its own cases.
    """
    locked = Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)
    if not can_edit_case(actor, locked):
        raise PermissionDenied
    if version != locked.version:
        raise StaleVersionError(locked.version)
    acting = _authorised(actor, locked, law.RECEIVE)
    errors: dict = {}
    if not support.was_abroad(locked):
        errors.setdefault("returned_on", []).append(_("This person was not found abroad."))
    elif locked.returned_on is not None:
        errors.setdefault("returned_on", []).append(
            _("The return was already recorded (%(day)s).") % {"day": format_day(locked.returned_on)}
        )
    gate = clean_text(border_gate)
    if not gate:
        errors.setdefault("border_gate", []).append(_("Name the border gate (or airport) of return."))
    elif len(gate) > 120:
        errors.setdefault("border_gate", []).append(_("Enter at most 120 characters."))
    if not isinstance(returned_on, date):
        errors.setdefault("returned_on", []).append(_("This field is required."))
    elif returned_on > timezone.localdate():
        errors.setdefault("returned_on", []).append(_("%(day)s is in the future.") % {"day": format_day(returned_on)})
    reason = _check_backdating(returned_on if isinstance(returned_on, date) else None, late_reason, errors)
    if errors:
        raise ValidationError(errors)
    locked.returned_on = returned_on
    locked.return_border_gate = gate
    locked.version += 1
    locked.save(update_fields=["returned_on", "return_border_gate", "version", "updated_at"])
    data = {"border_gate": gate, "agency": acting.membership.agency.name}
    if reason:
        data["late_reason"] = reason
    _event(locked, actor=actor, kind="returned_to_vietnam", data=data, event_date=returned_on)
    record_event(
        action="cases.return_recorded",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={"returned_on": returned_on, "border_gate": gate, "agency": str(acting.membership.agency.pk)},
        reason=reason,
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
            errors.setdefault(field, []).append(COUNTRY_MESSAGE % {"code": value})
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
