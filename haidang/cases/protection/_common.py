"""What the protection, shelter, reintegration, linked-person and attachment services share:
the lock on the case, the edit and open-case checks, dates checked field by field, ages, and the
timeline event with its audit entry (who a person is on the case is `selectors.role_on_case`)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.cases import services
from haidang.cases.models import Case, CaseStatus, Person
from haidang.cases.selectors import can_edit_case
from haidang.places.errors import format_day

ADULT_AGE = 18


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
