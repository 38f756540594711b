"""Scoped reads of cases. Every page, API call, export and report starts from `cases_visible_to`.

A case is visible to users whose role may see cases over the case's unit (records under old
units placed through the crosswalk), and to the user it is assigned to. Identities are shown
only to roles that need them over that unit; everyone else gets masked values. Reading a case
with identities is written to the audit log.

Beside the case: who a person is on it, its protection decisions, shelter stays (with their
120-day limits) and reintegration applications (with their 9-working-day limits) as the reader may
see them, and its attachments (never their content). The writes are in `cases.services` and
`cases.protection`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases import timelimits
from haidang.cases.matching import document_key, name_key
from haidang.cases.models import (
    ApplicationStatus,
    Case,
    CaseAccessGrant,
    CaseAttachment,
    CaseStatus,
    LinkedPerson,
    Person,
    ProtectionDecision,
    ReintegrationApplication,
    ShelterStay,
)
from haidang.common import shared
from haidang.common.queries import PageFirst, counts

MASK = "•••"


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases the user may see, with their unit, agency, province and assignee (not the person).

    The person is left out so that a list which shows no identity opens no sealed value: add
    `select_related("person")` (or `with_person`) where the person is shown.
    """
    base = Case.objects.select_related("unit", "agency", "province", "assigned_to")
    if user is None or not user.is_authenticated:
        return base.none()
    # Widened by an explicit assignment (a condition of the main query, served by the assignee
    # index) and by the live break-the-glass grants, read first as a short list of ids, so the
    # query is `unit_id IN (...) OR assigned_to_id = u OR id IN (...)`: a BitmapOr of index scans.
    widen = [Q(assigned_to=user)]
    granted = live_grants(user)
    if granted:
        widen.append(Q(pk__in=granted))
    return scope_for(user).filter(base, Capability.VIEW_CASES, widen=widen)


def live_grants(user) -> list:
    """Ids of the cases the user opened by break-the-glass and may still see: read once per request
    (kept on the user object, like the scope), however many lists the page shows."""
    grants = getattr(user, "_haidang_case_grants", None)
    now = timezone.now()
    if grants is None:
        # Every grant still running, kept in the process until a grant is made anywhere (they are
        # rare); whether each has expired is decided at each call, against the clock.
        grants = shared.cached(shared.GRANTS, ("grants", user.pk), lambda: _running_grants(user, now))
        user._haidang_case_grants = grants
    return sorted({case_id for case_id, expires_at in grants if expires_at > now}, key=str)


def _running_grants(user, now) -> tuple:
    return tuple(
        CaseAccessGrant.objects.filter(user=user, expires_at__gt=now).order_by().values_list("case_id", "expires_at")
    )


def forget_grants(user) -> None:
    """After a grant is made: the next read sees it."""
    user.__dict__.pop("_haidang_case_grants", None)


def get_case_for_user(user, case_id, *, purpose: str = "view") -> Case | None:
    """The case (with its person) if the user may see it, else None (answer 404); the read is audited."""
    try:
        case = cases_visible_to(user).select_related("person").filter(pk=case_id).first()
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
    return shows_identity(user, case.unit.scope_path, case.assigned_to_id)


def shows_identity(user, unit_scope_path: str, assigned_to_id) -> bool:
    """`can_see_identity` from the case's unit path and assignee alone (for lists read as values)."""
    scope = scope_for(user)
    if any(unit_scope_path.startswith(path) for path in scope.paths_for(Capability.VIEW_IDENTITY)):
        return True
    # An assigned case worker needs the identity to do the work.
    return assigned_to_id == getattr(user, "pk", None) and scope.can(Capability.VIEW_IDENTITY)


def can_edit_case(user, case: Case) -> bool:
    scope = scope_for(user)
    return scope.covers_unit(case.unit, Capability.EDIT_CASES) or (
        case.assigned_to_id == getattr(user, "pk", None) and scope.can(Capability.EDIT_CASES)
    )


