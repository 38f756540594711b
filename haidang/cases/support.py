"""Support: eligibility of a case's beneficiaries, provincial rate tables, support items, extensions.

Kept beside the services because it is one topic with its own rules: an item is recorded only for
a regime the eligibility engine grants (or leaves to the case, with a decision number), at the
provincial rate valid on its date, and within its limit unless an extension decision is recorded.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases import authority as law
from haidang.cases import eligibility
from haidang.cases.models import (
    Case,
    CaseStatus,
    IntakeChannel,
    LinkedPerson,
    NationalityClass,
    Person,
    RateTable,
    Relationship,
    SupportExtension,
    SupportItem,
)
from haidang.cases.selectors import acting_for, can_edit_case, rate_for
from haidang.common.ages import age_on
from haidang.common.text import clean_text
from haidang.places.errors import format_day
from haidang.places.models import UnitLevel

PRE_IDENTIFICATION = {
    CaseStatus.REPORTED,
    CaseStatus.RECEIVED,
    CaseStatus.INITIAL_VERIFICATION,
    CaseStatus.FURTHER_VERIFICATION,
}


def identification_date(case: Case) -> date | None:
    """The date of the (latest) identification decision: the identification step's event date."""
    event = case.events.filter(to_status=CaseStatus.IDENTIFIED).order_by("-event_date", "-id").first()
    return event.event_date if event is not None else None


def _status(case: Case, identified_on: date | None) -> str:
    if case.status == CaseStatus.NOT_VICTIM:
        return eligibility.Status.NOT_VICTIM
    if case.status == CaseStatus.UNDETERMINED:
        return eligibility.Status.UNDETERMINED
    if case.status in PRE_IDENTIFICATION:
        return eligibility.Status.BEING_IDENTIFIED
    return eligibility.Status.VICTIM if identified_on else eligibility.Status.BEING_IDENTIFIED


def was_abroad(case: Case) -> bool:
    """Found abroad, or handled through a mission abroad: abroad until the return is recorded."""
    return case.found_abroad or case.intake_channel == IntakeChannel.MISSION_ABROAD


def abroad_on(*, found_abroad: bool, intake_channel: str, returned_on: date | None, on: date | None = None) -> bool:
    """Whether the person is abroad on `on` (default today): until the recorded return to Vietnam
    (Art. 37(3)). Takes plain values, so a list read as values answers it without a model object."""
    on = on or timezone.localdate()
    was = found_abroad or intake_channel == IntakeChannel.MISSION_ABROAD
    return was and (returned_on is None or returned_on > on)


def is_abroad(case: Case, on: date | None = None) -> bool:
    return abroad_on(
        found_abroad=case.found_abroad, intake_channel=case.intake_channel, returned_on=case.returned_on, on=on
    )


def _location(case: Case, on: date) -> str:
    return eligibility.Location.ABROAD if is_abroad(case, on) else eligibility.Location.DOMESTIC


def legal_regime_of(case: Case, *, on: date | None = None) -> str:
    """The regime the case stands under, as the eligibility engine decides it (Art. 63: a victim
    identified before 01/07/2025 keeps Law 66/2011; everyone else is under Law 53/2024)."""
    return regime_for(case, identification_date(case), on=on)


def regime_for(case: Case, identified_on: date | None, *, on: date | None = None) -> str:
    """`legal_regime_of` for a case whose identification date is already known (a case not yet
    written, as the bulk intake builds it)."""
    regime, _reason = eligibility.determine_legal_regime(
        status=_status(case, identified_on),
        identified_on=identified_on,
        received_on=case.reception_date,
        on=on or timezone.localdate(),
    )
    return str(regime)


def applicant_for(case: Case, beneficiary: Person | None = None, *, on: date | None = None) -> eligibility.Applicant:
    on = on or timezone.localdate()
    identified_on = identification_date(case)
    principal = case.person
    common = {
        "location": _location(case, on),
        "trafficked_in_vietnam": case.intake_channel == "foreign_victim" or not case.found_abroad,
        "identified_on": identified_on,
        "received_on": case.reception_date,
    }
    if beneficiary is None or beneficiary.pk == principal.pk:
        return eligibility.Applicant(
            status=_status(case, identified_on), nationality_class=principal.nationality_class, **common
        )
    return eligibility.Applicant(
        role=eligibility.Role.ACCOMPANYING_CHILD,
        nationality_class=beneficiary.nationality_class,
        age=age_on(on, birth_date=beneficiary.birth_date, birth_year=beneficiary.birth_year),
        principal_status=_status(case, identified_on),
        principal_nationality_class=principal.nationality_class,
        **common,
    )


def beneficiaries(case: Case) -> list[Person]:
    children = LinkedPerson.objects.filter(case=case, relationship=Relationship.CHILD).select_related("person")
    return [case.person, *[link.person for link in children]]


