"""Eligibility: the interpreter of the rule tables. `determine_legal_regime` says which law applies,
`find_rule` finds the first row that matches, and `assess` decides every regime."""

from __future__ import annotations

from datetime import date, datetime

from haidang.cases.eligibility.constants import DEFAULT_POLICY, VIETNAM_TZ, Policy
from haidang.cases.eligibility.rules import LAWS, Law, Rule
from haidang.cases.eligibility.vocabulary import (
    Applicant,
    Assessment,
    LegalRegime,
    Message,
    Outcome,
    Regime,
    RegimeDecision,
    Role,
    Status,
)

# --------------------------------------------------------------------------------------------------
# The interpreter


def today_in_vietnam() -> date:
    return datetime.now(VIETNAM_TZ).date()


# The sentences saying which law applies, by key (the page and the API translate them by key).
REGIME_REASONS: dict[str, str] = {
    "regime.before_law_2024": "Law 53/2024/QH15 is in force from {cut}; on {on} Law 66/2011/QH12 applies.",
    "regime.identified_before": (
        "Identified as a victim on {identified_on}, before {cut}: the Law 66/2011/QH12 regime continues "
        "(Art. 63 Law 53/2024/QH15)."
    ),
    "regime.identified_after": (
        "Identified as a victim on {identified_on}, on or after {cut}: Law 53/2024/QH15 applies."
    ),
    "regime.received_before": (
        "No identification date is recorded; received on {received_on}, before {cut}: the Law 66/2011/QH12 "
        "regime is applied (Art. 63 Law 53/2024/QH15)."
    ),
    "regime.no_dates": "No identification or reception date is recorded: Law 53/2024/QH15 is assumed.",
    "regime.law_2024": "Law 53/2024/QH15 applies; Art. 63 keeps the 2011 regime only for earlier victims.",
}

NOTES: dict[str, str] = {
    "note.child_own_status": (
        "The child also has its own status; assess it as a principal too, which may give more regimes."
    ),
}


def _why(key: str, **params) -> Message:
    return Message(key, REGIME_REASONS[key], **params)


def determine_legal_regime(
    *,
    status: Status | str,
    identified_on: date | None,
    received_on: date | None,
    on: date | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> tuple[LegalRegime, Message]:
    """The legal regime for support given on `on`, and a sentence saying why (a `Message`).

    Before Law 53/2024 came into force everyone is under Law 66/2011. After it, a victim identified
    before that date keeps the 2011 regime (Art. 63); when the identification date is missing the
    reception date stands in for it (if `policy.reception_date_fallback`). For an accompanying child,
    pass the principal's status and dates.
    """
    status = Status(status)
    on = on or today_in_vietnam()
    cut = policy.law_2024_in_force
    if on < cut:
        return LegalRegime.LAW_2011, _why("regime.before_law_2024", cut=cut, on=on)
    if status == Status.VICTIM:
        if identified_on is not None:
            if identified_on < cut:
                return LegalRegime.LAW_2011, _why("regime.identified_before", identified_on=identified_on, cut=cut)
            return LegalRegime.LAW_2024, _why("regime.identified_after", identified_on=identified_on, cut=cut)
        if policy.reception_date_fallback and received_on is not None and received_on < cut:
            return LegalRegime.LAW_2011, _why("regime.received_before", received_on=received_on, cut=cut)
        if received_on is None:
            return LegalRegime.LAW_2024, _why("regime.no_dates")
    return LegalRegime.LAW_2024, _why("regime.law_2024")


def _matches(rule: Rule, applicant: Applicant, policy: Policy) -> bool:
    if rule.policy is not None and getattr(policy, rule.policy[0]) != rule.policy[1]:
        return False
    return (
        applicant.rule_status in rule.statuses
        and applicant.role in rule.roles
        and applicant.rule_nationality_class in rule.nationality_classes
        and applicant.location in rule.locations
        and (rule.trafficked_in_vietnam is None or rule.trafficked_in_vietnam == applicant.trafficked_in_vietnam)
        and (rule.adult_companion is None or rule.adult_companion == applicant.adult_companion)
    )


def find_rule(applicant: Applicant, law: Law, policy: Policy = DEFAULT_POLICY) -> Rule:
    """The first row of `law` that matches (every table ends with a catch-all row)."""
    return next(rule for rule in law.rules if _matches(rule, applicant, policy))


def conditions_of(law: Law, regime: Regime) -> tuple[Message, ...]:
    """The conditions `law` attaches to `regime`, keyed "<law>.conditions.<regime>.<n>"."""
    return tuple(
        Message(f"{law.regime.value}.conditions.{regime.value}.{n}", text)
        for n, text in enumerate(law.conditions.get(regime, ()), start=1)
    )


def _decide(law: Law, rule: Rule, regime: Regime) -> RegimeDecision:
    for override in rule.overrides:
        if override.regime == regime:
            conditions = conditions_of(law, regime) if override.outcome != Outcome.REFUSED else ()
            key = f"{rule.key}.{regime.value}"
            return RegimeDecision(
                regime,
                override.outcome,
                Message(f"{key}.article", override.article),
                Message(f"{key}.reason", override.reason),
                conditions,
            )
    if regime in law.absent:
        article, reason = law.absent[regime]
        key = f"{law.regime.value}.absent.{regime.value}"
        return RegimeDecision(
            regime, Outcome.REFUSED, Message(f"{key}.article", article), Message(f"{key}.reason", reason)
        )
    citation = law.citations[regime]
    params = {"regime": regime, "point": citation.point, "detail": citation.detail}
    if regime in rule.granted or regime in rule.discretionary:
        outcome = Outcome.GRANTED if regime in rule.granted else Outcome.DISCRETIONARY
        return RegimeDecision(
            regime,
            outcome,
            Message(f"{rule.key}.grant.article", rule.grant_article, **params),
            Message(f"{rule.key}.grant.reason", rule.grant_reason, **params),
            conditions_of(law, regime),
        )
    return RegimeDecision(
        regime,
        Outcome.REFUSED,
        Message(f"{rule.key}.refuse.article", rule.refuse_article, **params),
        Message(f"{rule.key}.refuse.reason", rule.refuse_reason, **params),
    )


def assess(applicant: Applicant, *, regime_date: date | None = None, policy: Policy = DEFAULT_POLICY) -> Assessment:
    """Decide every regime for `applicant` as of `regime_date` (default: today in Vietnam).

    Pass `regime_date=timezone.localdate()` from Django code to keep one clock.
    """
    on = regime_date or today_in_vietnam()
    legal_regime, regime_reason = determine_legal_regime(
        status=applicant.rule_status,
        identified_on=applicant.identified_on,
        received_on=applicant.received_on,
        on=on,
        policy=policy,
    )
    law = LAWS[legal_regime]
    rule = find_rule(applicant, law, policy)
    notes: list[Message] = []
    if applicant.role == Role.ACCOMPANYING_CHILD and applicant.status in (Status.VICTIM, Status.BEING_IDENTIFIED):
        notes.append(Message("note.child_own_status", NOTES["note.child_own_status"]))
    return Assessment(
        applicant=applicant,
        assessed_on=on,
        legal_regime=legal_regime,
        legal_regime_reason=regime_reason,
        rule=rule.key,
        category=Message(f"{rule.key}.category", rule.category),
        decisions=tuple(_decide(law, rule, regime) for regime in Regime),
        notes=tuple(notes),
    )