def can_decide_transfer(user, transfer) -> bool:
    return scope_for(user).covers_unit(transfer.to_unit, Capability.EDIT_CASES)


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


# The person's sealed (encrypted) fields: a masked reader needs only to know whether each is filled.
SEALED_PERSON_FIELDS = ("full_name", "other_names", "document_number", "address", "contacts")


def with_person(queryset: QuerySet[Case], user) -> QuerySet[Case]:
    """`queryset` with each case's person, for a list that shows the person (masked or not).

    When the user's role shows identities nowhere, the sealed fields are left unread (nothing is
    decrypted) and each case carries `person_has_<field>` instead, which `case_person_view` uses.
    """
    queryset = queryset.select_related("person")
    if scope_for(user).can(Capability.VIEW_IDENTITY):
        return queryset
    filled = {
        f"person_has_{name}": ExpressionWrapper(~Q(**{f"person__{name}": ""}), output_field=BooleanField())
        for name in SEALED_PERSON_FIELDS
    }
    return queryset.defer(*(f"person__{name}" for name in SEALED_PERSON_FIELDS)).annotate(**filled)


def _mask(value: str) -> str:
    return MASK if value else ""


def person_view(person: Person, *, show_identity: bool, filled: dict[str, bool] | None = None) -> PersonView:
    """The person as this reader may see them; `filled` ({field: bool}) spares a masked read of sealed fields."""
    if show_identity:
        reveal = {name: getattr(person, name) for name in SEALED_PERSON_FIELDS}
    elif filled is not None:
        reveal = {name: MASK if filled[name] else "" for name in SEALED_PERSON_FIELDS}
    else:
        reveal = {name: _mask(getattr(person, name)) for name in SEALED_PERSON_FIELDS}
    return PersonView(
        id=str(person.pk),
        **reveal,
        sex=person.sex,
        birth_year=person.birth_year,
        nationality_class=person.nationality_class,
        identities_shown=show_identity,
    )


def case_person_view(user, case: Case) -> PersonView:
    """The case's person for `user`: identities only where the role shows them for this case."""
    show = can_see_identity(user, case)
    filled = None
    if not show and hasattr(case, "person_has_full_name"):
        filled = {name: getattr(case, f"person_has_{name}") for name in SEALED_PERSON_FIELDS}
    return person_view(case.person, show_identity=show, filled=filled)


# A case of a list as plain values (`case_list`): the case's own columns, then its unit, agency,
# assignee and person; a reader who sees identities nowhere reads `person_has_<field>` instead of
# the sealed fields.
CASE_LIST_COLUMNS = (
    "id",
    "number",
    "version",
    "status",
    "legal_regime",
    "intake_channel",
    "reception_date",
    "notified_at",
    "found_abroad",
    "found_country",
    "exploitation_forms",
    "destination_country",
    "route",
    "recruitment_method",
    "criminal_proceeding_number",
    "assigned_to_id",
    "assigned_to__username",
    "created_at",
    "updated_at",
    "unit__code",
    "unit__name",
    "unit__level",
    "unit__path",
    "unit__placement_path",
    "agency__id",
    "agency__name",
    "person__id",
    "person__sex",
    "person__birth_year",
    "person__nationality_class",
)


def case_list(user, queryset: QuerySet[Case]) -> PageFirst:
    """The cases of `queryset` (scoped and ordered), read a page at a time as dicts of values.

    The page is chosen on the case table alone, then its rows are read with their unit, agency,
    assignee and person and no model objects. Sealed person fields are read only for a reader
    whose role shows identities somewhere (each row still decides with `shows_identity`).
    """
    sees_identities = scope_for(user).can(Capability.VIEW_IDENTITY)
    if sees_identities:
        columns = (*CASE_LIST_COLUMNS, *(f"person__{name}" for name in SEALED_PERSON_FIELDS))
        annotations = {}
    else:
        columns = CASE_LIST_COLUMNS
        annotations = {
            f"person_has_{name}": ExpressionWrapper(~Q(**{f"person__{name}": ""}), output_field=BooleanField())
            for name in SEALED_PERSON_FIELDS
        }

    def rows(keys) -> dict:
        found = Case.objects.filter(pk__in=keys).annotate(**annotations).values(*columns, *annotations)
        return {row["id"]: row for row in found}

    return PageFirst(queryset, rows)


