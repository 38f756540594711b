"""The report's path as data: which moves are allowed, who may make them, what each needs.

One service (`services.transition_report`) reads this table; nothing else changes a report's
status. Approval locks the report in the same transaction (an approved report is locked), so
"approved" is a step the history shows, and "locked" is where the report rests.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from haidang.access.roles import Capability
from haidang.reporting.models import ReportStatus as S


class Action:
    SAVE = "save"
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"


ACTIONS = (Action.SAVE, Action.SUBMIT, Action.RETURN, Action.APPROVE)

# Who acts: the recipient (FILE_REPORTS over the report's unit) or the reviewer
# (REVIEW_REPORTS over the directive's issuing unit).
FILER = "filer"
REVIEWER = "reviewer"


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    label: str
    side: str
    capability: str
    needs_comment: bool = False
    # Validation rules and required narratives must pass first.
    validates: bool = False
    # A transition the system makes right after this one, in the same transaction.
    then: str | None = None


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.SAVE, S.NOT_STARTED, S.DRAFT, _("Save draft"), FILER, Capability.FILE_REPORTS),
    Transition(Action.SAVE, S.DRAFT, S.DRAFT, _("Save draft"), FILER, Capability.FILE_REPORTS),
    Transition(Action.SAVE, S.RETURNED, S.DRAFT, _("Save draft"), FILER, Capability.FILE_REPORTS),
    Transition(Action.SUBMIT, S.NOT_STARTED, S.SUBMITTED, _("Submit"), FILER, Capability.FILE_REPORTS, validates=True),
    Transition(Action.SUBMIT, S.DRAFT, S.SUBMITTED, _("Submit"), FILER, Capability.FILE_REPORTS, validates=True),
    Transition(
        Action.SUBMIT, S.RETURNED, S.SUBMITTED, _("Submit again"), FILER, Capability.FILE_REPORTS, validates=True
    ),
    Transition(
        Action.RETURN,
        S.SUBMITTED,
        S.RETURNED,
        _("Return for correction"),
        REVIEWER,
        Capability.REVIEW_REPORTS,
        needs_comment=True,
    ),
    Transition(
        Action.APPROVE, S.SUBMITTED, S.APPROVED, _("Approve"), REVIEWER, Capability.REVIEW_REPORTS, then=S.LOCKED
    ),
)


def find_transition(action: str, source: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.action == action and t.source == source), None)


def actions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == status]


def allowed_targets(status: str) -> set[str]:
    """Statuses reachable in one step (the locked status through approval)."""
    targets = set()
    for transition in actions_from(status):
        targets.add(transition.target)
        if transition.then:
            targets.add(transition.then)
    return targets
