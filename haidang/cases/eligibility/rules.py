"""Eligibility: the rule tables, one per law (`LAW_2024`, `LAW_2011`), and the shape of their rows.

The rules are data; `engine.assess` is the only interpreter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from haidang.cases.eligibility.constants import (
    ESS_MAX_DAYS,
    ESS_MAX_DAYS_2011,
    REINTEGRATION_APPLICATION_MONTHS_2011,
    REINTEGRATION_DECISION_WORKING_DAYS,
)
from haidang.cases.eligibility.vocabulary import (
    REGIME_INFO,
    LegalRegime,
    Location,
    NationalityClass,
    Outcome,
    Regime,
    Role,
    Status,
)

# --------------------------------------------------------------------------------------------------
# The rule tables

ANY_STATUS = frozenset(Status)
ANY_ROLE = frozenset(Role)
ANY_NATIONALITY = frozenset(NationalityClass)
ANY_LOCATION = frozenset(Location)
PRINCIPAL = frozenset({Role.PRINCIPAL})
CHILD = frozenset({Role.ACCOMPANYING_CHILD})
VN_OR_STATELESS = frozenset({NationalityClass.VN_CITIZEN, NationalityClass.STATELESS_RESIDENT})
VN_ONLY = frozenset({NationalityClass.VN_CITIZEN})
STATELESS_ONLY = frozenset({NationalityClass.STATELESS_RESIDENT})
FOREIGN_ONLY = frozenset({NationalityClass.FOREIGN})
VICTIM = frozenset({Status.VICTIM})
BEING_IDENTIFIED = frozenset({Status.BEING_IDENTIFIED})
VICTIM_OR_BEING_IDENTIFIED = frozenset({Status.VICTIM, Status.BEING_IDENTIFIED})
DOMESTIC = frozenset({Location.DOMESTIC})
ABROAD = frozenset({Location.ABROAD})


def _regimes(*codes: str) -> frozenset[Regime]:
    return frozenset(Regime(code) for code in codes)


ALL_REGIMES = frozenset(Regime)
POINTS_A_TO_D = _regimes("ESS", "MED", "INT", "LEG")
POINTS_A_TO_G = POINTS_A_TO_D | _regimes("AID", "TRV", "PSY")
POINTS_A_TO_H = POINTS_A_TO_G | _regimes("EDU")
ART_37_4 = _regimes("ESS", "MED", "INT", "LEG", "AID", "PSY")  # points a, b, c, d, đ, g


@dataclass(frozen=True)
class Override:
    """One regime decided differently from the rest of its row."""

    regime: Regime
    outcome: Outcome
    article: str
    reason: str


@dataclass(frozen=True)
class Rule:
    """One row of a matrix. A row matches when every condition holds; the first matching row decides.

    Templates may use {name} (the regime's English name in lower case), {point} (its point in the
    law's eligibility article) and {detail} (the detail article, for Law 66/2011). A regime in
    `granted` or `discretionary` takes `grant_article`/`grant_reason`; any other takes
    `refuse_article`/`refuse_reason`. `policy` names a `Policy` attribute and the value it must have.
    """

    key: str
    category: str
    statuses: frozenset[Status]
    roles: frozenset[Role]
    nationality_classes: frozenset[NationalityClass] = ANY_NATIONALITY
    locations: frozenset[Location] = ANY_LOCATION
    trafficked_in_vietnam: bool | None = None
    adult_companion: bool | None = None
    policy: tuple[str, bool] | None = None
    granted: frozenset[Regime] = frozenset()
    discretionary: frozenset[Regime] = frozenset()
    grant_article: str = ""
    grant_reason: str = ""
    refuse_article: str = ""
    refuse_reason: str = ""
    overrides: tuple[Override, ...] = ()


@dataclass(frozen=True)
class Citation:
    point: str  # point of the law's eligibility article (Art. 37(1) / Art. 32(1))
    detail: str = ""  # article that details the regime (Law 66/2011 Art. 33-38)


@dataclass(frozen=True)
class Law:
    regime: LegalRegime
    title: str
    citations: Mapping[Regime, Citation]
    # Regimes the law does not have at all: (article, reason), whatever the row says.
    absent: Mapping[Regime, tuple[str, str]]
    conditions: Mapping[Regime, tuple[str, ...]]
    rules: tuple[Rule, ...]


L2024 = "Law 53/2024/QH15"
L2011 = "Law 66/2011/QH12"

_ADULT_COMPANION_REASON = (
    "Art. {clause} covers accompanying persons under 18; this person is 18 or older, "
    "so {{name}} is refused unless they qualify in their own right."
)

# Law 53/2024/QH15 Art. 37 — legal-vn.md §3.2, row by row.
RULES_2024: tuple[Rule, ...] = (
    Rule(
        key="2024.adult_companion",
        category="Person recorded as an accompanying child but aged 18 or over",
        statuses=ANY_STATUS,
        roles=CHILD,
        adult_companion=True,
        refuse_article=f"Art. 37(2) and (3) {L2024}",
        refuse_reason=_ADULT_COMPANION_REASON.format(clause="37(2) and (3)"),
    ),
    Rule(
        key="2024.victim",
        category="Victim, Vietnamese citizen or stateless permanent resident",
        statuses=VICTIM,
        roles=PRINCIPAL,
        nationality_classes=VN_OR_STATELESS,
        granted=ALL_REGIMES,
        grant_article=f"Art. 37(1)({{point}}) {L2024}",
        grant_reason=(
            "A victim who is a Vietnamese citizen or a stateless permanent resident is entitled to {name} "
            "under Art. 37(1)({point})."
        ),
    ),
    # VERIFY(voc-accompanying-child): Decree 162/2025 Art. 24 may extend vocational training to accompanying children.
    Rule(
        key="2024.child_of_victim.voc_extended",
        category="Child under 18 accompanying a victim (Vietnamese citizen or stateless permanent resident)",
        statuses=VICTIM,
        roles=CHILD,
        nationality_classes=VN_OR_STATELESS,
        policy=("voc_for_accompanying_child", True),
        granted=POINTS_A_TO_H,
        grant_article=f"Art. 37(2) {L2024} (Art. 37(1)({{point}}))",
        grant_reason="A child under 18 accompanying a victim is entitled to {name} under Art. 37(2).",
        refuse_article=f"Art. 37(2) {L2024}",
        refuse_reason="An accompanying child is not entitled to {name} under Art. 37(2).",
        overrides=(
            Override(
                Regime.VOC,
                Outcome.GRANTED,
                "Art. 24 Decree 162/2025/NĐ-CP",
                "Decree 162/2025/NĐ-CP Art. 24 extends vocational training to a child accompanying a victim.",
            ),
        ),
    ),
    Rule(
        key="2024.child_of_victim",
        category="Child under 18 accompanying a victim (Vietnamese citizen or stateless permanent resident)",
        statuses=VICTIM,
        roles=CHILD,
        nationality_classes=VN_OR_STATELESS,
        policy=("voc_for_accompanying_child", False),
        granted=POINTS_A_TO_H,
        grant_article=f"Art. 37(2) {L2024} (Art. 37(1)({{point}}))",
        grant_reason="A child under 18 accompanying a victim is entitled to {name} under Art. 37(2).",
        refuse_article=f"Art. 37(2) {L2024}",
        refuse_reason="An accompanying child is not entitled to {name} under Art. 37(2).",
    ),
    Rule(
        key="2024.being_identified.abroad",
        category="Vietnamese citizen being identified abroad, or an accompanying child",
        statuses=BEING_IDENTIFIED,
        roles=ANY_ROLE,
        nationality_classes=VN_ONLY,
        locations=ABROAD,
        granted=POINTS_A_TO_D,
        grant_article=f"Art. 37(3) para 1 {L2024} (Art. 37(1)({{point}}))",
        grant_reason=(
            "A Vietnamese citizen being identified as a victim abroad, and an accompanying child, "
            "is entitled to {name} under Art. 37(3) para 1."
        ),
        refuse_article=f"Art. 37(3) para 1 {L2024}",
        refuse_reason=(
            "While being identified abroad, a person (or an accompanying child) is not entitled to {name}: "
            "Art. 37(3) para 1 covers points (a) to (d) only."
        ),
    ),
    Rule(
        key="2024.being_identified.domestic",
        category="Vietnamese citizen or stateless permanent resident being identified in Vietnam, "
        "or an accompanying child",
        statuses=BEING_IDENTIFIED,
        roles=ANY_ROLE,
        nationality_classes=VN_OR_STATELESS,
        locations=DOMESTIC,
        granted=POINTS_A_TO_G,
        grant_article=f"Art. 37(3) para 2 {L2024} (Art. 37(1)({{point}}))",
        grant_reason=(
            "A person being identified as a victim in Vietnam, and an accompanying child, "
            "is entitled to {name} under Art. 37(3) para 2."
        ),
        refuse_article=f"Art. 37(3) para 2 {L2024}",
        refuse_reason=(
            "While being identified in Vietnam, a person (or an accompanying child) is not entitled to {name}: "
            "Art. 37(3) para 2 covers points (a) to (g) only."
        ),
    ),
    Rule(
        key="2024.being_identified.stateless_abroad",
        category="Stateless permanent resident being identified abroad, or an accompanying child",
        statuses=BEING_IDENTIFIED,
        roles=ANY_ROLE,
        nationality_classes=STATELESS_ONLY,
        locations=ABROAD,
        refuse_article=f"Art. 37(3) para 1 {L2024}",
        refuse_reason=(
            "Art. 37(3) para 1 covers only Vietnamese citizens being identified abroad; a stateless person "
            "being identified is covered only in Vietnam (para 2), so {name} is refused."
        ),
    ),
    Rule(
        key="2024.foreign",
        category="Foreign victim or person being identified, trafficked in Vietnam",
        statuses=VICTIM_OR_BEING_IDENTIFIED,
        roles=PRINCIPAL,
        nationality_classes=FOREIGN_ONLY,
        trafficked_in_vietnam=True,
        locations=DOMESTIC,
        discretionary=ART_37_4,
        grant_article=f"Art. 37(4) {L2024} (Art. 37(1)({{point}}))",
        grant_reason="A foreign person trafficked in Vietnam may receive {name} case by case under Art. 37(4).",
        refuse_article=f"Art. 37(4) {L2024}",
        refuse_reason=(
            "A foreign person is not entitled to {name}: Art. 37(4) covers points (a), (b), (c), (d), (đ) and (g) only."
        ),
        overrides=(
            Override(
                Regime.TRV,
                Outcome.REFUSED,
                f"Art. 37(4) {L2024}",
                "A foreign person gets no travel costs under Art. 37(4); their return to their country "
                "follows the return procedure instead.",
            ),
        ),
    ),
    # VERIFY(foreign-presence): whether Art. 37(4) requires the person to be in Vietnam
    # (FOREIGN_REQUIRES_PRESENCE_IN_VIETNAM).
    Rule(
        key="2024.foreign.abroad_allowed",
        category="Foreign victim or person being identified, trafficked in Vietnam, now abroad",
        statuses=VICTIM_OR_BEING_IDENTIFIED,
        roles=PRINCIPAL,
        nationality_classes=FOREIGN_ONLY,
        trafficked_in_vietnam=True,
        locations=ABROAD,
        policy=("foreign_requires_presence_in_vietnam", False),
        discretionary=ART_37_4,
        grant_article=f"Art. 37(4) {L2024} (Art. 37(1)({{point}}))",
        grant_reason="A foreign person trafficked in Vietnam may receive {name} case by case under Art. 37(4).",
        refuse_article=f"Art. 37(4) {L2024}",
        refuse_reason=(
            "A foreign person is not entitled to {name}: Art. 37(4) covers points (a), (b), (c), (d), (đ) and (g) only."
        ),
    ),
    Rule(
        key="2024.foreign.abroad",
        category="Foreign victim or person being identified, trafficked in Vietnam, now abroad",
        statuses=VICTIM_OR_BEING_IDENTIFIED,
        roles=PRINCIPAL,
        nationality_classes=FOREIGN_ONLY,
        trafficked_in_vietnam=True,
        locations=ABROAD,
        policy=("foreign_requires_presence_in_vietnam", True),
        refuse_article=f"Art. 37(4) {L2024}",
        refuse_reason=(
            "Art. 37(4) is applied to foreign persons trafficked in Vietnam while they are in Vietnam; "
            "{name} is refused while the person is abroad."
        ),
    ),
    Rule(
        key="2024.foreign.not_trafficked_in_vietnam",
        category="Foreign victim or person being identified, not trafficked in Vietnam",
        statuses=VICTIM_OR_BEING_IDENTIFIED,
        roles=PRINCIPAL,
        nationality_classes=FOREIGN_ONLY,
        trafficked_in_vietnam=False,
        refuse_article=f"Art. 37(4) {L2024}",
        refuse_reason="Art. 37(4) covers only foreign persons trafficked in Vietnam, so {name} is refused.",
    ),
    Rule(
        key="2024.child_of_foreign",
        category="Child accompanying a foreign victim or person being identified",
        statuses=VICTIM_OR_BEING_IDENTIFIED,
        roles=CHILD,
        nationality_classes=FOREIGN_ONLY,
        refuse_article=f"Art. 37(2) and (3) {L2024}",
        refuse_reason=(
            "Art. 37(2) and (3) cover only children accompanying Vietnamese citizens or stateless permanent "
            "residents, so {name} is refused; assess the child in its own right if it is itself a victim "
            "or being identified."
        ),
    ),
    Rule(
        key="2024.not_victim",
        category="Person found not to be a victim, or a child accompanying them",
        statuses=frozenset({Status.NOT_VICTIM}),
        roles=ANY_ROLE,
        refuse_article=f"Art. 37 {L2024}",
        refuse_reason=(
            "A person found not to be a victim (and a child accompanying them) is not a beneficiary "
            "of Art. 37, so {name} is refused."
        ),
    ),
    Rule(
        key="2024.undetermined",
        category="Person whose victim status could not be determined, or a child accompanying them",
        statuses=frozenset({Status.UNDETERMINED}),
        roles=ANY_ROLE,
        refuse_article=f"Art. 37 {L2024}",
        refuse_reason=(
            "A person whose victim status could not be determined (and a child accompanying them) is not "
            "a beneficiary of Art. 37, so {name} is refused; verification must resume first."
        ),
    ),
    Rule(
        key="2024.no_row",
        category="No row of the Art. 37 matrix",
        statuses=ANY_STATUS,
        roles=ANY_ROLE,
        refuse_article=f"Art. 37 {L2024}",
        refuse_reason="No row of Art. 37 covers this person, so {name} is refused.",
    ),
)

# Law 66/2011/QH12 Art. 32 (eligibility), detailed by Art. 33-38 and Decree 09/2013/NĐ-CP.
# Art. 32(1): a) essential needs and travel costs (Art. 33); b) medical (Art. 34); c) psychological
# (Art. 35); d) legal aid (Art. 36); đ) schooling and vocational training (Art. 37); e) initial
# hardship allowance and loans (Art. 38). Art. 32(2): foreign victims trafficked in Vietnam, points
# a to d. Art. 32(3): minors accompanying a victim, points a to c. Every clause says "tùy trường hợp
# quy định tại các điều 33...38", i.e. subject to the conditions of the detail articles, for citizens
# and foreigners alike, so the rows grant rather than leave it case by case.
# VERIFY(2011-art32-wording): Art. 32 wording against the official text (seen in several legal Q&A pages), and whether
# foreign victims should be treated as case by case as they are under the 2024 law.
RULES_2011: tuple[Rule, ...] = (
    Rule(
        key="2011.adult_companion",
        category="Person recorded as an accompanying child but aged 18 or over",
        statuses=ANY_STATUS,
        roles=CHILD,
        adult_companion=True,
        refuse_article=f"Art. 32(3) {L2011}",
        refuse_reason=_ADULT_COMPANION_REASON.format(clause="32(3) Law 66/2011/QH12"),
    ),
    Rule(
        key="2011.victim",
        category="Victim, Vietnamese citizen or stateless permanent resident (Law 66/2011)",
        statuses=VICTIM,
        roles=PRINCIPAL,
        nationality_classes=VN_OR_STATELESS,
        granted=ALL_REGIMES,
        grant_article=f"Art. 32(1)({{point}}) and Art. {{detail}} {L2011}",
        grant_reason="Under Law 66/2011/QH12 a victim is entitled to {name} (Art. 32(1)({point}), Art. {detail}).",
    ),
    Rule(
        key="2011.foreign",
        category="Foreign victim trafficked in Vietnam (Law 66/2011)",
        statuses=VICTIM,
        roles=PRINCIPAL,
        nationality_classes=FOREIGN_ONLY,
        trafficked_in_vietnam=True,
        granted=_regimes("ESS", "TRV", "MED", "PSY", "AID"),
        grant_article=f"Art. 32(2) and Art. {{detail}} {L2011}",
        grant_reason=(
            "Under Law 66/2011/QH12 a foreign victim trafficked in Vietnam is entitled to {name} "
            "(Art. 32(2), Art. {detail})."
        ),
        refuse_article=f"Art. 32(2) {L2011}",
        refuse_reason=(
            "Under Law 66/2011/QH12 a foreign victim is not entitled to {name}: Art. 32(2) covers "
            "points (a) to (d) only."
        ),
    ),
    Rule(
        key="2011.foreign.not_trafficked_in_vietnam",
        category="Foreign victim not trafficked in Vietnam (Law 66/2011)",
        statuses=VICTIM,
        roles=ANY_ROLE,
        nationality_classes=FOREIGN_ONLY,
        trafficked_in_vietnam=False,
        refuse_article=f"Art. 32(2) {L2011}",
        refuse_reason=(
            "Art. 32(2) Law 66/2011/QH12 covers only foreign victims trafficked in Vietnam, so {name} is refused."
        ),
    ),
    # Art. 32(3) names "minors accompanying a victim" without a nationality condition; a child of a
    # foreign victim not trafficked in Vietnam was caught by the row above.
    Rule(
        key="2011.child_of_victim",
        category="Minor accompanying a victim (Law 66/2011)",
        statuses=VICTIM,
        roles=CHILD,
        granted=_regimes("ESS", "TRV", "MED", "PSY"),
        grant_article=f"Art. 32(3) and Art. {{detail}} {L2011}",
        grant_reason=(
            "Under Law 66/2011/QH12 a minor accompanying a victim is entitled to {name} (Art. 32(3), Art. {detail})."
        ),
        refuse_article=f"Art. 32(3) {L2011}",
        refuse_reason=(
            "Under Law 66/2011/QH12 an accompanying minor is not entitled to {name}: Art. 32(3) covers "
            "points (a) to (c) only."
        ),
    ),
    # Law 66/2011 gives regimes only to victims; Decree 09/2013 Art. 19(1)(b) adds essential needs and
    # travel costs for persons awaiting verification after reception (Art. 24-25 of the 2011 law).
    # VERIFY(2011-being-identified): whether medical care at reception was also available, and whether Art. 19(1)(b)
    # covered persons abroad.
    Rule(
        key="2011.being_identified",
        category="Person awaiting verification as a victim in Vietnam (Law 66/2011)",
        statuses=BEING_IDENTIFIED,
        roles=PRINCIPAL,
        locations=DOMESTIC,
        granted=_regimes("ESS", "TRV"),
        grant_article=f"Art. 19(1)(b) Decree 09/2013/NĐ-CP (Art. {{detail}} {L2011})",
        grant_reason=(
            "Under Law 66/2011/QH12 a person awaiting verification as a victim in Vietnam receives {name} "
            "(Decree 09/2013/NĐ-CP Art. 19(1)(b))."
        ),
        refuse_article=f"Art. 32 {L2011}",
        refuse_reason=(
            "Under Law 66/2011/QH12 a person awaiting verification is not entitled to {name}: Art. 32 gives "
            "it to identified victims only."
        ),
    ),
    Rule(
        key="2011.being_identified.other",
        category="Person awaiting verification abroad, or a child accompanying a person awaiting verification "
        "(Law 66/2011)",
        statuses=BEING_IDENTIFIED,
        roles=ANY_ROLE,
        refuse_article=f"Art. 32 {L2011}",
        refuse_reason=(
            "Law 66/2011/QH12 gives support regimes to victims and minors accompanying victims; {name} is "
            "refused to this person."
        ),
    ),
    Rule(
        key="2011.not_victim",
        category="Person found not to be a victim, or a child accompanying them (Law 66/2011)",
        statuses=frozenset({Status.NOT_VICTIM}),
        roles=ANY_ROLE,
        refuse_article=f"Art. 32 {L2011}",
        refuse_reason=(
            "A person found not to be a victim (and a child accompanying them) is not a beneficiary of "
            "Art. 32 Law 66/2011/QH12, so {name} is refused."
        ),
    ),
    Rule(
        key="2011.undetermined",
        category="Person whose victim status could not be determined, or a child accompanying them (Law 66/2011)",
        statuses=frozenset({Status.UNDETERMINED}),
        roles=ANY_ROLE,
        refuse_article=f"Art. 32 {L2011}",
        refuse_reason=(
            "A person whose victim status could not be determined (and a child accompanying them) is not a "
            "beneficiary of Art. 32 Law 66/2011/QH12, so {name} is refused."
        ),
    ),
    Rule(
        key="2011.no_row",
        category="No row of Art. 32 Law 66/2011",
        statuses=ANY_STATUS,
        roles=ANY_ROLE,
        refuse_article=f"Art. 32 {L2011}",
        refuse_reason="No clause of Art. 32 Law 66/2011/QH12 covers this person, so {name} is refused.",
    ),
)

_REINTEGRATION_PROCEDURE = (
    f"Applied for on Form No. 07 and decided by the Department of Health within "
    f"{REINTEGRATION_DECISION_WORKING_DAYS} working days (Decree 162/2025/NĐ-CP)."
)
_APPLICATION_WINDOW_2011 = (
    f"Applied for within {REINTEGRATION_APPLICATION_MONTHS_2011} months, through the commune People's "
    "Committee (Decree 09/2013/NĐ-CP)."
)

LAW_2024 = Law(
    regime=LegalRegime.LAW_2024,
    title=L2024,
    citations=MappingProxyType({info.regime: Citation(info.point) for info in REGIME_INFO.values()}),
    absent=MappingProxyType({}),
    conditions=MappingProxyType(
        {
            Regime.ESS: (
                f"At most {ESS_MAX_DAYS} days unless an extension decision is recorded "
                "(Decree 162/2025/NĐ-CP Art. 17).",
            ),
            Regime.MED: ("Includes the first year's health-insurance contribution if the person is uninsured.",),
            Regime.AID: ("Free of charge (Law on Legal Aid Art. 7(6a)).",),
            Regime.EDU: (
                "After return: tuition exemption, textbooks and school items for the first school year and the "
                "following one (Decree 162/2025/NĐ-CP Art. 24).",
                _REINTEGRATION_PROCEDURE,
            ),
            Regime.VOC: (_REINTEGRATION_PROCEDURE,),
            Regime.HAR: (_REINTEGRATION_PROCEDURE,),
            Regime.LOAN: (
                "Under the Vietnam Bank for Social Policies' rules on term, amount and interest "
                "(Decree 162/2025/NĐ-CP Art. 25).",
            ),
        }
    ),
    rules=RULES_2024,
)

LAW_2011 = Law(
    regime=LegalRegime.LAW_2011,
    title=L2011,
    citations=MappingProxyType(
        {
            Regime.ESS: Citation("a", "33"),
            Regime.TRV: Citation("a", "33"),
            Regime.MED: Citation("b", "34"),
            Regime.PSY: Citation("c", "35"),
            Regime.AID: Citation("d", "36"),
            Regime.EDU: Citation("đ", "37"),
            Regime.VOC: Citation("đ", "37"),
            Regime.HAR: Citation("e", "38"),
            Regime.LOAN: Citation("e", "38"),
        }
    ),
    absent=MappingProxyType(
        {
            Regime.INT: (
                f"Art. 32(1) {L2011}",
                "Law 66/2011/QH12 has no interpretation regime (it is new in Art. 37(1)(c) Law 53/2024/QH15), "
                "so it is not available under the transitional regime.",
            ),
            # VERIFY(2011-legal-support): whether legal counselling given as legal aid under Art. 36 covers this need.
            Regime.LEG: (
                f"Art. 32(1) {L2011}",
                "Law 66/2011/QH12 has no separate legal-support regime (it is new in Art. 37(1)(d) "
                "Law 53/2024/QH15); legal aid under Art. 36 is the nearest regime.",
            ),
        }
    ),
    conditions=MappingProxyType(
        {
            Regime.ESS: (f"Meals during a facility stay for at most {ESS_MAX_DAYS_2011} days (Decree 09/2013/NĐ-CP).",),
            Regime.TRV: (
                "Travel costs and meals on the way back to the place of residence (Art. 33 Law 66/2011/QH12).",
            ),
            Regime.PSY: (
                "Only during a stay at a social protection or victim support facility (Art. 35 Law 66/2011/QH12).",
            ),
            Regime.EDU: (_APPLICATION_WINDOW_2011,),
            Regime.VOC: ("Vocational training only (Art. 37 Law 66/2011/QH12).", _APPLICATION_WINDOW_2011),
            # VERIFY(2011-hardship-allowance): the poor-household condition and the amount (provincial rates, §3.4).
            Regime.HAR: ("Only for victims from poor households (Decree 09/2013/NĐ-CP).", _APPLICATION_WINDOW_2011),
        }
    ),
    rules=RULES_2011,
)

LAWS: Mapping[LegalRegime, Law] = MappingProxyType({LegalRegime.LAW_2011: LAW_2011, LegalRegime.LAW_2024: LAW_2024})
