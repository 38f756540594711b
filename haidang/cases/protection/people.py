"""Accompanying children and relatives as linked persons, with identities sealed as at intake."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haidang.cases import services
from haidang.cases.models import Case, DocumentType, LinkedPerson, Person, Relationship
from haidang.cases.protection._common import (
    ADULT_AGE,
    _add,
    _age_at_least,
    _finish,
    _lock_case,
    _require_edit,
    _require_open,
)
from haidang.cases.protection.protection import _has_active_protection
from haidang.common.errors import StaleVersionError
from haidang.common.text import clean_text
from haidang.places.errors import format_day


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
        _add(errors, "nationality_country", services.COUNTRY_MESSAGE % {"code": values["nationality_country"]})
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
def update_link(*, actor, link: LinkedPerson, version: int, data: dict) -> LinkedPerson:
    """Change a linked person's relationship, protection flag or notes (keys present in `data`), as of the
    `version` read: another one raises StaleVersionError and nothing is written. A closed case is refused,
    as for linking a person."""
    locked = LinkedPerson.objects.select_for_update(of=("self",)).select_related("case__unit", "person").get(pk=link.pk)
    case = locked.case
    _require_edit(actor, case)
    if version != locked.version:
        raise StaleVersionError(locked.version)
    errors: dict = {}
    _require_open(case, errors)
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
    locked.version += 1
    locked.save(update_fields=[*changed, "version"])
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
