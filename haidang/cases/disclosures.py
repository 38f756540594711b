"""A case's disclosures as one history: its own (a referral, a transfer: one `Disclosure` each) and the
disclosures of many cases that sent it (an export: one `Disclosure`, the case and its consent in
`DisclosedCase`). Each entry says what was sent, to whom, why, when, by whom and under which consent."""

from dataclasses import dataclass
from datetime import datetime

from haidang.cases.models import Case, Consent, DisclosedCase, Disclosure


@dataclass(frozen=True)
class DisclosureEntry:
    disclosure: Disclosure
    consent: Consent | None

    @property
    def when(self) -> datetime:
        return self.disclosure.disclosed_at

    @property
    def kind(self) -> str:
        return self.disclosure.kind

    @property
    def recipient(self):
        return self.disclosure.recipient

    @property
    def purpose(self) -> str:
        return self.disclosure.purpose

    @property
    def legal_basis(self) -> str:
        return self.disclosure.legal_basis

    @property
    def disclosed_by(self):
        return self.disclosure.disclosed_by


def history(case: Case) -> list[DisclosureEntry]:
    """Every disclosure of `case`, newest first (the caller has checked that the user may see the case)."""
    own = Disclosure.objects.filter(case=case).select_related("recipient", "disclosed_by", "consent")
    sent = DisclosedCase.objects.filter(case=case).select_related(
        "disclosure__recipient", "disclosure__disclosed_by", "consent"
    )
    entries = [DisclosureEntry(item, item.consent) for item in own]
    entries += [DisclosureEntry(item.disclosure, item.consent) for item in sent]
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def cases_sent(disclosure: Disclosure) -> list:
    """The ids of the cases a disclosure sent: its own case, or every case of a disclosure of many."""
    if disclosure.case_id is not None:
        return [disclosure.case_id]
    return list(DisclosedCase.objects.filter(disclosure=disclosure).values_list("case_id", flat=True))
