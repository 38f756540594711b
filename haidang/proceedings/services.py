"""Writes for the criminal proceedings register: one function per action, validated, atomic, audited.

Validation answers with {field: [message]} so pages and the API name the field. Identifying
values of suspects never reach the audit log (they are stored there as '***').
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases.matching import document_key, name_key
from haidang.cases.models import Case, Exploitation, Route, Sex
from haidang.cases.selectors import cases_visible_to
from haidang.common.countries import is_country_code
from haidang.common.errors import StaleVersionError
from haidang.common.text import clean_text
from haidang.places.errors import format_day
from haidang.places.selectors import validate_unit_on
from haidang.proceedings.models import AgeBand, Article, CriminalCase, Suspect, SuspectRole, VictimLink, age_band_for
from haidang.proceedings.selectors import can_edit_criminal_case, investigating_agencies_for

EARLIEST_DAY = date(2000, 1, 1)
CASE_FIELDS = (
    "number",
    "article",
    "detected_on",
    "prosecution_opened_on",
    "investigating_agency",
    "unit",
    "route",
    "destination_country",
    "exploitation_forms",
)
SUSPECT_FIELDS = (
    "full_name",
    "document_number",
    "address",
    "sex",
    "birth_year",
    "age_band",
    "nationality",
    "role",
    "prosecuted_on",
)
IDENTIFYING_SUSPECT_FIELDS = frozenset({"full_name", "document_number", "address"})


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(str(message))


def _check_day(errors: dict, field: str, day, *, required: bool = False, not_before: date | None = None, after=""):
    if day is None:
        if required:
            _add(errors, field, _("This field is required."))
        return
    if not isinstance(day, date):
        _add(errors, field, _("Enter a valid date."))
        return
    if day > timezone.localdate():
        _add(errors, field, _("%(day)s is in the future.") % {"day": format_day(day)})
    elif day < EARLIEST_DAY:
        _add(
            errors,
            field,
            _("%(day)s is before %(earliest)s; check the year.")
            % {"day": format_day(day), "earliest": format_day(EARLIEST_DAY)},
        )
    elif not_before is not None and day < not_before:
        _add(
            errors,
            field,
            _("%(day)s is before %(what)s (%(other)s).")
            % {"day": format_day(day), "what": after, "other": format_day(not_before)},
        )


def _country(errors: dict, field: str, value) -> str:
    code = clean_text(value).upper()
    if code and not is_country_code(code):
        _add(
            errors,
            field,
            _("“%(code)s” is not a country code: enter an ISO 3166-1 alpha-3 code (KHM, CHN, LAO…).") % {"code": code},
        )
    return code


# --- Criminal cases ----------------------------------------------------------------------------------


def _case_values(actor, merged: dict) -> dict:
    """Check a whole set of criminal case values; return them normalised or raise ValidationError."""
    errors: dict = {}
    values = dict(merged)
    values["number"] = clean_text(values.get("number"))
    if not values["number"]:
        _add(errors, "number", _("This field is required."))
    elif len(values["number"]) > 60:
        _add(errors, "number", _("Enter at most %(max)s characters.") % {"max": 60})
    if values.get("article") not in Article.values:
        _add(errors, "article", _("Choose Article 150 or 151."))
    detected = values.get("detected_on")
    _check_day(errors, "detected_on", detected, required=True)
    opened = values.get("prosecution_opened_on")
    if "detected_on" not in errors:
        _check_day(errors, "prosecution_opened_on", opened, not_before=detected, after=_("the date detected"))
    agency = values.get("investigating_agency")
    if agency is None:
        _add(errors, "investigating_agency", _("This field is required."))
    elif not investigating_agencies_for(actor).filter(pk=agency.pk).exists():
        _add(
            errors,
            "investigating_agency",
            _("%(agency)s is not an investigating agency you can name.") % {"agency": agency.name},
        )
    unit = values.get("unit")
    if unit is None:
        _add(errors, "unit", _("This field is required."))
    elif "detected_on" not in errors:
        try:
            validate_unit_on(unit, detected, field="unit")
        except ValidationError as error:
            errors.setdefault("unit", []).extend(error.message_dict.get("unit", error.messages))
        if "unit" not in errors and not scope_for(actor).covers_unit(unit, Capability.MANAGE_PROCEEDINGS):
            _add(errors, "unit", _("%(unit)s is outside your area.") % {"unit": unit.name})
    values["route"] = values.get("route") or ""
    if values["route"] not in ("", *Route.values):
        _add(errors, "route", _("Choose a route from the list."))
    values["destination_country"] = _country(errors, "destination_country", values.get("destination_country"))
    forms = values.get("exploitation_forms") or []
    if not isinstance(forms, list | tuple) or any(form not in Exploitation.values for form in forms):
        _add(errors, "exploitation_forms", _("Choose forms of exploitation from the list."))
        forms = []
    values["exploitation_forms"] = list(dict.fromkeys(forms))
    if errors:
        raise ValidationError(errors)
    return values


def _number_taken(values: dict, exclude=None) -> bool:
    taken = CriminalCase.objects.filter(
        investigating_agency=values["investigating_agency"],
        year=values["detected_on"].year,
        number=values["number"],
    )
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    return taken.exists()


def _number_error(values: dict) -> ValidationError:
    return ValidationError(
        {
            "number": [
                _("%(agency)s already has a case numbered %(number)s in %(year)s.")
                % {
                    "agency": values["investigating_agency"].name,
                    "number": values["number"],
                    "year": values["detected_on"].year,
                }
            ]
        }
    )


def _case_summary(criminal_case: CriminalCase) -> dict:
    return {
        "number": criminal_case.number,
        "article": criminal_case.article,
        "detected_on": criminal_case.detected_on,
        "prosecution_opened_on": criminal_case.prosecution_opened_on,
        "unit": criminal_case.unit.code,
        "investigating_agency": criminal_case.investigating_agency_id,
    }


def validate_new_criminal_case(*, actor, data: dict) -> dict:
    """The checks of `create_criminal_case`, writing nothing: the values normalised, or PermissionDenied /
    ValidationError (an import's dry run calls this for each row)."""
    if not scope_for(actor).can(Capability.MANAGE_PROCEEDINGS):
        raise PermissionDenied
    values = _case_values(actor, {name: data.get(name) for name in CASE_FIELDS})
    if _number_taken(values):
        raise _number_error(values)
    return values


@transaction.atomic
def create_criminal_case(*, actor, data: dict) -> CriminalCase:
    values = validate_new_criminal_case(actor=actor, data=data)
    try:
        with transaction.atomic():
            criminal_case = CriminalCase.objects.create(year=values["detected_on"].year, created_by=actor, **values)
    except IntegrityError:  # the same number saved by someone else a moment ago
        raise _number_error(values) from None
    record_event(
        action="proceedings.case_created",
        actor=actor,
        target=criminal_case,
        unit=criminal_case.unit,
        changes=_case_summary(criminal_case),
    )
    return criminal_case


@transaction.atomic
def update_criminal_case(*, actor, criminal_case: CriminalCase, version: int, data: dict) -> CriminalCase:
    """Change the fields sent; a stale `version` is refused and nothing is written."""
    locked = (
        CriminalCase.objects.select_for_update(of=("self",))
        .select_related("unit", "investigating_agency")
        .get(pk=criminal_case.pk)
    )
    if not can_edit_criminal_case(actor, locked):
        raise PermissionDenied
    if version != locked.version:
        raise StaleVersionError(locked.version)
    merged = {name: getattr(locked, name) for name in CASE_FIELDS}
    merged.update({name: data[name] for name in CASE_FIELDS if name in data})
    values = _case_values(actor, merged)
    first_prosecution = locked.suspects.exclude(prosecuted_on__isnull=True).order_by("prosecuted_on").first()
    if first_prosecution is not None and (
        values["prosecution_opened_on"] is None or values["prosecution_opened_on"] > first_prosecution.prosecuted_on
    ):
        raise ValidationError(
            {
                "prosecution_opened_on": [
                    _("A suspect was prosecuted on %(day)s: the case must have been opened by then.")
                    % {"day": format_day(first_prosecution.prosecuted_on)}
                ]
            }
        )
    if _number_taken(values, exclude=locked):
        raise _number_error(values)
    changed = {}
    for name, value in values.items():
        if getattr(locked, name) != value:
            changed[name] = value
            setattr(locked, name, value)
    if not changed:
        return locked
    locked.year = locked.detected_on.year
    locked.version += 1
    locked.save()
    record_event(
        action="proceedings.case_updated",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={key: getattr(value, "pk", value) for key, value in changed.items()},
    )
    return locked


# --- Suspects ----------------------------------------------------------------------------------------


def _suspect_values(criminal_case: CriminalCase, merged: dict) -> dict:
    errors: dict = {}
    values = dict(merged)
    for name in IDENTIFYING_SUSPECT_FIELDS:
        values[name] = clean_text(values.get(name))
    if not values["full_name"]:
        _add(errors, "full_name", _("This field is required."))
    values["sex"] = values.get("sex") or Sex.UNKNOWN
    if values["sex"] not in Sex.values:
        _add(errors, "sex", _("Choose one of the allowed values."))
    year = values.get("birth_year")
    today = timezone.localdate()
    if year is not None and not (isinstance(year, int) and 1900 <= year <= today.year):
        _add(errors, "birth_year", _("Enter a year between 1900 and %(year)s.") % {"year": today.year})
        year = None
    if year is not None:
        values["age_band"] = age_band_for(year, criminal_case.detected_on)
    else:
        values["age_band"] = values.get("age_band") or AgeBand.UNKNOWN
        if values["age_band"] not in AgeBand.values:
            _add(errors, "age_band", _("Choose one of the allowed values."))
    values["nationality"] = _country(errors, "nationality", values.get("nationality") or "VNM")
    if not values["nationality"]:
        values["nationality"] = "VNM"
    if values.get("role") not in SuspectRole.values:
        _add(errors, "role", _("Choose a role from the list."))
    prosecuted = values.get("prosecuted_on")
    if prosecuted is not None:
        opened = criminal_case.prosecution_opened_on
        if opened is None:
            _add(errors, "prosecuted_on", _("Record the date the case was opened for prosecution first."))
        else:
            _check_day(errors, "prosecuted_on", prosecuted, not_before=opened, after=_("the case was opened"))
    if errors:
        raise ValidationError(errors)
    return values


def suspect_match_keys(values: dict) -> dict:
    """The keyed hashes a suspect is found by (never the values themselves)."""
    return {
        "name_key": name_key(values.get("full_name") or ""),
        "document_hash": document_key(values.get("document_number") or ""),
    }


def _locked_case(actor, criminal_case: CriminalCase) -> CriminalCase:
    locked = CriminalCase.objects.select_for_update(of=("self",)).select_related("unit").get(pk=criminal_case.pk)
    if not can_edit_criminal_case(actor, locked):
        raise PermissionDenied
    return locked


def validate_new_suspect(*, criminal_case: CriminalCase, data: dict) -> dict:
    """The checks of `add_suspect` on the case's values, writing nothing (the case may be one not yet
    saved, as an import's dry run builds it): the values normalised, or ValidationError."""
    return _suspect_values(criminal_case, {name: data.get(name) for name in SUSPECT_FIELDS})


@transaction.atomic
def add_suspect(*, actor, criminal_case: CriminalCase, data: dict) -> Suspect:
    locked = _locked_case(actor, criminal_case)
    values = validate_new_suspect(criminal_case=locked, data=data)
    suspect = Suspect.objects.create(criminal_case=locked, created_by=actor, **values, **suspect_match_keys(values))
    record_event(
        action="proceedings.suspect_added",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={"suspect": str(suspect.pk), **values},
        identifying=IDENTIFYING_SUSPECT_FIELDS,
    )
    return suspect


@transaction.atomic
def update_suspect(*, actor, suspect: Suspect, version: int, data: dict) -> Suspect:
    """Change the fields sent, as of the `version` read: another one raises StaleVersionError, nothing written."""
    locked = _locked_case(actor, suspect.criminal_case)
    current = Suspect.objects.select_for_update().get(pk=suspect.pk, criminal_case=locked)
    if version != current.version:
        raise StaleVersionError(current.version)
    merged = {name: getattr(current, name) for name in SUSPECT_FIELDS}
    merged.update({name: data[name] for name in SUSPECT_FIELDS if name in data})
    if "birth_year" in data and data["birth_year"] is None and "age_band" not in data:
        merged["age_band"] = AgeBand.UNKNOWN
    values = _suspect_values(locked, merged)
    changed = {name: value for name, value in values.items() if getattr(current, name) != value}
    if not changed:
        return current
    for name, value in changed.items():
        setattr(current, name, value)
    for name, value in suspect_match_keys(values).items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    record_event(
        action="proceedings.suspect_updated",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={"suspect": str(current.pk), **changed},
        identifying=IDENTIFYING_SUSPECT_FIELDS,
    )
    return current


@transaction.atomic
def remove_suspect(*, actor, suspect: Suspect, reason: str) -> None:
    locked = _locked_case(actor, suspect.criminal_case)
    if not clean_text(reason):
        raise ValidationError({"reason": [_("Give the reason.")]})
    suspect_id = str(suspect.pk)
    Suspect.objects.filter(pk=suspect.pk, criminal_case=locked).delete()
    record_event(
        action="proceedings.suspect_removed",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={"suspect": suspect_id},
        reason=clean_text(reason),
    )


# --- Linked victims -----------------------------------------------------------------------------------


@transaction.atomic
def link_victim(*, actor, criminal_case: CriminalCase, case: Case) -> VictimLink:
    """Link a victim case; the linker must be able to see it (else it is 'not found')."""
    locked = _locked_case(actor, criminal_case)
    if case is None or not cases_visible_to(actor).filter(pk=case.pk).exists():
        raise ValidationError({"case": [_("No victim case with this number that you can see.")]})
    if VictimLink.objects.filter(criminal_case=locked, case=case).exists():
        raise ValidationError({"case": [_("Victim case %(number)s is already linked.") % {"number": case.number}]})
    link = VictimLink.objects.create(criminal_case=locked, case=case, linked_by=actor)
    record_event(
        action="proceedings.victim_linked",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={"case": str(case.pk), "case_number": case.number},
    )
    return link


@transaction.atomic
def unlink_victim(*, actor, criminal_case: CriminalCase, case: Case) -> None:
    """Remove a link; only a case the user can see can be unlinked by them."""
    locked = _locked_case(actor, criminal_case)
    if case is None or not cases_visible_to(actor).filter(pk=case.pk).exists():
        raise ValidationError({"case": [_("No victim case with this number that you can see.")]})
    deleted, _rows = VictimLink.objects.filter(criminal_case=locked, case=case).delete()
    if not deleted:
        raise ValidationError({"case": [_("Victim case %(number)s is not linked.") % {"number": case.number}]})
    record_event(
        action="proceedings.victim_unlinked",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={"case": str(case.pk), "case_number": case.number},
    )
