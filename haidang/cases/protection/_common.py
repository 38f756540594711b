"""What the protection, shelter, reintegration, linked-person and attachment services share:
the lock on the case, the edit and open-case checks, dates checked field by field, ages, and the
timeline event with its audit entry (who a person is on the case is `selectors.role_on_case`)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.cases import authority as law
from haidang.cases import selectors, services
from haidang.cases.models import Case, CaseStatus, Person
from haidang.cases.selectors import can_edit_case
from haidang.common.ages import age_on
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
    """The person's age on `on` by the one rule (`common.ages.age_on`), or None."""
    return age_on(on, birth_date=birth_date, birth_year=birth_year)


def _certainly_minor(person: Person, on: date) -> bool:
    """Under 18 on `on` by the one age rule (a birth year alone: born on 31/12)."""
    age = age_on(on, birth_date=person.birth_date, birth_year=person.birth_year)
    return age is not None and age < ADULT_AGE


def _require_recorder(actor, case: Case, kind: str):
    """The actor's membership that may record a decision of `kind` on the case, else PermissionDenied
    naming who may (`authority.DECISIONS`)."""
    recorder, _decider = law.DECISIONS[kind]
    acting = selectors.acting_for(actor, case, recorder)
    if not acting.allowed:
        raise PermissionDenied(acting.reason)
    return acting.membership


def _deciding_agency(errors: dict, field: str, agency, kind: str, on: date | None, *, required: bool = True):
    """The body that decided: an agency of a kind the law gives the decision to, existing on `on`."""
    _recorder, decider = law.DECISIONS[kind]
    if agency is None:
        if required:
            _add(
                errors,
                field,
                _("Choose the agency that decided: %(who)s (%(article)s).")
                % {"who": decider.who(), "article": decider.article},
            )
        return None
    if agency.agency_type not in decider.agency_types:
        _add(
            errors,
            field,
            _("%(agency)s cannot take this decision; it is taken by: %(who)s (%(article)s).")
            % {"agency": agency.name, "who": decider.who(), "article": decider.article},
        )
        return None
    if on is not None and not agency.is_valid_on(on):
        _add(errors, field, _("%(agency)s did not exist on %(day)s.") % {"agency": agency.name, "day": format_day(on)})
        return None
    return agency


def _finish(
    case: Case, *, actor, kind: str, action: str, data: dict, changes: dict, note: str = "", event_date=None, **extra
):
    services._event(case, actor=actor, kind=kind, note=note, data=data, event_date=event_date)
    record_event(action=action, actor=actor, target=case, unit=case.unit, changes=changes, **extra)