def case_rows(queryset: QuerySet[Case], fields: Sequence[str], *, count: int | None = None) -> PageFirst:
    """The cases of `queryset` a page at a time as tuples of `fields` (the first one "id"), the page
    picked on the case table before any join (see `common.queries.PageFirst`)."""

    def rows(keys) -> dict:
        return {row[0]: row for row in Case.objects.filter(pk__in=keys).values_list(*fields)}

    return PageFirst(queryset, rows, count=count)


def person_values_view(row: dict, *, show_identity: bool) -> dict:
    """`person_view` as a dict, from a `case_list` row."""
    if show_identity:
        reveal = {name: row[f"person__{name}"] for name in SEALED_PERSON_FIELDS}
    elif f"person_has_{SEALED_PERSON_FIELDS[0]}" in row:
        reveal = {name: MASK if row[f"person_has_{name}"] else "" for name in SEALED_PERSON_FIELDS}
    else:
        reveal = {name: _mask(row[f"person__{name}"]) for name in SEALED_PERSON_FIELDS}
    return {
        "id": str(row["person__id"]),
        **reveal,
        "sex": row["person__sex"],
        "birth_year": row["person__birth_year"],
        "nationality_class": row["person__nationality_class"],
        "identities_shown": show_identity,
    }


@dataclass(frozen=True, slots=True)
class WorkCase:
    """What a work item shows of its case, read as plain values (no model object is built per row)."""

    id: object
    number: str
    status: str
    notified_at: object
    reception_date: object
    unit_name: str

    @property
    def pk(self):
        return self.id

    @property
    def status_label(self) -> str:
        return str(dict(CaseStatus.choices).get(self.status, self.status))


@dataclass(frozen=True)
class WorkItem:
    case: WorkCase
    kind: str
    due: object
    overdue: bool


WAITING_STATUSES = (CaseStatus.REPORTED, CaseStatus.RECEIVED, CaseStatus.INITIAL_VERIFICATION)
# What a work item reads of its case (and unit), in WorkCase's order: nothing sealed, nothing else.
WORK_ITEM_FIELDS = ("id", "number", "status", "notified_at", "reception_date", "unit__name")


class Worklist(Sequence):
    """The user's waiting cases as a sequence ordered in the database: overdue first, then by due day.

    Nothing is read until asked: `count()` (or `len()`) counts in SQL, a slice reads only its rows
    (so a `Paginator` reads one page), iteration reads them all once. `overdue_count()` counts in SQL.
    """

    def __init__(self, queryset: QuerySet[Case], *, today, overdue: Q):
        self._queryset = queryset
        self._today = today
        self._overdue = overdue
        self._count: int | None = None
        self._overdue_count: int | None = None
        self._all: list[WorkItem] | None = None

    def count_with(self, **others: QuerySet) -> dict[str, int]:
        """Count the waiting and the overdue cases and `others` in one statement; returns the others' counts."""
        found = counts(flags={"overdue": ("work", self._overdue)}, work=self._queryset, **others)
        self._count, self._overdue_count = found.pop("work"), found.pop("overdue")
        return found

    def _rows(self, queryset: QuerySet) -> list[WorkCase]:
        return [WorkCase(*values) for values in queryset.values_list(*WORK_ITEM_FIELDS)]

    def _item(self, case: WorkCase) -> WorkItem:
        if case.status == CaseStatus.INITIAL_VERIFICATION and case.notified_at is not None:
            deadline = timelimits.initial_verification_deadline(case.notified_at, today=self._today)
            return WorkItem(case, "initial_verification", deadline.due, deadline.overdue)
        return WorkItem(case, case.status, case.reception_date, False)

    def count(self) -> int:
        if self._all is not None:
            return len(self._all)
        if self._count is None:
            self._count = counts(work=self._queryset)["work"]  # the scope's two parts, each from an index
        return self._count

    def overdue_count(self) -> int:
        if self._all is not None:
            return sum(1 for item in self._all if item.overdue)
        if self._overdue_count is None:
            self._overdue_count = self._queryset.filter(self._overdue).count()
        return self._overdue_count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        if self._all is None:
            self._all = [self._item(case) for case in self._rows(self._queryset)]
        return iter(self._all)

    def __getitem__(self, index):
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            if (index.start or 0) < 0 or (index.stop is not None and index.stop < 0) or index.step not in (None, 1):
                return list(self)[index]
            return [self._item(case) for case in self._rows(self._queryset[index])]
        if index < 0:
            return list(self)[index]
        rows = self._rows(self._queryset[index : index + 1])
        if not rows:
            raise IndexError(index)
        return self._item(rows[0])


