"""Eligibility for the support regimes: who gets which regime, under which article, and why.

Law 53/2024/QH15 Art. 37 sets the regimes (Art. 37(1) points a to k) and who receives them:
victims who are Vietnamese citizens or stateless permanent residents (cl. 1), accompanying children
under 18 (cl. 2), persons being identified abroad or in Vietnam (cl. 3), and foreign persons trafficked
in Vietnam, case by case (cl. 4). Art. 63 keeps the regime of Law 66/2011/QH12 (Art. 32, detailed by
Art. 33-38 and Decree 09/2013/NĐ-CP) for persons identified as victims before 01/07/2025 and their
accompanying children. The source is ../shared/reference/legal-vn.md sections 2.8, 3 and 7.

The rules are data: one table of rows per law (`LAW_2024.rules`, `LAW_2011.rules`). The first row
whose conditions match the applicant decides every regime, and `assess` is the only interpreter.
Every decision carries the article it rests on and a one-sentence reason, each a `Message`: English
text with a stable key and its parameters; the pages and the API translate it by key
(`haidang.cases.eligibility_text`).

This package is pure Python: no database, no Django. Values the reference marks [VERIFY] are module
constants gathered in `Policy`; they are candidates for settings, and the case module passes a
`Policy` built from its settings (the defaults are the documented values in `constants`).

The package: `constants` (setting candidates and constraints), `vocabulary` (the enums and the input
and output of an assessment), `rules` (the tables) and `engine` (the interpreter). Every name is
importable from the package itself.
"""

from haidang.cases.eligibility.constants import (
    CONSTRAINTS,
    DEFAULT_POLICY,
    EDU_FEE_EXEMPTION_SCHOOL_YEARS,
    ESS_EXTENSION_REQUIRES_DECISION,
    ESS_MAX_DAYS,
    ESS_MAX_DAYS_2011,
    FOREIGN_REQUIRES_PRESENCE_IN_VIETNAM,
    INITIAL_VERIFICATION_DAYS,
    LAW_2024_IN_FORCE,
    RECEPTION_DATE_FALLBACK,
    REINTEGRATION_APPLICATION_MONTHS_2011,
    REINTEGRATION_DECISION_WORKING_DAYS,
    VIETNAM_TZ,
    VOC_FOR_ACCOMPANYING_CHILD,
    Constraint,
    Policy,
)
from haidang.cases.eligibility.engine import (
    NOTES,
    REGIME_REASONS,
    assess,
    conditions_of,
    determine_legal_regime,
    find_rule,
    today_in_vietnam,
)
from haidang.cases.eligibility.rules import (
    ABROAD,
    ALL_REGIMES,
    ANY_LOCATION,
    ANY_NATIONALITY,
    ANY_ROLE,
    ANY_STATUS,
    ART_37_4,
    BEING_IDENTIFIED,
    CHILD,
    DOMESTIC,
    FOREIGN_ONLY,
    L2011,
    L2024,
    LAW_2011,
    LAW_2024,
    LAWS,
    POINTS_A_TO_D,
    POINTS_A_TO_G,
    POINTS_A_TO_H,
    PRINCIPAL,
    RULES_2011,
    RULES_2024,
    STATELESS_ONLY,
    VICTIM,
    VICTIM_OR_BEING_IDENTIFIED,
    VN_ONLY,
    VN_OR_STATELESS,
    Citation,
    Law,
    Override,
    Rule,
)
from haidang.cases.eligibility.vocabulary import (
    REGIME_CHOICES,
    REGIME_INFO,
    Applicant,
    Assessment,
    LegalRegime,
    Location,
    Message,
    NationalityClass,
    Outcome,
    Regime,
    RegimeDecision,
    RegimeInfo,
    Role,
    Status,
    english_name,
    render,
)

__all__ = [
    "ABROAD",
    "ALL_REGIMES",
    "ANY_LOCATION",
    "ANY_NATIONALITY",
    "ANY_ROLE",
    "ANY_STATUS",
    "ART_37_4",
    "Applicant",
    "Assessment",
    "BEING_IDENTIFIED",
    "CHILD",
    "CONSTRAINTS",
    "Citation",
    "Constraint",
    "DEFAULT_POLICY",
    "DOMESTIC",
    "EDU_FEE_EXEMPTION_SCHOOL_YEARS",
    "ESS_EXTENSION_REQUIRES_DECISION",
    "ESS_MAX_DAYS",
    "ESS_MAX_DAYS_2011",
    "FOREIGN_ONLY",
    "FOREIGN_REQUIRES_PRESENCE_IN_VIETNAM",
    "INITIAL_VERIFICATION_DAYS",
    "L2011",
    "L2024",
    "LAWS",
    "LAW_2011",
    "LAW_2024",
    "LAW_2024_IN_FORCE",
    "Law",
    "LegalRegime",
    "Location",
    "Message",
    "NOTES",
    "NationalityClass",
    "Outcome",
    "Override",
    "POINTS_A_TO_D",
    "POINTS_A_TO_G",
    "POINTS_A_TO_H",
    "PRINCIPAL",
    "Policy",
    "RECEPTION_DATE_FALLBACK",
    "REGIME_CHOICES",
    "REGIME_INFO",
    "REGIME_REASONS",
    "REINTEGRATION_APPLICATION_MONTHS_2011",
    "REINTEGRATION_DECISION_WORKING_DAYS",
    "RULES_2011",
    "RULES_2024",
    "Regime",
    "RegimeDecision",
    "RegimeInfo",
    "Role",
    "Rule",
    "STATELESS_ONLY",
    "Status",
    "VICTIM",
    "VICTIM_OR_BEING_IDENTIFIED",
    "VIETNAM_TZ",
    "VN_ONLY",
    "VN_OR_STATELESS",
    "VOC_FOR_ACCOMPANYING_CHILD",
    "assess",
    "conditions_of",
    "determine_legal_regime",
    "english_name",
    "find_rule",
    "render",
    "today_in_vietnam",
]
