"""The case path as data: which moves are allowed, who may make them, what each needs.

One transition service (`services.transition_case`) reads this table; nothing else changes a
case's status. Support, protection, referrals and shelter stays run in parallel as their own
records and do not move the status. Each row names who may take it (`authority`: the capability,
the kinds of agency and the article, from `cases.authority`).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from haidang.cases import authority as law
from haidang.cases.models import CaseStatus as S


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    authority: law.Authority
    # Keys the caller must supply in `data` (validated by the service).
    requires: tuple[str, ...] = ()
    needs_note: bool = False

    @property
    def capability(self) -> str:
        return self.authority.capability


IDENTIFICATION_FIELDS = (
    "decision_date",
    "evidence_sources",
    "document_type",
    "document_issuer",
    "document_number",
    "document_date",
)

TRANSITIONS: tuple[Transition, ...] = (
    # Art. 27(1), 28, 30(1): the commune, police, Border Guard, Department of Health, a mission abroad.
    Transition(S.REPORTED, S.RECEIVED, _("Receive the person"), law.RECEIVE),
    # Art. 27(1)–(2) as amended: the commune notifies; the Department of Health verifies with provincial police.
    Transition(
        S.RECEIVED,
        S.INITIAL_VERIFICATION,
        _("Notify the Department of Health and start initial verification"),
        law.NOTIFY,
    ),
    # Art. 27(2) as amended, Art. 30–33: identification is not a commune's act.
    Transition(S.INITIAL_VERIFICATION, S.IDENTIFIED, _("Identify as a victim"), law.IDENTIFY, IDENTIFICATION_FIELDS),
    Transition(
        S.INITIAL_VERIFICATION,
        S.FURTHER_VERIFICATION,
        _("Continue verification (no Art. 33 document)"),
        law.CONTINUE_VERIFICATION,
    ),
    Transition(S.INITIAL_VERIFICATION, S.NOT_VICTIM, _("Decide: not a victim"), law.IDENTIFY, needs_note=True),
    Transition(S.FURTHER_VERIFICATION, S.IDENTIFIED, _("Identify as a victim"), law.IDENTIFY, IDENTIFICATION_FIELDS),
    Transition(S.FURTHER_VERIFICATION, S.NOT_VICTIM, _("Decide: not a victim"), law.IDENTIFY, needs_note=True),
    Transition(S.FURTHER_VERIFICATION, S.UNDETERMINED, _("Record as undetermined"), law.IDENTIFY, needs_note=True),
    Transition(
        S.UNDETERMINED, S.FURTHER_VERIFICATION, _("Resume verification"), law.CONTINUE_VERIFICATION, needs_note=True
    ),
    # Art. 30(2), 37(1)(e); Decree 162 Art. 17.
    Transition(S.IDENTIFIED, S.RETURNED_HOME, _("Record the return home"), law.RETURN_HOME),
    # Art. 37(1)(h)–(k); Decree 162 Art. 24–25.
    Transition(S.RETURNED_HOME, S.REINTEGRATION, _("Start reintegration follow-up"), law.REINTEGRATE),
    # Closing and reopening: no legal act (legal-vn.md §2.8); the bodies that lead the case.
    Transition(S.IDENTIFIED, S.CLOSED, _("Close the case"), law.CLOSE, ("closure_reasons",)),
    Transition(S.RETURNED_HOME, S.CLOSED, _("Close the case"), law.CLOSE, ("closure_reasons",)),
    Transition(S.REINTEGRATION, S.CLOSED, _("Close the case"), law.CLOSE, ("closure_reasons",)),
    Transition(S.NOT_VICTIM, S.CLOSED, _("Close the case"), law.CLOSE, ("closure_reasons",)),
    Transition(S.UNDETERMINED, S.CLOSED, _("Close the case"), law.CLOSE, ("closure_reasons",)),
    # Reopening returns the case to the status it had when it was closed.
    Transition(S.CLOSED, "reopen", _("Reopen the case"), law.CLOSE, needs_note=True),
)

CLOSURE_REASONS = {
    "identification_recorded": _("An identification outcome is recorded"),
    "protection_ended": _("Every protection decision has ended"),
    "stay_ended": _("The shelter stay has ended or the person has returned home"),
    "support_decided": _("Every pending support application is decided"),
    "person_declined": _("The person declined further support"),
    "transferred_out": _("The case continues in another unit"),
    "contact_lost": _("Contact with the person was lost"),
}

EVIDENCE_SOURCES = {
    "a": _("Documents and evidence from procedure-conducting bodies"),
    "b": _("Information from the rescuing body"),
    "c": _("Information from a Vietnamese mission abroad"),
    "d": _("Information from other domestic agencies and organisations"),
    "dd": _("Documents from competent foreign bodies"),
    "e": _("Statements and documents of the person or their relatives"),
    "g": _("Statements of the trafficker"),
    "h": _("Statements of other victims or witnesses"),
    "i": _("Other lawful evidence"),
}


def transitions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == status]


def find_transition(source: str, target: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == source and t.target == target), None)
