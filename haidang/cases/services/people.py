"""Person records: the checks of a person's details and the merge of a duplicate into the record
kept (the keyed hashes that find duplicates are in `cases.matching`)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.cases.models import Case, LinkedPerson, NationalityClass, Person, Sex
from haidang.cases.selectors import can_edit_case
from haidang.cases.services._common import _event
from haidang.common.ethnicities import is_ethnicity_code
from haidang.common.text import clean_text

IDENTIFYING_PERSON_FIELDS = frozenset({"full_name", "other_names", "document_number", "address", "contacts"})


_SEXES, _NATIONALITIES = frozenset(Sex.values), frozenset(NationalityClass.values)


def _validate_person(data: dict, errors: dict, *, today: date | None = None) -> dict:
    """`today`: the caller's, when it checks many persons (an import asks once)."""
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
    if values["sex"] not in _SEXES:
        errors.setdefault("sex", []).append(_("Choose one of the allowed values."))
    if values["ethnicity"] and not is_ethnicity_code(values["ethnicity"]):
        errors.setdefault("ethnicity", []).append(
            _("“%(code)s” is not an ethnic group code: choose one of the 54 groups (01 Kinh … 54 Rơ-măm).")
            % {"code": values["ethnicity"]}
        )
    if values["nationality_class"] not in _NATIONALITIES:
        errors.setdefault("nationality_class", []).append(_("Choose one of the allowed values."))
    if values["nationality_class"] == NationalityClass.FOREIGN and not values["nationality_country"]:
        errors.setdefault("nationality_country", []).append(_("Give the country of a foreign national."))
    today = today or timezone.localdate()
    birth = values["birth_date"]
    if birth is not None:
        if birth > today:
            errors.setdefault("birth_date", []).append(_("The date of birth is in the future."))
        values["birth_year"] = birth.year
    year = values["birth_year"]
    if year is not None and not 1900 <= year <= today.year:
        errors.setdefault("birth_year", []).append(_("Enter a year between 1900 and %(year)s.") % {"year": today.year})
    return values


@transaction.atomic
def merge_persons(*, actor, keep: Person, duplicate: Person, reason: str) -> Person:
    """Merge a duplicate person record into the one kept: both histories stay, nothing is lost.

    The duplicate's cases and links move to the kept person; the duplicate stays as a record
    pointing at the kept one. Only someone who may edit every case involved may merge.
    """
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