def worklist(user, *, today=None) -> Worklist:
    """What is waiting for the user, most urgent first: verification deadlines and open steps.

    Overdue initial verifications come first, then everything by its due day: the verification's
    limit (`initial_verification_deadline`: the local day of notification plus the configured days),
    else the reception day (Art. 27(1): at once). Sorted and paged in the database.
    """
    today = today or timezone.localdate()
    days = timelimits.initial_verification_days()
    # Overdue when the limit (local day of notification + days) is before today, that is, when the
    # notification came before the local midnight that starts the day `today - days`.
    threshold = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
    verifying = Q(status=CaseStatus.INITIAL_VERIFICATION, notified_at__isnull=False)
    overdue = verifying & Q(notified_at__lt=threshold)
    tz = timezone.get_current_timezone()
    # The worklist shows no identities: the person is not read (nothing is decrypted); and only the
    # columns a work item shows are read.
    waiting = (
        cases_visible_to(user)
        .select_related(None)
        .filter(status__in=WAITING_STATUSES)
        .annotate(
            work_late=DbCase(When(overdue, then=Value(0)), default=Value(1), output_field=IntegerField()),
            work_due=DbCase(
                When(verifying, then=Cast(TruncDate("notified_at", tzinfo=tz) + timedelta(days=days), DateField())),
                default=F("reception_date"),
                output_field=DateField(),
            ),
        )
        .order_by("work_late", "work_due", "reception_date", "id")
    )
    return Worklist(waiting, today=today, overdue=overdue)


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
    name = name_key(full_name) if full_name else ""
    document = document_key(document_number) if document_number else ""
    if not name and not document:
        return []
    condition = Q()
    if name:
        condition |= Q(name_key=name)
    if document:
        condition |= Q(document_hash=document)
    # Driven from the few persons with that key: each probes the case table's person index, instead
    # of a semi-join that would first build the whole visible set.
    in_scope = cases_visible_to(user).select_related(None).order_by().filter(person_id=OuterRef("pk"))
    persons = Person.objects.filter(condition, Exists(in_scope), merged_into__isnull=True)
    if exclude is not None:
        persons = persons.exclude(pk=exclude.pk)
    # The best 50, ranked in the database by the same score as below (never an arbitrary 50).
    rank = Value(0)
    if document:
        rank = rank + DbCase(When(document_hash=document, then=Value(100)), default=Value(0))
    if name:
        same_name = Q(name_key=name)
        rank = rank + DbCase(When(same_name, then=Value(40)), default=Value(0))
        if birth_year:
            rank = rank + DbCase(When(same_name & Q(birth_year=birth_year), then=Value(30)), default=Value(0))
        if residence_unit is not None:
            rank = rank + DbCase(
                When(same_name & Q(residence_unit_id=getattr(residence_unit, "pk", None)), then=Value(20)),
                default=Value(0),
            )
    # Only the name may be shown with a match; the other sealed fields stay unread (not decrypted).
    persons = (
        persons.defer("other_names", "document_number", "address", "contacts")
        .annotate(match_rank=ExpressionWrapper(rank, output_field=IntegerField()))
        .order_by("-match_rank", "pk")
    )
    candidates = []
    for person in persons[:50]:
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


