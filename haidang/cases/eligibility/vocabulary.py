"""Eligibility: the vocabulary (regimes, outcomes, statuses, roles, nationality classes, locations,
legal regimes) and the input and output of an assessment (`Applicant`, `RegimeDecision`, `Assessment`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

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


def english_name(regime: Regime) -> str:
    """The regime's English name as it reads inside a sentence ("medical support")."""
    name = regime.name_en
    return name[0].lower() + name[1:]


def render(template: str, params: Mapping[str, Any], name_of: Callable[[Regime], str] = english_name) -> str:
    """Fill `template` from `params`: a day as dd/mm/yyyy, the parameter `regime` as `name` (its name in
    a sentence, by `name_of`), anything else as text."""
    values: dict[str, Any] = {}
    for key, value in params.items():
        if key == "regime":
            values["name"] = name_of(Regime(value))
        elif isinstance(value, date):
            values[key] = value.strftime("%d/%m/%Y")
        else:
            values[key] = value
    return template.format(**values)


class Message(str):
    """A sentence of the engine: its English text (the string itself), a stable `key` and the
    `params` it was made from, so that a page or the API can say it in the reader's language
    (`haidang.cases.eligibility_text` holds the translations keyed by `key`)."""

    key: str
    template: str
    params: Mapping[str, Any]

    def __new__(cls, key: str, template: str, **params: Any) -> Message:
        message = super().__new__(cls, render(template, params))
        message.key = key
        message.template = template
        message.params = MappingProxyType(dict(params))
        return message

    def __reduce__(self):  # keep pickling and copying working with the extra attributes
        return (_message, (self.key, self.template, dict(self.params)))


def _message(key: str, template: str, params: dict[str, Any]) -> Message:
    return Message(key, template, **params)


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
    article: Message
    reason: Message
    conditions: tuple[Message, ...] = ()

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
    legal_regime_reason: Message
    rule: str  # key of the rule row that decided
    category: Message  # label of that row
    decisions: tuple[RegimeDecision, ...]
    notes: tuple[Message, ...] = ()

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