def assess_case(case: Case, beneficiary: Person | None = None, *, on: date | None = None) -> eligibility.Assessment:
    on = on or timezone.localdate()
    return eligibility.assess(applicant_for(case, beneficiary, on=on), regime_date=on)


# --- Rate tables ------------------------------------------------------------------------------------


@transaction.atomic
def create_rate(*, actor, data: dict) -> RateTable:
    """A province administrator records a rate with its validity and legal basis; periods may not overlap."""
    province = data.get("province")
    errors: dict = {}
    if province is None or province.level != UnitLevel.PROVINCE or not province.is_current:
        errors["province"] = [_("Choose a province of today's map.")]
    elif not scope_for(actor).covers_unit(province, Capability.MANAGE_RATES):
        raise PermissionDenied
    if data.get("regime") not in eligibility.Regime.__members__:
        errors["regime"] = [_("Choose a regime from the list.")]
    item = clean_text(data.get("item"))
    if not item:
        errors["item"] = [_("This field is required.")]
    amount = data.get("amount")
    if amount is None or Decimal(amount) < 0:
        errors["amount"] = [_("Enter an amount of zero or more.")]
    valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
    if valid_from is None:
        errors["valid_from"] = [_("This field is required.")]
    elif valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = [_("The end of validity is before its start.")]
    if not clean_text(data.get("legal_basis")):
        errors["legal_basis"] = [_("Name the resolution or decision that sets this rate.")]
    if not errors:
        overlapping = RateTable.objects.filter(province=province, regime=data["regime"], item=item).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
        )
        if valid_to is not None:
            overlapping = overlapping.filter(valid_from__lte=valid_to)
        if overlapping.exists():
            errors["valid_from"] = [_("Another rate for this item is valid in the same period; end it first.")]
    if errors:
        raise ValidationError(errors)
    rate = RateTable.objects.create(
        province=province,
        regime=data["regime"],
        item=item,
        unit_label=clean_text(data.get("unit_label")) or "once",
        amount=Decimal(amount),
        max_units=data.get("max_units"),
        valid_from=valid_from,
        valid_to=valid_to,
        legal_basis=clean_text(data["legal_basis"]),
        created_by=actor,
    )
    record_event(
        action="cases.rate_created",
        actor=actor,
        target=rate,
        unit=province,
        changes={"regime": rate.regime, "item": item, "amount": rate.amount, "valid_from": valid_from},
    )
    return rate


# --- Support items ------------------------------------------------------------------------------------


@transaction.atomic
def record_extension(*, actor, case: Case, data: dict) -> SupportExtension:
    """Record a decision that lets a regime go past its limit, naming the agency that decided
    (Decree 162 Art. 17: the facility's head, the Department of Health or a competent body)."""
    if not can_edit_case(actor, case):
        raise PermissionDenied
    recorder, decider = law.DECISIONS["support_extension"]
    acting = acting_for(actor, case, recorder)
    if not acting.allowed:
        raise PermissionDenied(acting.reason)
    errors: dict = {}
    if data.get("regime") not in eligibility.Regime.__members__:
        errors["regime"] = [_("Choose a regime from the list.")]
    if not data.get("extra_units") or data["extra_units"] < 1:
        errors["extra_units"] = [_("Enter one or more.")]
    if not clean_text(data.get("decision_number")):
        errors["decision_number"] = [_("This field is required.")]
    decided_on, agency = data.get("decided_on"), data.get("decided_by")
    if decided_on is None:
        errors["decided_on"] = [_("This field is required.")]
    elif decided_on > timezone.localdate():
        errors["decided_on"] = [_("%(day)s is in the future.") % {"day": format_day(decided_on)}]
    if agency is None:
        errors["decided_by"] = [
            _("Choose the agency that decided: %(who)s (%(article)s).")
            % {"who": decider.who(), "article": decider.article}
        ]
    elif agency.agency_type not in decider.agency_types:
        errors["decided_by"] = [
            _("%(agency)s cannot take this decision; it is taken by: %(who)s (%(article)s).")
            % {"agency": agency.name, "who": decider.who(), "article": decider.article}
        ]
    if errors:
        raise ValidationError(errors)
    extension = SupportExtension.objects.create(
        case=case,
        regime=data["regime"],
        extra_units=data["extra_units"],
        decision_number=clean_text(data["decision_number"]),
        decided_on=decided_on,
        deciding_agency=agency,
        recorded_by=actor,
    )
    record_event(
        action="cases.support_extended",
        actor=actor,
        target=case,
        unit=case.unit,
        changes={
            "regime": extension.regime,
            "extra_units": extension.extra_units,
            "decision_number": extension.decision_number,
            "decided_by": str(agency.pk),
        },
    )
    return extension


