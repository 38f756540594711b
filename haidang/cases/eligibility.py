"""Eligibility for the support regimes: who gets which regime, under which article, and why.

Law 53/2024/QH15 Art. 37 sets the regimes (Art. 37(1) points a to k) and who receives them:
victims who are Vietnamese citizens or stateless permanent residents (cl. 1), accompanying children
under 18 (cl. 2), persons being identified abroad or in Vietnam (cl. 3), and foreign persons trafficked
in Vietnam, case by case (cl. 4). Art. 63 keeps the regime of Law 66/2011/QH12 (Art. 32, detailed by
Art. 33-38 and Decree 09/2013/NĐ-CP) for persons identified as victims before 01/07/2025 and their
accompanying children. The source is ../shared/reference/legal-vn.md sections 2.8, 3 and 7.

The rules are data: one table of rows per law (`LAW_2024.rules`, `LAW_2011.rules`). The first row
whose conditions match the applicant decides every regime, and `assess` is the only interpreter.
Every decision carries the article it rests on and a one-sentence English reason (the UI translates).

This module is pure Python: no database, no Django. Values the reference marks [VERIFY] are module
constants gathered in `Policy`; they are candidates for settings, and the case module passes a
`Policy` built from its settings (the defaults are the documented values below).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from types import MappingProxyType
from typing import Any

# --------------------------------------------------------------------------------------------------
# Setting candidates (documented defaults). Anything marked VERIFY is not confirmed against an
# official full text; see legal-vn.md.

#: Law 53/2024/QH15 comes into force; before it, and for victims identified before it (Art. 63),
#: the Law 66/2011/QH12 regime applies.
LAW_2024_IN_FORCE = date(2025, 7, 1)

#: Art. 37(2) gives an accompanying child points (a) to (h) only, so no vocational training.
#: VERIFY: Decree 162/2025 Art. 24 is reported to extend vocational training to accompanying under-18s.
VOC_FOR_ACCOMPANYING_CHILD = False

#: Art. 37(4) names foreign persons "trafficked in Vietnam"; the matrix (legal-vn.md §3.2) reads it as
#: persons who are in Vietnam. VERIFY: the text itself names no location.
FOREIGN_REQUIRES_PRESENCE_IN_VIETNAM = True

#: Art. 63 speaks of the identification date. When a victim's identification date is not recorded
#: (legacy records), the reception date decides instead. VERIFY: a data-gap rule, not a legal one.
RECEPTION_DATE_FALLBACK = True

# --------------------------------------------------------------------------------------------------
# Constraints (for the case module's time limits and support items).

#: Shelter and essential needs: at most 120 days; an extension needs a recorded decision
#: (Decree 162/2025/NĐ-CP Art. 17). Same value as the case module's CASE_SHELTER_MAX_DAYS.
ESS_MAX_DAYS = 120
ESS_EXTENSION_REQUIRES_DECISION = True
#: A schooling / vocational training / hardship application (Form No. 07) is decided by the
#: Department of Health within 9 working days of receipt.
REINTEGRATION_DECISION_WORKING_DAYS = 9
#: Initial verification within 3 days of notification (Art. 27(2) as amended in 2025).
INITIAL_VERIFICATION_DAYS = 3
#: Schooling after return: tuition exemption for the first school year and the following one (Decree 162 Art. 24).
EDU_FEE_EXEMPTION_SCHOOL_YEARS = 2
#: Legacy: meals during a facility stay for at most 60 days (Decree 09/2013/NĐ-CP). VERIFY.
ESS_MAX_DAYS_2011 = 60
#: Legacy: schooling, vocational training and hardship allowance applied for within 12 months, through
#: the commune People's Committee (Decree 09/2013/NĐ-CP). VERIFY.
REINTEGRATION_APPLICATION_MONTHS_2011 = 12

#: Vietnam is UTC+7 all year; "today" is the Vietnamese date.
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")


@dataclass(frozen=True)
class Constraint:
    key: str
    value: int | bool
    unit: str
    basis: str


CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("ESS.max_days", ESS_MAX_DAYS, "days", "Decree 162/2025/NĐ-CP Art. 17"),
    Constraint("ESS.extension_requires_decision", ESS_EXTENSION_REQUIRES_DECISION, "", "Decree 162/2025/NĐ-CP Art. 17"),
    Constraint("EDU.fee_exemption_school_years", EDU_FEE_EXEMPTION_SCHOOL_YEARS, "school years", "Decree 162 Art. 24"),
    Constraint(
        "reintegration.decision_working_days", REINTEGRATION_DECISION_WORKING_DAYS, "working days", "Form No. 07"
    ),
    Constraint("initial_verification.days", INITIAL_VERIFICATION_DAYS, "days", "Art. 27(2) Law 53/2024/QH15"),
    Constraint("ESS.max_days_2011", ESS_MAX_DAYS_2011, "days", "Decree 09/2013/NĐ-CP"),
    Constraint(
        "reintegration.application_months_2011", REINTEGRATION_APPLICATION_MONTHS_2011, "months", "Decree 09/2013/NĐ-CP"
    ),
)


@dataclass(frozen=True)
class Policy:
    """The setting candidates above, in one value the case module can build from its settings."""

    law_2024_in_force: date = LAW_2024_IN_FORCE
    voc_for_accompanying_child: bool = VOC_FOR_ACCOMPANYING_CHILD
    foreign_requires_presence_in_vietnam: bool = FOREIGN_REQUIRES_PRESENCE_IN_VIETNAM
    reception_date_fallback: bool = RECEPTION_DATE_FALLBACK


DEFAULT_POLICY = Policy()

# --------------------------------------------------------------------------------------------------
# Vocabulary


class Regime(StrEnum):
    """The support regimes of Art. 37(1) Law 53/2024/QH15 (k is split into HAR and LOAN)."""

    ESS = "ESS"
    MED = "MED"
    INT = "INT"
    LEG = "LEG"
    AID = "AID"
    TRV = "TRV"
    PSY = "PSY"
    EDU = "EDU"
    VOC = "VOC"
    HAR = "HAR"
    LOAN = "LOAN"

    @property
    def point(self) -> str:
        """The point of Art. 37(1) Law 53/2024/QH15."""
        return REGIME_INFO[self].point

    @property
    def name_vi(self) -> str:
        return REGIME_INFO[self].name_vi

    @property
    def name_en(self) -> str:
        return REGIME_INFO[self].name_en


class Outcome(StrEnum):
    GRANTED = "granted"
    DISCRETIONARY = "discretionary"  # "tùy từng trường hợp", case by case (Art. 37(4))
    REFUSED = "refused"


class Status(StrEnum):
    VICTIM = "victim"
    BEING_IDENTIFIED = "being_identified"
    NOT_VICTIM = "not_victim"
    UNDETERMINED = "undetermined"


class Role(StrEnum):
    PRINCIPAL = "principal"
    ACCOMPANYING_CHILD = "accompanying_child"


class NationalityClass(StrEnum):
    VN_CITIZEN = "vn_citizen"
    STATELESS_RESIDENT = "stateless_resident"
    FOREIGN = "foreign"


class Location(StrEnum):
    DOMESTIC = "domestic"
    ABROAD = "abroad"


class LegalRegime(StrEnum):
    LAW_2011 = "2011"
    LAW_2024 = "2024"


@dataclass(frozen=True)
class RegimeInfo:
    regime: Regime
    point: str
    name_vi: str
    name_en: str


REGIME_INFO: Mapping[Regime, RegimeInfo] = MappingProxyType(
    {
        info.regime: info
        for info in (
            RegimeInfo(Regime.ESS, "a", "Hỗ trợ nhu cầu thiết yếu", "Essential needs"),
            RegimeInfo(Regime.MED, "b", "Hỗ trợ y tế", "Medical support"),
            RegimeInfo(Regime.INT, "c", "Hỗ trợ phiên dịch", "Interpretation"),
            RegimeInfo(Regime.LEG, "d", "Hỗ trợ pháp luật", "Legal support"),
            RegimeInfo(Regime.AID, "đ", "Trợ giúp pháp lý", "Legal aid"),
            RegimeInfo(Regime.TRV, "e", "Hỗ trợ chi phí đi lại", "Travel costs"),
            RegimeInfo(Regime.PSY, "g", "Hỗ trợ tâm lý", "Psychological support"),
            RegimeInfo(Regime.EDU, "h", "Hỗ trợ học văn hóa", "Schooling"),
            RegimeInfo(
                Regime.VOC,
                "i",
                "Hỗ trợ học nghề, tư vấn, tạo điều kiện để có việc làm",
                "Vocational training, counselling and help finding work",
            ),
            RegimeInfo(Regime.HAR, "k", "Trợ cấp khó khăn ban đầu", "Initial hardship allowance"),
            RegimeInfo(Regime.LOAN, "k", "Hỗ trợ vay vốn", "Loan support"),
        )
    }
)

#: (code, English name) pairs in Art. 37(1) order, for choices.
REGIME_CHOICES: tuple[tuple[str, str], ...] = tuple((r.value, r.name_en) for r in Regime)

# --------------------------------------------------------------------------------------------------
# Input and output


@dataclass(frozen=True, kw_only=True)
class Applicant:
    """The facts eligibility depends on. Strings are accepted for every enum field.

    For an accompanying child (role "accompanying_child") the rule follows the principal:
    `principal_status` and `principal_nationality_class` are required; `trafficked_in_vietnam`,
    `identified_on` and `received_on` are the principal's (Art. 63 follows the principal's
    identification). `status` is then the child's own status, if it has one. `location` is where the
    applicant is now. `age` matters only for an accompanying child: 18 or over is not a child.
    """

    status: Status | None = None
    nationality_class: NationalityClass
    location: Location
    role: Role = Role.PRINCIPAL
    trafficked_in_vietnam: bool = False
    age: int | None = None
    identified_on: date | None = None
    received_on: date | None = None
    principal_status: Status | None = None
    principal_nationality_class: NationalityClass | None = None

    def __post_init__(self) -> None:
        coerce = {
            "status": Status,
            "nationality_class": NationalityClass,
            "location": Location,
            "role": Role,
            "principal_status": Status,
            "principal_nationality_class": NationalityClass,
        }
        for name, kind in coerce.items():
            value = getattr(self, name)
            if value is None:
                continue
            try:
                object.__setattr__(self, name, kind(value))
            except ValueError:
                allowed = ", ".join(member.value for member in kind)
                raise ValueError(f"{name}: {value!r} is not one of {allowed}") from None
        for name in ("identified_on", "received_on"):
            value = getattr(self, name)
            if isinstance(value, datetime):
                object.__setattr__(self, name, value.date())
            elif value is not None and not isinstance(value, date):
                raise TypeError(f"{name} must be a date")
        if self.age is not None and (isinstance(self.age, bool) or not isinstance(self.age, int) or self.age < 0):
            raise ValueError("age must be a whole number of years, 0 or more")
        if self.role == Role.ACCOMPANYING_CHILD:
            if self.principal_status is None or self.principal_nationality_class is None:
                raise ValueError("an accompanying child needs principal_status and principal_nationality_class")
        elif self.status is None:
            raise ValueError("status is required")

    @property
    def rule_status(self) -> Status:
        """The status the rules use: the principal's for an accompanying child."""
        status = self.principal_status if self.role == Role.ACCOMPANYING_CHILD else self.status
        assert status is not None  # checked in __post_init__
        return status

    @property
    def rule_nationality_class(self) -> NationalityClass:
        if self.role == Role.ACCOMPANYING_CHILD:
            assert self.principal_nationality_class is not None  # checked in __post_init__
            return self.principal_nationality_class
        return self.nationality_class

    @property
    def adult_companion(self) -> bool:
        """Recorded as an accompanying child but aged 18 or over."""
        return self.role == Role.ACCOMPANYING_CHILD and self.age is not None and self.age >= 18


