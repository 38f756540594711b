"""Shelter stays against the 120-day limit (Decree 162 Art. 17): the days of the person's earlier
stays on the case count, and no day past the limit is recorded without an extension decision."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haidang.cases import timelimits
from haidang.cases.models import Case, ShelterStay
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
from haidang.cases.selectors import (
    links_by_person,
    role_on_case,
    shelter_days_before,
    stay_deadline,
    stay_deadline_after,
)
from haidang.common.text import clean_text
from haidang.places.errors import format_day


def _check_extension(errors: dict, data: dict, *, start: date, current_due: date) -> dict:
    number = clean_text(data.get("extension_decision_number"))
    until = data.get("extended_until")
    if not number:
        _add(errors, "extension_decision_number", _("Give the number of the extension decision."))
    decided_on = _day(errors, "extension_decided_on", data.get("extension_decided_on"))
    decided_by = _deciding_agency(
        errors, "extension_decided_by", data.get("extension_decided_by"), "shelter_extension", decided_on
    )
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
        "extension_deciding_agency": decided_by,
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
    links = links_by_person(locked)
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
    due = stay_deadline_after(stay, shelter_days_before(earlier, stay), None).due
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
        _require_recorder(actor, locked, "shelter_extension")
        extension = _check_extension(errors, data, start=start, current_due=due)
        if errors:
            raise ValidationError(errors)
    for field, value in extension.items():
        setattr(stay, field, value)
    stay.save()
    deadline = stay_deadline_after(stay, shelter_days_before(earlier, stay), None)
    _finish(
        locked,
        actor=actor,
        kind="shelter_stay_started",
        action="cases.shelter_stay_started",
        # The facility is where the person is: not in the timeline, which masked readers see.
        data={
            "stay": str(stay.pk),
            "person": role_on_case(locked, person.pk, links),
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
        event_date=start,
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
    _require_recorder(actor, case, "shelter_extension")
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
            "decided_by": locked.extension_deciding_agency.name,
        },
        changes={
            "stay": str(locked.pk),
            "extension_decision_number": locked.extension_decision_number,
            "extension_decided_on": locked.extension_decided_on,
            "extended_until": locked.extended_until,
            "previous_due": current.due,
            "decided_by": str(locked.extension_deciding_agency.pk),
        },
        event_date=locked.extension_decided_on,
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
        event_date=end,
    )
    return locked
