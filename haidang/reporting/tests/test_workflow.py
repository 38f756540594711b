"""The report status machine as data."""

from haidang.access.roles import Capability
from haidang.reporting.models import ReportStatus as S
from haidang.reporting.workflow import REVIEWER, Action, allowed_targets, find_transition


def test_the_recipient_saves_and_submits_from_every_editable_status():
    for status in (S.NOT_STARTED, S.DRAFT, S.RETURNED):
        assert find_transition(Action.SAVE, status).target == S.DRAFT
        submit = find_transition(Action.SUBMIT, status)
        assert submit.target == S.SUBMITTED
        assert submit.validates is True
        assert submit.capability == Capability.FILE_REPORTS


def test_only_a_submitted_report_is_reviewed_and_approval_locks_it():
    approve = find_transition(Action.APPROVE, S.SUBMITTED)
    assert approve.target == S.APPROVED
    assert approve.then == S.LOCKED
    assert approve.side == REVIEWER
    assert find_transition(Action.RETURN, S.SUBMITTED).needs_comment is True
    for status in (S.NOT_STARTED, S.DRAFT, S.RETURNED, S.APPROVED, S.LOCKED):
        assert find_transition(Action.APPROVE, status) is None
        assert find_transition(Action.RETURN, status) is None


def test_nothing_leaves_a_locked_report_and_a_submitted_one_is_not_edited():
    assert allowed_targets(S.LOCKED) == set()
    assert find_transition(Action.SAVE, S.SUBMITTED) is None
    assert find_transition(Action.SUBMIT, S.SUBMITTED) is None
    assert allowed_targets(S.SUBMITTED) == {S.RETURNED, S.APPROVED, S.LOCKED}
