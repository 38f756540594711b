"""The case path as data: which moves are allowed, who may make them, what each needs.

One transition service (`services.transition_case`) reads this table; nothing else changes a
case's status. Support, protection, referrals and shelter stays run in parallel as their own
records and do not move the status.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from haidang.access.roles import Capability
from haidang.cases.models import CaseStatus as S


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    capability: str = Capability.EDIT_CASES
    # Keys the caller must supply in `data` (validated by the service).
    requires: tuple[str, ...] = ()
    needs_note: bool = False


IDENTIFICATION_FIELDS = (
    "decision_date",
    "evidence_sources",
    "document_type",
    "document_issuer",
    "document_number",
    "document_date",
)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.REPORTED, S.RECEIVED, _("Receive the person")),
    Transition(S.RECEIVED, S.INITIAL_VERIFICATION, _("Notify the Department of Health and start initial verification")),
    Transition(S.INITIAL_VERIFICATION, S.IDENTIFIED, _("Identify as a victim"), requires=IDENTIFICATION_FIELDS),
    Transition(S.INITIAL_VERIFICATION, S.FURTHER_VERIFICATION, _("Continue verification (no Art. 33 document)")),
    Transition(S.INITIAL_VERIFICATION, S.NOT_VICTIM, _("Decide: not a victim"), needs_note=True),
    Transition(S.FURTHER_VERIFICATION, S.IDENTIFIED, _("Identify as a victim"), requires=IDENTIFICATION_FIELDS),
    Transition(S.FURTHER_VERIFICATION, S.NOT_VICTIM, _("Decide: not a victim"), needs_note=True),
    Transition(S.FURTHER_VERIFICATION, S.UNDETERMINED, _("Record as undetermined"), needs_note=True),
    Transition(S.UNDETERMINED, S.FURTHER_VERIFICATION, _("Resume verification"), needs_note=True),
    Transition(S.IDENTIFIED, S.RETURNED_HOME, _("Record the return home")),
    Transition(S.RETURNED_HOME, S.REINTEGRATION, _("Start reintegration follow-up")),
    Transition(S.IDENTIFIED, S.CLOSED, _("Close the case"), requires=("closure_reasons",)),
    Transition(S.RETURNED_HOME, S.CLOSED, _("Close the case"), requires=("closure_reasons",)),
    Transition(S.REINTEGRATION, S.CLOSED, _("Close the case"), requires=("closure_reasons",)),
    Transition(S.NOT_VICTIM, S.CLOSED, _("Close the case"), requires=("closure_reasons",)),
    Transition(S.UNDETERMINED, S.CLOSED, _("Close the case"), requires=("closure_reasons",)),
    # Reopening returns the case to the status it had when it was closed.
    Transition(S.CLOSED, "reopen", _("Reopen the case"), needs_note=True),
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