# --- Who a person is on a case -----------------------------------------------------------------------


def links_by_person(case: Case) -> dict:
    """{person id: LinkedPerson} of the case's linked persons."""
    return {link.person_id: link for link in LinkedPerson.objects.filter(case=case)}


def role_on_case(case: Case, person_id, links: dict) -> str:
    """'person' for the principal, else the relationship: what the timeline may say about who it is."""
    if person_id == case.person_id:
        return "person"
    link = links.get(person_id)
    return link.relationship if link is not None else "other"


# --- Protection, shelter stays and reintegration applications ---------------------------------------


@dataclass(frozen=True)
class ProtectionView:
    """A decision as a reader may see it: the risk assessment and the person's reasons masked unless allowed."""

    decision: ProtectionDecision
    subject: str  # "person" or the relationship of the linked person
    risk_assessment: str
    other_measure: str
    refusal_reason: str
    end_reason: str


def protection_decisions_for(user, case: Case) -> list[ProtectionView]:
    """The case's protection decisions, oldest first (`case` comes from `get_case_for_user`)."""
    show = can_see_identity(user, case)
    links = links_by_person(case)
    reveal = (lambda value: value) if show else (lambda value: MASK if value else "")
    return [
        ProtectionView(
            decision=decision,
            subject=role_on_case(case, decision.subject_id, links),
            risk_assessment=reveal(decision.risk_assessment),
            other_measure=reveal(decision.other_measure),
            refusal_reason=reveal(decision.refusal_reason),
            end_reason=reveal(decision.end_reason),
        )
        for decision in ProtectionDecision.objects.filter(case=case).order_by("decided_on", "created_at")
    ]


def shelter_days_before(stays: list[ShelterStay], stay: ShelterStay) -> int:
    """The days of the person's ended stays among `stays` that started before `stay`."""
    return sum(
        (other.end_date - other.start_date).days + 1
        for other in stays
        if other.pk != stay.pk
        and other.person_id == stay.person_id
        and other.end_date is not None
        and other.start_date < stay.start_date
    )


def stay_deadline_after(stay: ShelterStay, used: int, today: date | None) -> timelimits.Deadline:
    """The limit of `stay` once `used` days of earlier stays are counted (the stay need not be saved)."""
    # The limit counts every day of shelter the person had on this case: a move to another
    # facility does not start the 120 days again. An extension names its own last day.
    if stay.end_date is not None:
        today = stay.end_date
    return timelimits.shelter_deadline(
        stay.start_date - timedelta(days=used), extended_until=stay.extended_until, today=today
    )


def stay_deadlines(stays, *, today: date | None = None) -> dict:
    """{stay id: Deadline} for many stays in one query (earlier stays of the same persons counted)."""
    stays = list(stays)
    if not stays:
        return {}
    case_ids = {stay.case_id for stay in stays}
    person_ids = {stay.person_id for stay in stays}
    history: dict = {}
    for other in ShelterStay.objects.filter(case_id__in=case_ids, person_id__in=person_ids, end_date__isnull=False):
        history.setdefault((other.case_id, other.person_id), []).append(other)
    return {
        stay.pk: stay_deadline_after(
            stay, shelter_days_before(history.get((stay.case_id, stay.person_id), []), stay), today
        )
        for stay in stays
    }


def stay_deadline(stay: ShelterStay, *, today: date | None = None) -> timelimits.Deadline:
    """The last day of shelter for this stay (Decree 162 Art. 17) and whether it has passed.

    120 days (CASE_SHELTER_MAX_DAYS) less the days of the person's earlier stays on the case, or
    the date of the recorded extension. For an ended stay, `today` is its end date.
    """
    return stay_deadlines([stay], today=today)[stay.pk]


@dataclass(frozen=True)
class StayView:
    stay: ShelterStay
    person: str  # "person" or the relationship of the linked person
    facility: str  # masked unless the reader sees identities (where the person is)
    deadline: timelimits.Deadline