def _check_within_limit(case: Case, beneficiary: Person, regime: str, item: str, rate: RateTable, quantity) -> None:
    """Refuse a quantity past the rate's limit (essential needs: at most 120 days) plus the recorded extensions."""
    limit = rate.max_units
    if regime == eligibility.Regime.ESS and rate.unit_label == "day":
        limit = min(limit or eligibility.ESS_MAX_DAYS, eligibility.ESS_MAX_DAYS)
    if limit is not None:
        used = (
            SupportItem.objects.filter(case=case, beneficiary=beneficiary, regime=regime, item=item).aggregate(
                total=Sum("quantity")
            )["total"]
            or 0
        )
        extended = (
            SupportExtension.objects.filter(case=case, regime=regime).aggregate(total=Sum("extra_units"))["total"] or 0
        )
        if used + quantity > limit + extended:
            raise ValidationError(
                {
                    "quantity": [
                        _(
                            "%(used)s + %(quantity)s %(per)s would pass the limit of %(limit)s; "
                            "record an extension decision first."
                        )
                        % {"used": used, "quantity": quantity, "per": rate.unit_label, "limit": limit + extended}
                    ]
                }
            )


def validate_support_item(*, case: Case, data: dict) -> dict:
    """The checks of `record_support_item`, writing nothing (an import's dry run calls this for each row;
    the caller has checked that the actor may edit the case): the item's values with the rate in force,
    or ValidationError."""
    errors: dict = {}
    regime, item = data.get("regime"), clean_text(data.get("item"))
    beneficiary = data.get("beneficiary") or case.person
    start, end = data.get("start_date"), data.get("end_date")
    quantity, provider = data.get("quantity"), data.get("provider")
    if beneficiary.pk not in {person.pk for person in beneficiaries(case)}:
        errors["beneficiary"] = [_("Support goes to the person or an accompanying child of this case.")]
    if regime not in eligibility.Regime.__members__:
        errors["regime"] = [_("Choose a regime from the list.")]
    if not item:
        errors["item"] = [_("This field is required.")]
    if provider is None:
        errors["provider"] = [_("This field is required.")]
    if start is None:
        errors["start_date"] = [_("This field is required.")]
    elif start > timezone.localdate():
        errors["start_date"] = [_("%(day)s is in the future.") % {"day": format_day(start)}]
    if start is not None and end is not None and end < start:
        errors["end_date"] = [_("The end date is before the start date.")]
    if not quantity or quantity < 1:
        errors["quantity"] = [_("Enter one or more.")]
    if errors:
        raise ValidationError(errors)

    decision = assess_case(case, beneficiary, on=start).decision(regime)
    if decision.outcome == eligibility.Outcome.REFUSED:
        raise ValidationError(
            {
                "regime": [
                    _("Not available: %(reason)s (%(article)s)")
                    % {"reason": decision.reason, "article": decision.article}
                ]
            }
        )
    if decision.outcome == eligibility.Outcome.DISCRETIONARY and not clean_text(data.get("decision_number")):
        raise ValidationError(
            {
                "decision_number": [
                    _("This support is decided case by case (%(article)s): give the decision number.")
                    % {"article": decision.article}
                ]
            }
        )
    rate = rate_for(case.province, regime, item, start)
    if rate is None:
        raise ValidationError(
            {
                "item": [
                    _("%(province)s has no rate for “%(item)s” valid on %(day)s; a province administrator must add it.")
                    % {"province": case.province.name, "item": item, "day": format_day(start)}
                ]
            }
        )
    _check_within_limit(case, beneficiary, regime, item, rate, quantity)
    return {
        "beneficiary": beneficiary,
        "regime": regime,
        "rate": rate,
        "item": item,
        "provider": provider,
        "start_date": start,
        "end_date": end,
        "quantity": quantity,
        "unit_amount": rate.amount,
        "total": rate.amount * quantity,
        "decision_number": clean_text(data.get("decision_number")),
    }


@transaction.atomic
def record_support_item(*, actor, case: Case, data: dict) -> SupportItem:
    locked = Case.objects.select_for_update(of=("self",)).select_related("person", "province", "unit").get(pk=case.pk)
    if not can_edit_case(actor, locked):
        raise PermissionDenied
    values = validate_support_item(case=locked, data=data)
    support = SupportItem.objects.create(case=locked, recorded_by=actor, **values)
    regime, quantity = values["regime"], values["quantity"]
    record_event(
        action="cases.support_recorded",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={"support_item": str(support.pk), "regime": regime, "quantity": quantity, "total": support.total},
    )
    return support


def foreign_needs_country(person: Person) -> bool:
    return person.nationality_class == NationalityClass.FOREIGN and not person.nationality_country
