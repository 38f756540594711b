"""The worklist (cases waiting on a step, with their time limits) and duplicate candidates of a person."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import router
from django.db.models import Case as DbCase
from django.db.models import (
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from haidang.cases import timelimits
from haidang.cases.matching import document_key, name_key
from haidang.cases.models import (
    WAITING_STATUSES,
    Case,
    CaseStatus,
    Person,
    status_label,
)
from haidang.cases.selectors.visibility import cases_visible_to, visible_key
from haidang.common.queries import Later, built, counts, model_columns, values_rows
from haidang.places.models import AdministrativeUnit


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
        return status_label(self.status)


@dataclass(frozen=True)
class WorkItem:
    case: WorkCase
    kind: str
    due: object
    overdue: bool


# The steps the law wants taken at once (Art. 27(1)): due on the reception day.
IMMEDIATE_STATUSES = (CaseStatus.REPORTED, CaseStatus.RECEIVED)
# What a work item reads of its case (and unit), in WorkCase's order: nothing sealed, nothing else.
WORK_ITEM_FIELDS = ("id", "number", "status", "notified_at", "reception_date", "unit_name")


def _with_unit_name(queryset: QuerySet) -> QuerySet:
    # The unit's name as a scalar subquery, not a join: PostgreSQL then reads it for the page's rows
    # after the sort, instead of hashing the whole map (14,000 units) before it.
    name = AdministrativeUnit.objects.filter(pk=OuterRef("unit_id")).order_by().values("name")[:1]
    return queryset.annotate(unit_name=Subquery(name))


class Worklist(Sequence):
    """The user's waiting cases as a sequence ordered in the database: overdue first, then by due day.

    Nothing is read until asked: `count()` (or `len()`) counts in SQL, a slice reads only its rows
    (so a `Paginator` reads one page), iteration reads them all once. `overdue_count()` counts in SQL.
    """

    def __init__(self, queryset, *, today, overdue: Q, key=None):
        # A QuerySet, or a `common.queries.Later` built only when a statement is compiled.
        self._later = queryset
        self._built: QuerySet[Case] | None = None
        self._today = today
        self._overdue = overdue
        # Names the list's statements, kept compiled (`common.queries.statement`); None: compiled each time.
        self._key = key
        self._count: int | None = None
        self._zone = None
        self._verification_deadlines: dict = {}
        self._overdue_count: int | None = None
        self._all: list[WorkItem] | None = None

    @property
    def _queryset(self) -> QuerySet[Case]:
        if self._built is None:
            self._built = built(self._later)
        return self._built

    def count_with(self, key=None, **others: QuerySet) -> dict[str, int]:
        """Count the waiting and the overdue cases and `others` in one statement; returns the others' counts.

        `key` names what `others` are made of (beside the reader, named by the list's own key)."""
        kept = None if key is None or self._key is None else (self._key, key)
        work = self._later if kept is not None and self._built is None else self._queryset
        found = counts(flags={"overdue": ("work", self._overdue)}, key=kept, work=work, **others)
        self._count, self._overdue_count = found.pop("work"), found.pop("overdue")
        return found

    def _rows(self, start: int | None = None, stop: int | None = None) -> list[WorkCase]:
        key = None if self._key is None else (self._key, start, stop)
        found = values_rows(Case, lambda: _with_unit_name(self._queryset[start:stop]), WORK_ITEM_FIELDS, key=key)
        return [WorkCase(*values) for values in found]

    def _item(self, case: WorkCase) -> WorkItem:
        if case.status == CaseStatus.INITIAL_VERIFICATION and case.notified_at is not None:
            # A page of verifications shares a few notification days: each day's limit (its holidays
            # walked) is worked out once; the day is the local one (`timelimits._local_day`).
            if self._zone is None:
                self._zone = timezone.get_current_timezone()
            day = case.notified_at.astimezone(self._zone).date()
            deadline = self._verification_deadlines.get(day)
            if deadline is None:
                deadline = timelimits.initial_verification_deadline(day, today=self._today)
                self._verification_deadlines[day] = deadline
            return WorkItem(case, "initial_verification", deadline.due, deadline.overdue)
        deadline = timelimits.immediate_deadline(case.reception_date, today=self._today)
        return WorkItem(case, case.status, deadline.due, deadline.overdue)

    def count(self) -> int:
        if self._all is not None:
            return len(self._all)
        if self._count is None:
            work = self._later if self._key is not None and self._built is None else self._queryset
            self._count = counts(key=self._key, work=work)["work"]  # the scope's parts, each from an index
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
            self._all = [self._item(case) for case in self._rows()]
        return iter(self._all)

    def __getitem__(self, index):
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            if (index.start or 0) < 0 or (index.stop is not None and index.stop < 0) or index.step not in (None, 1):
                return list(self)[index]
            return [self._item(case) for case in self._rows(index.start, index.stop)]
        if index < 0:
            return list(self)[index]
        rows = self._rows(index, index + 1)
        if not rows:
            raise IndexError(index)
        return self._item(rows[0])


def worklist(user, *, today=None) -> Worklist:
    """What is waiting for the user, most urgent first: verification deadlines and open steps.

    Overdue steps come first, then everything by its due day: the verification's limit
    (`initial_verification_deadline`: the local day of notification plus the configured days), else
    the reception day (Art. 27(1): at once; overdue from the next day, `immediate_deadline`). Sorted
    and paged in the database.
    """
    today = today or timezone.localdate()
    days = timelimits.initial_verification_days()
    # Overdue when the limit (local day of notification + days, moved off weekends and holidays)
    # is before today, that is, when the notification came before the first day still in time.
    threshold = timezone.make_aware(datetime.combine(timelimits.earliest_notification_in_time(today), time.min))
    verifying = Q(status=CaseStatus.INITIAL_VERIFICATION, notified_at__isnull=False)
    # The steps due at once (Art. 27(1)) are late from the day after the reception (`immediate_deadline`).
    overdue = (verifying & Q(notified_at__lt=threshold)) | Q(status__in=IMMEDIATE_STATUSES, reception_date__lt=today)
    tz = timezone.get_current_timezone()

    def waiting() -> QuerySet[Case]:
        # The worklist shows no identities: the person is not read (nothing is decrypted); and only the
        # columns a work item shows are read.
        return (
            cases_visible_to(user)
            .select_related(None)
            .filter(status__in_codes=WAITING_STATUSES)  # literals: the partial indexes serve it
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

    # Everything the statements are made of besides the constants of this module: the reader's scope, the
    # day, the days allowed and the cut they give (holidays included), the time zone of the local day.
    key = ("worklist", visible_key(user), today, days, threshold, tz)
    return Worklist(Later(Case, waiting), today=today, overdue=overdue, key=key)


@dataclass(frozen=True)
class DuplicateCandidate:
    person: Person
    score: int
    reasons: tuple[str, ...]


# What a match reads of a person, in the model's field order (rows become Person objects, see below).
_MATCH_PERSON_FIELDS = ("id", "full_name", "name_key", "document_hash", "birth_year", "residence_unit", "sex")
_MATCH_PERSON_COLUMNS = model_columns(Person, _MATCH_PERSON_FIELDS)


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
    residence = getattr(residence_unit, "pk", None) if residence_unit is not None else None
    # The statement is kept per reader and shape (which of these are given), apart from their values: a
    # search for another name reuses it (`common.queries.values_rows`, slots). Nothing searched is kept.
    slots = {"name": name, "document": document, "birth_year": birth_year, "residence": residence}
    slots = {slot: value for slot, value in slots.items() if value}
    keep = exclude is None and (residence_unit is None or residence is not None)
    key = ("person-matches", visible_key(user)) if keep else None

    def candidates_of(values):
        condition = Q()
        if "name" in values:
            condition |= Q(name_key=values["name"])
        if "document" in values:
            condition |= Q(document_hash=values["document"])
        # Driven from the few persons with that key: each probes the case table's person index, instead
        # of a semi-join that would first build the whole visible set.
        in_scope = cases_visible_to(user).select_related(None).order_by().filter(person_id=OuterRef("pk"))
        persons = Person.objects.filter(condition, Exists(in_scope), merged_into__isnull=True)
        if exclude is not None:
            persons = persons.exclude(pk=exclude.pk)
        # The best 50, ranked in the database by the same score as below (never an arbitrary 50).
        rank = Value(0)
        if "document" in values:
            rank = rank + DbCase(When(document_hash=values["document"], then=Value(100)), default=Value(0))
        if "name" in values:
            same_name = Q(name_key=values["name"])
            rank = rank + DbCase(When(same_name, then=Value(40)), default=Value(0))
            if "birth_year" in values:
                rank = rank + DbCase(
                    When(same_name & Q(birth_year=values["birth_year"]), then=Value(30)), default=Value(0)
                )
            if residence_unit is not None:
                rank = rank + DbCase(
                    When(same_name & Q(residence_unit_id=values.get("residence")), then=Value(20)),
                    default=Value(0),
                )
        ranked = persons.annotate(match_rank=ExpressionWrapper(rank, output_field=IntegerField()))
        return ranked.order_by("-match_rank", "pk")[:50]

    # Only the name may be shown with a match; the other sealed fields stay unread (not decrypted),
    # and of the rest only what the score and a match show is read.
    rows = values_rows(Person, candidates_of, (*_MATCH_PERSON_COLUMNS, "match_rank"), key, slots=slots)
    alias = router.db_for_read(Person)
    candidates = []
    for *values, _rank in rows:
        person = Person.from_db(alias, _MATCH_PERSON_COLUMNS, values)
        score, reasons = 0, []
        if document and person.document_hash == document:
            score, reasons = score + 100, [*reasons, "document"]
        if name and person.name_key == name:
            score, reasons = score + 40, [*reasons, "name"]
            if birth_year and person.birth_year == birth_year:
                score, reasons = score + 30, [*reasons, "birth_year"]
            if residence_unit is not None and person.residence_unit_id == residence:
                score, reasons = score + 20, [*reasons, "residence_unit"]
        candidates.append(DuplicateCandidate(person, score, tuple(reasons)))
    return sorted(candidates, key=lambda candidate: -candidate.score)