def shelter_stays_for(user, case: Case, *, today: date | None = None) -> list[StayView]:
    """The case's stays with their limits, oldest first; two queries however many stays."""
    show = can_see_identity(user, case)
    links = links_by_person(case)
    stays = list(ShelterStay.objects.filter(case=case).select_related("facility").order_by("start_date"))
    deadlines = stay_deadlines(stays, today=today)
    return [
        StayView(
            stay=stay,
            person=role_on_case(case, stay.person_id, links),
            facility=stay.facility.name if show else MASK,
            deadline=deadlines[stay.pk],
        )
        for stay in stays
    ]


@dataclass(frozen=True)
class ApplicationDeadline:
    """The 9-working-day limit of an application: its due day, and whether it is or was missed."""

    due: date
    pending: bool
    overdue: bool  # still waiting and past the due day
    decided_late: bool  # decided after the due day

    @property
    def late(self) -> bool:
        return self.overdue or self.decided_late


def application_deadline(application: ReintegrationApplication, *, today: date | None = None) -> ApplicationDeadline:
    """Due 9 working days (CASE_REINTEGRATION_DECISION_WORKING_DAYS) after receipt, skipping
    weekends and PUBLIC_HOLIDAYS (`timelimits.reintegration_decision_deadline`)."""
    today = today or timezone.localdate()
    deadline = timelimits.reintegration_decision_deadline(application.received_on, today=today)
    pending = application.status == ApplicationStatus.RECEIVED
    return ApplicationDeadline(
        due=deadline.due,
        pending=pending,
        overdue=pending and deadline.overdue,
        decided_late=not pending and application.decided_on is not None and application.decided_on > deadline.due,
    )


@dataclass(frozen=True)
class ApplicationView:
    application: ReintegrationApplication
    beneficiary: str  # "person" or "child"
    applicant_name: str  # masked unless the reader sees identities
    deadline: ApplicationDeadline


def applications_for(user, case: Case, *, today: date | None = None) -> list[ApplicationView]:
    """The case's Form 07 applications with their deadlines, oldest first."""
    show = can_see_identity(user, case)
    links = links_by_person(case)
    return [
        ApplicationView(
            application=application,
            beneficiary=role_on_case(case, application.beneficiary_id, links),
            applicant_name=application.applicant_name if show else (MASK if application.applicant_name else ""),
            deadline=application_deadline(application, today=today),
        )
        for application in ReintegrationApplication.objects.filter(case=case).order_by("received_on", "created_at")
    ]


def applications_waiting_for(
    user, *, today: date | None = None, limit: int | None = None
) -> list[tuple[ReintegrationApplication, ApplicationDeadline]]:
    """Applications waiting for a decision in the user's cases, most urgent first.

    The due day grows with the day received, so ordering by it in the database is ordering by
    urgency; `limit` keeps a page from reading every waiting application.
    """
    visible = cases_visible_to(user).filter(pk=OuterRef("case_id"))
    waiting = (
        ReintegrationApplication.objects.filter(Exists(visible), status=ApplicationStatus.RECEIVED)
        .select_related("case")
        .order_by("received_on", "pk")
    )
    if limit is not None:
        waiting = waiting[:limit]
    return [(application, application_deadline(application, today=today)) for application in waiting]


# --- Attachments -----------------------------------------------------------------------------------


def attachments_for(case: Case):
    """The case's attachments without their content (which is read only to be downloaded)."""
    return CaseAttachment.objects.filter(case=case).defer("content").order_by("uploaded_at", "id")


def get_attachment_for_user(user, attachment_id) -> CaseAttachment | None:
    """The attachment if its case is visible to the user, else None (answer 404); content not loaded."""
    try:
        return (
            CaseAttachment.objects.filter(pk=attachment_id, case__in=cases_visible_to(user).values("pk"))
            .defer("content")
            .first()
        )
    except ValidationError:  # not a UUID
        return None
