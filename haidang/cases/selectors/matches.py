"""Possible duplicates of a person as a reader may see them: one rule for the API's person search,
the person search page and the warning before an intake is saved.

A match is a person in one of the reader's visible cases (`duplicate_candidates`: the same name in any
spelling or word order, with or without diacritics, or the same identity document). Each match lists
only the reader's visible cases of that person; the name is shown when the reader may see the identity
on one of them, else it is masked.

A person known only outside the reader's scope is not mentioned at all, not even as "a match exists
elsewhere": telling a reader that a name they typed belongs to a recorded victim in another unit is
itself a disclosure (Art. 3(10) Law 53/2024), and would let anyone who may record an intake test names
against every unit's records. Duplicates across units are found by those whose scope covers both (the
province's coordinators and case workers), who may merge them.
"""

from dataclasses import dataclass
from uuid import UUID

from django.db import router

from haidang.cases.models import Case
from haidang.cases.selectors.visibility import MASK, can_see_identity, cases_visible_to, visible_key
from haidang.cases.selectors.work import duplicate_candidates
from haidang.common.queries import model_columns, values_rows
from haidang.places.models import AdministrativeUnit

# What a match shows of each case and decides its identity on (`can_see_identity`): only these are read,
# in the models' field order (the rows become Case objects with their unit, see `_cases_of`).
_CASE_FIELDS = ("id", "number", "status", "reception_date", "person", "assigned_to", "unit")
_UNIT_FIELDS = ("id", "name", "path", "placement_path")
_CASE_COLUMNS = model_columns(Case, _CASE_FIELDS)
_UNIT_COLUMNS = model_columns(AdministrativeUnit, _UNIT_FIELDS)
_CASE_UNIT = Case._meta.get_field("unit")


@dataclass(frozen=True)
class PersonMatch:
    person_id: object
    score: int
    reasons: tuple[str, ...]
    full_name: str
    birth_year: int | None
    sex: str
    identity_shown: bool
    cases: tuple[Case, ...]

    @property
    def case_numbers(self) -> list[str]:
        return [case.number for case in self.cases]


def person_matches(
    user,
    *,
    full_name: str,
    document_number: str = "",
    birth_year: int | None = None,
    residence_unit=None,
) -> list[PersonMatch]:
    """The possible duplicates of a person among the user's cases, best first, as the user may see them."""
    candidates = duplicate_candidates(
        user,
        full_name=full_name,
        document_number=document_number,
        birth_year=birth_year,
        residence_unit=residence_unit,
    )
    if not candidates:
        return []
    by_person: dict = {}
    for case in _cases_of(user, [candidate.person.pk for candidate in candidates]):
        by_person.setdefault(case.person_id, []).append(case)
    matches = []
    for candidate in candidates:
        person_cases = tuple(by_person.get(candidate.person.pk, ()))
        show = any(can_see_identity(user, case) for case in person_cases)
        matches.append(
            PersonMatch(
                person_id=candidate.person.pk,
                score=candidate.score,
                reasons=candidate.reasons,
                full_name=candidate.person.full_name if show else MASK,
                birth_year=candidate.person.birth_year,
                sex=candidate.person.sex,
                identity_shown=show,
                cases=person_cases,
            )
        )
    return matches


def _cases_of(user, persons: list) -> list[Case]:
    """The user's visible cases of these persons, oldest first, each with its unit: one statement, kept per
    reader and number of persons apart from the persons themselves (`values_rows`, slots)."""
    slots = {f"person_{number}": person for number, person in enumerate(persons)}

    def visible(values):
        return (
            cases_visible_to(user)
            .select_related(None)
            .filter(person__in=list(values.values()))
            .order_by("reception_date", "number")
        )

    fields = (*_CASE_COLUMNS, *(f"unit__{name}" for name in _UNIT_COLUMNS))
    keep = all(isinstance(person, UUID) for person in persons)
    rows = values_rows(Case, visible, fields, ("match-cases", visible_key(user)) if keep else None, slots=slots)
    alias = router.db_for_read(Case)
    cases = []
    for row in rows:
        case = Case.from_db(alias, _CASE_COLUMNS, row[: len(_CASE_COLUMNS)])
        _CASE_UNIT.set_cached_value(case, AdministrativeUnit.from_db(alias, _UNIT_COLUMNS, row[len(_CASE_COLUMNS) :]))
        cases.append(case)
    return cases
