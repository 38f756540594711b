"""Scoped reads of cases. Every page, API call, export and report starts from `cases_visible_to`.

A case is visible to users whose role may see cases over the case's unit (records under old
units placed through the crosswalk), and to the user it is assigned to. Identities are shown
only to roles that need them over that unit; everyone else gets masked values. Reading a case
with identities is written to the audit log.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases import timelimits
from haidang.cases.models import Case, CaseAccessGrant, CaseStatus, Person

MASK = "•••"


def cases_visible_to(user) -> QuerySet[Case]:
    base = Case.objects.select_related("person", "unit", "agency", "province", "assigned_to")
    if user is None or not user.is_authenticated:
        return base.none()
    # Widened only by an explicit assignment or a live break-the-glass grant. The few ids are read
    # first, so the main query is `unit_id IN (...) OR id IN (list)`, which indexes serve.
    granted = CaseAccessGrant.objects.filter(user=user, expires_at__gt=timezone.now()).values("case_id")
    widened = list(Case.objects.filter(Q(assigned_to=user) | Q(pk__in=granted)).values_list("pk", flat=True)[:5000])
    return scope_for(user).filter(base, Capability.VIEW_CASES, widen=Q(pk__in=widened) if widened else None)


def get_case_for_user(user, case_id, *, purpose: str = "view") -> Case | None:
    """The case if the user may see it, else None (answer 404); the read is audited."""
    try:
        case = cases_visible_to(user).filter(pk=case_id).first()
    except ValidationError:  # not a UUID
        return None
    if case is not None:
        record_event(
            action="cases.case_viewed",
            actor=user,
            target=case,
            unit=case.unit,
            changes={"purpose": purpose, "identities_shown": can_see_identity(user, case)},
        )
    return case


def can_see_identity(user, case: Case) -> bool:
    scope = scope_for(user)
    if scope.covers_unit(case.unit, Capability.VIEW_IDENTITY):
        return True
    # An assigned case worker needs the identity to do the work.
    return case.assigned_to_id == getattr(user, "pk", None) and scope.can(Capability.VIEW_IDENTITY)


def can_edit_case(user, case: Case) -> bool:
    scope = scope_for(user)
    return scope.covers_unit(case.unit, Capability.EDIT_CASES) or (
        case.assigned_to_id == getattr(user, "pk", None) and scope.can(Capability.EDIT_CASES)
    )


@dataclass(frozen=True)
class PersonView:
    """What a reader may see of a person: identifying fields masked unless allowed."""

    id: str
    full_name: str
    other_names: str
    document_number: str
    address: str
    contacts: str
    sex: str
    birth_year: int | None
    nationality_class: str
    identities_shown: bool


def _mask(value: str) -> str:
    return MASK if value else ""


def person_view(person: Person, *, show_identity: bool) -> PersonView:
    reveal = (lambda value: value) if show_identity else _mask
    return PersonView(
        id=str(person.pk),
        full_name=reveal(person.full_name),
        other_names=reveal(person.other_names),
        document_number=reveal(person.document_number),
        address=reveal(person.address),
        contacts=reveal(person.contacts),
        sex=person.sex,
        birth_year=person.birth_year,
        nationality_class=person.nationality_class,
        identities_shown=show_identity,
    )


@dataclass(frozen=True)
class WorkItem:
    case: Case
    kind: str
    due: object
    overdue: bool


def worklist(user, *, today=None) -> list[WorkItem]:
    """What is waiting for the user, most urgent first: verification deadlines and open steps."""
    today = today or timezone.localdate()
    # The worklist shows no identities: leave the sealed person fields unread (and undecrypted).
    waiting = (
        cases_visible_to(user)
        .select_related(None)
        .select_related("unit", "agency")
        .filter(status__in=[CaseStatus.REPORTED, CaseStatus.RECEIVED, CaseStatus.INITIAL_VERIFICATION])
    )
    items = []
    for case in waiting.order_by("reception_date")[:500]:
        if case.status == CaseStatus.INITIAL_VERIFICATION and case.notified_at is not None:
            deadline = timelimits.initial_verification_deadline(case.notified_at, today=today)
            items.append(WorkItem(case, "initial_verification", deadline.due, deadline.overdue))
        else:
            items.append(WorkItem(case, case.status, case.reception_date, False))
    return sorted(items, key=lambda item: (not item.overdue, item.due))


@dataclass(frozen=True)
class DuplicateCandidate:
    person: Person
    score: int
    reasons: tuple[str, ...]


def duplicate_candidates(
    user,
    *,
    full_name: str,
    birth_year: int | None = None,
    document_number: str = "",
    residence_unit=None,
    exclude=None,
) -> list[DuplicateCandidate]:
    """Persons in the user's cases who may be the same person, best match first.

    The same document (keyed hash) is decisive; the same name (without diacritics and word
    order, keyed hash) counts, and more with the same birth year or home commune. Never merges.
    """
    from haidang.cases.services import document_key, name_key

    name = name_key(full_name) if full_name else ""
    document = document_key(document_number) if document_number else ""
    if not name and not document:
        return []
    condition = Q()
    if name:
        condition |= Q(name_key=name)
    if document:
        condition |= Q(document_hash=document)
    person_ids = cases_visible_to(user).values("person_id")
    persons = Person.objects.filter(condition, pk__in=person_ids, merged_into__isnull=True)
    if exclude is not None:
        persons = persons.exclude(pk=exclude.pk)
    candidates = []
    for person in persons.select_related("residence_unit")[:50]:
        score, reasons = 0, []
        if document and person.document_hash == document:
            score, reasons = score + 100, [*reasons, "document"]
        if name and person.name_key == name:
            score, reasons = score + 40, [*reasons, "name"]
            if birth_year and person.birth_year == birth_year:
                score, reasons = score + 30, [*reasons, "birth_year"]
            if residence_unit is not None and person.residence_unit_id == getattr(residence_unit, "pk", None):
                score, reasons = score + 20, [*reasons, "residence_unit"]
        candidates.append(DuplicateCandidate(person, score, tuple(reasons)))
    return sorted(candidates, key=lambda candidate: -candidate.score)
