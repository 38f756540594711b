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

from haidang.cases.models import Case
from haidang.cases.selectors.visibility import MASK, can_see_identity, cases_visible_to
from haidang.cases.selectors.work import duplicate_candidates

# What a match shows of each case and decides its identity on (`can_see_identity`): only these are read.
MATCH_CASE_FIELDS = (
    "id",
    "number",
    "status",
    "reception_date",
    "person_id",
    "assigned_to_id",
    "unit__name",
    "unit__path",
    "unit__placement_path",
)


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
    # The visible cases of every match in one query (unit and assignee decide what is shown).
    by_person: dict = {}
    cases = (
        cases_visible_to(user)
        .select_related(None)
        .select_related("unit")
        .filter(person__in=[candidate.person.pk for candidate in candidates])
        .order_by("reception_date", "number")
        .only(*MATCH_CASE_FIELDS)
    )
    for case in cases:
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
