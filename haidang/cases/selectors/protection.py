"""A case's protection decisions, shelter stays, reintegration applications and attachments as seen."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
)
from django.utils import timezone

from haidang.cases import timelimits
from haidang.cases.models import (
    ApplicationStatus,
    Case,
    CaseAttachment,
    LinkedPerson,
    ProtectionDecision,
    ReintegrationApplication,
    ShelterStay,
)
from haidang.cases.selectors.visibility import MASK, can_see_identity, cases_visible_to

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


def applications_waiting(user) -> QuerySet[ReintegrationApplication]:
    """The applications waiting for a decision in the user's cases, unordered (to count them)."""
    visible = cases_visible_to(user).filter(pk=OuterRef("case_id"))
    return ReintegrationApplication.objects.filter(Exists(visible), status=ApplicationStatus.RECEIVED)


def applications_waiting_for(
    user, *, today: date | None = None, limit: int | None = None
) -> list[tuple[ReintegrationApplication, ApplicationDeadline]]:
    """Applications waiting for a decision in the user's cases, most urgent first.

    The due day grows with the day received, so ordering by it in the database is ordering by
    urgency; `limit` keeps a page from reading every waiting application.
    """
    waiting = applications_waiting(user).select_related("case").order_by("received_on", "pk")
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
