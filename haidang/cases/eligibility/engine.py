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


def _ddmmyyyy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def determine_legal_regime(
    *,
    status: Status | str,
    identified_on: date | None,
    received_on: date | None,
    on: date | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> tuple[LegalRegime, str]:
    """The legal regime for support given on `on`, and an English sentence saying why.

    Before Law 53/2024 came into force everyone is under Law 66/2011. After it, a victim identified
    before that date keeps the 2011 regime (Art. 63); when the identification date is missing the
    reception date stands in for it (if `policy.reception_date_fallback`). For an accompanying child,
    pass the principal's status and dates.
    """
    status = Status(status)
    on = on or today_in_vietnam()
    cut = policy.law_2024_in_force
    if on < cut:
        return LegalRegime.LAW_2011, (
            f"Law 53/2024/QH15 is in force from {_ddmmyyyy(cut)}; on {_ddmmyyyy(on)} Law 66/2011/QH12 applies."
        )
    if status == Status.VICTIM:
        if identified_on is not None:
            if identified_on < cut:
                return LegalRegime.LAW_2011, (
                    f"Identified as a victim on {_ddmmyyyy(identified_on)}, before {_ddmmyyyy(cut)}: the "
                    "Law 66/2011/QH12 regime continues (Art. 63 Law 53/2024/QH15)."
                )
            return LegalRegime.LAW_2024, (
                f"Identified as a victim on {_ddmmyyyy(identified_on)}, on or after {_ddmmyyyy(cut)}: "
                "Law 53/2024/QH15 applies."
            )
        if policy.reception_date_fallback and received_on is not None and received_on < cut:
            return LegalRegime.LAW_2011, (
                f"No identification date is recorded; received on {_ddmmyyyy(received_on)}, before "
                f"{_ddmmyyyy(cut)}: the Law 66/2011/QH12 regime is applied (Art. 63 Law 53/2024/QH15)."
            )
        if received_on is None:
            return LegalRegime.LAW_2024, (
                "No identification or reception date is recorded: Law 53/2024/QH15 is assumed."
            )
    return LegalRegime.LAW_2024, "Law 53/2024/QH15 applies; Art. 63 keeps the 2011 regime only for earlier victims."


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


def _decide(law: Law, rule: Rule, regime: Regime) -> RegimeDecision:
    for override in rule.overrides:
        if override.regime == regime:
            conditions = law.conditions.get(regime, ()) if override.outcome != Outcome.REFUSED else ()
            return RegimeDecision(regime, override.outcome, override.article, override.reason, conditions)
    if regime in law.absent:
        article, reason = law.absent[regime]
        return RegimeDecision(regime, Outcome.REFUSED, article, reason)
    citation = law.citations[regime]
    name = regime.name_en[0].lower() + regime.name_en[1:]
    context = {"name": name, "point": citation.point, "detail": citation.detail}
    if regime in rule.granted or regime in rule.discretionary:
        outcome = Outcome.GRANTED if regime in rule.granted else Outcome.DISCRETIONARY
        return RegimeDecision(
            regime,
            outcome,
            rule.grant_article.format(**context),
            rule.grant_reason.format(**context),
            law.conditions.get(regime, ()),
        )
    return RegimeDecision(
        regime, Outcome.REFUSED, rule.refuse_article.format(**context), rule.refuse_reason.format(**context)
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
    notes: list[str] = []
    if applicant.role == Role.ACCOMPANYING_CHILD and applicant.status in (Status.VICTIM, Status.BEING_IDENTIFIED):
        notes.append("The child also has its own status; assess it as a principal too, which may give more regimes.")
    return Assessment(
        applicant=applicant,
        assessed_on=on,
        legal_regime=legal_regime,
        legal_regime_reason=regime_reason,
        rule=rule.key,
        category=rule.category,
        decisions=tuple(_decide(law, rule, regime) for regime in Regime),
        notes=tuple(notes),
    )