@dataclass(frozen=True)
class RegimeDecision:
    regime: Regime
    outcome: Outcome
    article: str
    reason: str
    conditions: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        """Granted, or open to a case-by-case decision."""
        return self.outcome != Outcome.REFUSED

    def as_dict(self) -> dict[str, Any]:
        return {
            "regime": self.regime.value,
            "point": self.regime.point,
            "name_vi": self.regime.name_vi,
            "name_en": self.regime.name_en,
            "outcome": self.outcome.value,
            "article": self.article,
            "reason": self.reason,
            "conditions": list(self.conditions),
        }


@dataclass(frozen=True)
class Assessment:
    applicant: Applicant
    assessed_on: date
    legal_regime: LegalRegime
    legal_regime_reason: str
    rule: str  # key of the rule row that decided
    category: str  # English label of that row
    decisions: tuple[RegimeDecision, ...]
    notes: tuple[str, ...] = ()

    def decision(self, regime: Regime | str) -> RegimeDecision:
        regime = Regime(regime)
        return next(d for d in self.decisions if d.regime == regime)

    def regimes(self, outcome: Outcome | str) -> tuple[Regime, ...]:
        return tuple(d.regime for d in self.decisions if d.outcome == outcome)

    @property
    def granted(self) -> tuple[Regime, ...]:
        return self.regimes(Outcome.GRANTED)

    @property
    def discretionary(self) -> tuple[Regime, ...]:
        return self.regimes(Outcome.DISCRETIONARY)

    @property
    def refused(self) -> tuple[Regime, ...]:
        return self.regimes(Outcome.REFUSED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "assessed_on": self.assessed_on.isoformat(),
            "legal_regime": self.legal_regime.value,
            "legal_regime_reason": self.legal_regime_reason,
            "rule": self.rule,
            "category": self.category,
            "decisions": [d.as_dict() for d in self.decisions],
            "notes": list(self.notes),
        }


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
    # VERIFY: Decree 162/2025 Art. 24 may extend vocational training to accompanying children.
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
    # VERIFY: whether Art. 37(4) requires the person to be in Vietnam (FOREIGN_REQUIRES_PRESENCE_IN_VIETNAM).
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
# VERIFY: Art. 32 wording against the official text (seen in several legal Q&A pages), and whether
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
    # VERIFY: whether medical care at reception was also available, and whether Art. 19(1)(b)
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
            # VERIFY: whether legal counselling given as legal aid under Art. 36 covers this need.
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
            # VERIFY: the poor-household condition and the amount (provincial rates, §3.4).
            Regime.HAR: ("Only for victims from poor households (Decree 09/2013/NĐ-CP).", _APPLICATION_WINDOW_2011),
        }
    ),
    rules=RULES_2011,
)

LAWS: Mapping[LegalRegime, Law] = MappingProxyType({LegalRegime.LAW_2011: LAW_2011, LegalRegime.LAW_2024: LAW_2024})

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
