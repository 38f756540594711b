"""The support-regime matrix (legal-vn.md §3.2, Art. 37 Law 53/2024/QH15), written out cell by cell.

Plain pytest, no database: runs with and without the Django plugin.
"""

import itertools
from datetime import date

import pytest

from haidang.cases import eligibility as el
from haidang.cases.eligibility import Applicant, LegalRegime, Outcome, Policy, Regime, assess

ON = date(2025, 9, 1)  # the day of every assessment below, unless a test says otherwise
IDENTIFIED = date(2025, 8, 1)  # under the 2024 law

ORDER = ["ESS", "MED", "INT", "LEG", "AID", "TRV", "PSY", "EDU", "VOC", "HAR", "LOAN"]
POINT = {
    "ESS": "a",
    "MED": "b",
    "INT": "c",
    "LEG": "d",
    "AID": "đ",
    "TRV": "e",
    "PSY": "g",
    "EDU": "h",
    "VOC": "i",
    "HAR": "k",
    "LOAN": "k",
}
MARK = {"✔": "granted", "◐": "discretionary", "—": "refused"}


def person(status, nationality, location, *, trafficked_in_vietnam=False, **extra):
    return Applicant(
        status=status,
        nationality_class=nationality,
        location=location,
        trafficked_in_vietnam=trafficked_in_vietnam,
        identified_on=IDENTIFIED if status == "victim" else None,
        **extra,
    )


def child(principal_status, principal_nationality, location, *, age=10, trafficked_in_vietnam=False):
    return Applicant(
        role="accompanying_child",
        nationality_class=principal_nationality,
        location=location,
        age=age,
        principal_status=principal_status,
        principal_nationality_class=principal_nationality,
        trafficked_in_vietnam=trafficked_in_vietnam,
        identified_on=IDENTIFIED if principal_status == "victim" else None,
    )


CATEGORIES = {
    "victim, VN citizen": lambda loc: person("victim", "vn_citizen", loc),
    "victim, stateless resident": lambda loc: person("victim", "stateless_resident", loc),
    "child of victim, VN citizen": lambda loc: child("victim", "vn_citizen", loc),
    "child of victim, stateless resident": lambda loc: child("victim", "stateless_resident", loc),
    "being identified, VN citizen": lambda loc: person("being_identified", "vn_citizen", loc),
    "child of being identified, VN citizen": lambda loc: child("being_identified", "vn_citizen", loc),
    "being identified, stateless resident": lambda loc: person("being_identified", "stateless_resident", loc),
    "child of being identified, stateless": lambda loc: child("being_identified", "stateless_resident", loc),
    "foreign victim, trafficked in VN": lambda loc: person("victim", "foreign", loc, trafficked_in_vietnam=True),
    "foreign being identified, trafficked in VN": lambda loc: person(
        "being_identified", "foreign", loc, trafficked_in_vietnam=True
    ),
    "foreign victim, not trafficked in VN": lambda loc: person("victim", "foreign", loc),
    "foreign being identified, not trafficked in VN": lambda loc: person("being_identified", "foreign", loc),
    "child of foreign victim, trafficked in VN": lambda loc: child(
        "victim", "foreign", loc, trafficked_in_vietnam=True
    ),
}

# category, location, ESS MED INT LEG AID TRV PSY EDU VOC HAR LOAN, clause of Art. 37
MATRIX = [
    ("victim, VN citizen", "domestic", "✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔", "37(1)"),
    ("victim, VN citizen", "abroad", "✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔", "37(1)"),
    ("victim, stateless resident", "domestic", "✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔", "37(1)"),
    ("victim, stateless resident", "abroad", "✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔", "37(1)"),
    ("child of victim, VN citizen", "domestic", "✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ — — —", "37(2)"),
    ("child of victim, VN citizen", "abroad", "✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ — — —", "37(2)"),
    ("child of victim, stateless resident", "domestic", "✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ — — —", "37(2)"),
    ("child of victim, stateless resident", "abroad", "✔ ✔ ✔ ✔ ✔ ✔ ✔ ✔ — — —", "37(2)"),
    ("being identified, VN citizen", "abroad", "✔ ✔ ✔ ✔ — — — — — — —", "37(3) para 1"),
    ("child of being identified, VN citizen", "abroad", "✔ ✔ ✔ ✔ — — — — — — —", "37(3) para 1"),
    ("being identified, VN citizen", "domestic", "✔ ✔ ✔ ✔ ✔ ✔ ✔ — — — —", "37(3) para 2"),
    ("being identified, stateless resident", "domestic", "✔ ✔ ✔ ✔ ✔ ✔ ✔ — — — —", "37(3) para 2"),
    ("child of being identified, VN citizen", "domestic", "✔ ✔ ✔ ✔ ✔ ✔ ✔ — — — —", "37(3) para 2"),
    ("child of being identified, stateless", "domestic", "✔ ✔ ✔ ✔ ✔ ✔ ✔ — — — —", "37(3) para 2"),
    ("foreign victim, trafficked in VN", "domestic", "◐ ◐ ◐ ◐ ◐ — ◐ — — — —", "37(4)"),
    ("foreign being identified, trafficked in VN", "domestic", "◐ ◐ ◐ ◐ ◐ — ◐ — — — —", "37(4)"),
    # Refusals the rows above imply.
    ("being identified, stateless resident", "abroad", "— — — — — — — — — — —", "37(3) para 1"),
    ("child of being identified, stateless", "abroad", "— — — — — — — — — — —", "37(3) para 1"),
    ("foreign victim, trafficked in VN", "abroad", "— — — — — — — — — — —", "37(4)"),
    ("foreign victim, not trafficked in VN", "domestic", "— — — — — — — — — — —", "37(4)"),
    ("foreign being identified, not trafficked in VN", "domestic", "— — — — — — — — — — —", "37(4)"),
    ("child of foreign victim, trafficked in VN", "domestic", "— — — — — — — — — — —", "37(2) and (3)"),
]


def expected_article(clause, outcome, regime):
    if outcome == "refused":
        return f"Art. {clause} Law 53/2024/QH15"
    if clause == "37(1)":
        return f"Art. 37(1)({POINT[regime]}) Law 53/2024/QH15"
    return f"Art. {clause} Law 53/2024/QH15 (Art. 37(1)({POINT[regime]}))"


CELLS = [
    pytest.param(category, location, regime, MARK[mark], clause, id=f"{category}|{location}|{regime}")
    for category, location, marks, clause in MATRIX
    for regime, mark in zip(ORDER, marks.split(), strict=True)
]


@pytest.mark.parametrize(("category", "location", "regime", "outcome", "clause"), CELLS)
def test_matrix_cell(category, location, regime, outcome, clause):
    result = assess(CATEGORIES[category](location), regime_date=ON)
    decision = result.decision(regime)
    assert result.legal_regime == "2024"
    assert decision.outcome == outcome
    assert decision.article == expected_article(clause, outcome, regime)
    assert decision.reason


def test_the_matrix_covers_every_regime_and_category():
    assert [r.value for r in Regime] == ORDER
    assert {category for category, *_ in MATRIX} == set(CATEGORIES)


# --- Articles and reasons spelled out ------------------------------------------------------------


def test_victim_articles_name_the_point():
    result = assess(person("victim", "vn_citizen", "domestic"), regime_date=ON)
    assert result.decision("ESS").article == "Art. 37(1)(a) Law 53/2024/QH15"
    assert result.decision("AID").article == "Art. 37(1)(đ) Law 53/2024/QH15"
    assert result.decision("LOAN").article == "Art. 37(1)(k) Law 53/2024/QH15"
    assert result.rule == "2024.victim"


def test_accompanying_child_gets_no_vocational_training_hardship_or_loan():
    result = assess(child("victim", "vn_citizen", "domestic"), regime_date=ON)
    assert set(result.refused) == {Regime.VOC, Regime.HAR, Regime.LOAN}
    voc = result.decision(Regime.VOC)
    assert voc.article == "Art. 37(2) Law 53/2024/QH15"
    assert voc.reason == (
        "An accompanying child is not entitled to vocational training, counselling and help finding work "
        "under Art. 37(2)."
    )
    assert result.decision("EDU").outcome == "granted"


def test_stateless_person_being_identified_abroad_is_refused():
    result = assess(person("being_identified", "stateless_resident", "abroad"), regime_date=ON)
    assert result.granted == () and result.discretionary == ()
    for decision in result.decisions:
        assert decision.article == "Art. 37(3) para 1 Law 53/2024/QH15"
        assert "only Vietnamese citizens" in decision.reason


def test_same_person_in_vietnam_is_covered_by_para_2():
    result = assess(person("being_identified", "stateless_resident", "domestic"), regime_date=ON)
    assert result.decision("TRV").outcome == "granted"
    assert result.decision("TRV").article == "Art. 37(3) para 2 Law 53/2024/QH15 (Art. 37(1)(e))"


@pytest.mark.parametrize("status", ["victim", "being_identified"])
def test_foreigner_gets_no_trv_edu_voc_har_loan_and_the_rest_case_by_case(status):
    result = assess(person(status, "foreign", "domestic", trafficked_in_vietnam=True), regime_date=ON)
    assert set(result.refused) == {Regime.TRV, Regime.EDU, Regime.VOC, Regime.HAR, Regime.LOAN}
    assert set(result.discretionary) == {Regime.ESS, Regime.MED, Regime.INT, Regime.LEG, Regime.AID, Regime.PSY}
    assert result.granted == ()
    assert "case by case" in result.decision("PSY").reason
    assert "travel costs" in result.decision("TRV").reason
    assert result.decision("ESS").article == "Art. 37(4) Law 53/2024/QH15 (Art. 37(1)(a))"


def test_foreigner_not_trafficked_in_vietnam_is_refused():
    result = assess(person("victim", "foreign", "domestic", trafficked_in_vietnam=False), regime_date=ON)
    assert set(result.refused) == set(Regime)
    assert "trafficked in Vietnam" in result.decision("ESS").reason


@pytest.mark.parametrize("status", ["not_victim", "undetermined"])
@pytest.mark.parametrize("nationality", ["vn_citizen", "stateless_resident", "foreign"])
@pytest.mark.parametrize("location", ["domestic", "abroad"])
def test_not_victim_and_undetermined_are_refused_everything(status, nationality, location):
    for applicant in (
        person(status, nationality, location, trafficked_in_vietnam=True),
        child(status, nationality, location, trafficked_in_vietnam=True),
    ):
        result = assess(applicant, regime_date=ON)
        assert set(result.refused) == set(Regime)
        for decision in result.decisions:
            assert decision.article == "Art. 37 Law 53/2024/QH15"
            assert "not a beneficiary of Art. 37" in decision.reason
            assert decision.regime.name_en.lower()[:8] in decision.reason.lower()


def test_accompanying_person_aged_18_is_not_a_child():
    result = assess(child("victim", "vn_citizen", "domestic", age=18), regime_date=ON)
    assert set(result.refused) == set(Regime)
    assert "18 or older" in result.decision("ESS").reason
    assert (
        assess(child("victim", "vn_citizen", "domestic", age=17), regime_date=ON).decision("ESS").outcome == "granted"
    )


def test_accompanying_child_with_its_own_status_gets_a_note():
    applicant = Applicant(
        role="accompanying_child",
        status="victim",
        nationality_class="vn_citizen",
        location="domestic",
        age=12,
        principal_status="victim",
        principal_nationality_class="vn_citizen",
        identified_on=IDENTIFIED,
    )
    result = assess(applicant, regime_date=ON)
    assert result.decision("VOC").outcome == "refused"
    assert result.notes


# --- The 2011 regime (Art. 63) --------------------------------------------------------------------


def test_victim_identified_on_30_06_2025_keeps_the_2011_regime():
    applicant = Applicant(
        status="victim", nationality_class="vn_citizen", location="domestic", identified_on=date(2025, 6, 30)
    )
    result = assess(applicant, regime_date=ON)
    assert result.legal_regime == LegalRegime.LAW_2011 == "2011"
    assert "Art. 63" in result.legal_regime_reason
    assert result.rule == "2011.victim"
    assert set(result.granted) == set(Regime) - {Regime.INT, Regime.LEG}
    assert result.decision("ESS").article == "Art. 32(1)(a) and Art. 33 Law 66/2011/QH12"
    assert result.decision("TRV").article == "Art. 32(1)(a) and Art. 33 Law 66/2011/QH12"
    assert result.decision("MED").article == "Art. 32(1)(b) and Art. 34 Law 66/2011/QH12"
    assert result.decision("PSY").article == "Art. 32(1)(c) and Art. 35 Law 66/2011/QH12"
    assert result.decision("AID").article == "Art. 32(1)(d) and Art. 36 Law 66/2011/QH12"
    assert result.decision("VOC").article == "Art. 32(1)(đ) and Art. 37 Law 66/2011/QH12"
    assert result.decision("LOAN").article == "Art. 32(1)(e) and Art. 38 Law 66/2011/QH12"
    interpretation = result.decision("INT")
    assert interpretation.outcome == "refused"
    assert interpretation.article == "Art. 32(1) Law 66/2011/QH12"
    assert "no interpretation regime" in interpretation.reason
    assert any("facility" in c for c in result.decision("PSY").conditions)


def test_victim_identified_on_01_07_2025_gets_the_2024_regime():
    applicant = Applicant(
        status="victim", nationality_class="vn_citizen", location="domestic", identified_on=date(2025, 7, 1)
    )
    result = assess(applicant, regime_date=ON)
    assert result.legal_regime == "2024"
    assert set(result.granted) == set(Regime)
    assert result.decision("INT").article == "Art. 37(1)(c) Law 53/2024/QH15"


def test_identification_date_decides_over_reception_date():
    applicant = Applicant(
        status="victim",
        nationality_class="vn_citizen",
        location="domestic",
        received_on=date(2025, 6, 20),
        identified_on=date(2025, 7, 2),
    )
    assert assess(applicant, regime_date=ON).legal_regime == "2024"


def test_reception_date_stands_in_for_a_missing_identification_date():
    applicant = Applicant(
        status="victim", nationality_class="vn_citizen", location="domestic", received_on=date(2025, 6, 30)
    )
    result = assess(applicant, regime_date=ON)
    assert result.legal_regime == "2011"
    assert "received on 30/06/2025" in result.legal_regime_reason
    strict = Policy(reception_date_fallback=False)
    assert assess(applicant, regime_date=ON, policy=strict).legal_regime == "2024"


def test_child_of_a_2011_victim_follows_the_2011_regime():
    applicant = Applicant(
        role="accompanying_child",
        nationality_class="vn_citizen",
        location="domestic",
        age=9,
        principal_status="victim",
        principal_nationality_class="vn_citizen",
        identified_on=date(2025, 3, 1),
    )
    result = assess(applicant, regime_date=ON)
    assert result.legal_regime == "2011"
    assert set(result.granted) == {Regime.ESS, Regime.TRV, Regime.MED, Regime.PSY}
    assert result.decision("AID").article == "Art. 32(3) Law 66/2011/QH12"
    assert result.decision("MED").article == "Art. 32(3) and Art. 34 Law 66/2011/QH12"


def test_foreign_victim_under_2011():
    applicant = Applicant(
        status="victim",
        nationality_class="foreign",
        location="domestic",
        trafficked_in_vietnam=True,
        identified_on=date(2024, 11, 5),
    )
    result = assess(applicant, regime_date=ON)
    assert result.legal_regime == "2011"
    assert set(result.granted) == {Regime.ESS, Regime.TRV, Regime.MED, Regime.PSY, Regime.AID}
    assert result.decision("EDU").article == "Art. 32(2) Law 66/2011/QH12"


def test_before_the_2024_law_everyone_is_under_2011():
    result = assess(person("being_identified", "vn_citizen", "domestic"), regime_date=date(2025, 6, 30))
    assert result.legal_regime == "2011"
    assert set(result.granted) == {Regime.ESS, Regime.TRV}
    assert result.decision("ESS").article.startswith("Art. 19(1)(b) Decree 09/2013/NĐ-CP")
    assert result.decision("MED").article == "Art. 32 Law 66/2011/QH12"


@pytest.mark.parametrize("status", ["not_victim", "undetermined"])
def test_2011_refuses_not_victim_and_undetermined(status):
    result = assess(person(status, "vn_citizen", "domestic"), regime_date=date(2025, 1, 1))
    assert set(result.refused) == set(Regime)
    for decision in result.decisions:
        assert decision.reason


# --- Settings candidates ----------------------------------------------------------------------------


def test_voc_for_accompanying_child_can_be_switched_on():
    result = assess(
        child("victim", "vn_citizen", "domestic"), regime_date=ON, policy=Policy(voc_for_accompanying_child=True)
    )
    assert result.decision("VOC").outcome == "granted"
    assert result.decision("VOC").article == "Art. 24 Decree 162/2025/NĐ-CP"
    assert set(result.refused) == {Regime.HAR, Regime.LOAN}


def test_foreigner_abroad_can_be_allowed():
    applicant = person("victim", "foreign", "abroad", trafficked_in_vietnam=True)
    assert set(assess(applicant, regime_date=ON).refused) == set(Regime)
    relaxed = assess(applicant, regime_date=ON, policy=Policy(foreign_requires_presence_in_vietnam=False))
    assert len(relaxed.discretionary) == 6


def test_cut_over_date_is_a_policy_value():
    applicant = Applicant(
        status="victim", nationality_class="vn_citizen", location="domestic", identified_on=date(2025, 7, 1)
    )
    assert assess(applicant, regime_date=ON, policy=Policy(law_2024_in_force=date(2025, 7, 2))).legal_regime == "2011"


def test_defaults_and_constraints():
    assert date(2025, 7, 1) == el.LAW_2024_IN_FORCE
    assert el.VOC_FOR_ACCOMPANYING_CHILD is False
    assert el.ESS_MAX_DAYS == 120
    assert el.REINTEGRATION_DECISION_WORKING_DAYS == 9
    assert el.INITIAL_VERIFICATION_DAYS == 3
    assert any(
        "120 days" in c
        for c in assess(person("victim", "vn_citizen", "domestic"), regime_date=ON).decision("ESS").conditions
    )
    assert {c.key for c in el.CONSTRAINTS} >= {"ESS.max_days", "reintegration.decision_working_days"}


# --- Every decision, every combination --------------------------------------------------------------

STATUSES = ["victim", "being_identified", "not_victim", "undetermined"]
NATIONALITIES = ["vn_citizen", "stateless_resident", "foreign"]
LOCATIONS = ["domestic", "abroad"]


def every_applicant():
    for status, nationality, location, trafficked, identified in itertools.product(
        STATUSES, NATIONALITIES, LOCATIONS, [True, False], [date(2025, 6, 30), date(2025, 7, 1), None]
    ):
        yield Applicant(
            status=status,
            nationality_class=nationality,
            location=location,
            trafficked_in_vietnam=trafficked,
            identified_on=identified,
        )
        for age in (None, 5, 17, 18):
            yield Applicant(
                role="accompanying_child",
                nationality_class=nationality,
                location=location,
                age=age,
                principal_status=status,
                principal_nationality_class=nationality,
                trafficked_in_vietnam=trafficked,
                identified_on=identified,
            )


@pytest.mark.parametrize("regime_date", [date(2025, 6, 30), ON])
@pytest.mark.parametrize(
    "policy", [Policy(), Policy(voc_for_accompanying_child=True, foreign_requires_presence_in_vietnam=False)]
)
def test_every_decision_has_an_article_and_a_reason(regime_date, policy):
    for applicant in every_applicant():
        result = assess(applicant, regime_date=regime_date, policy=policy)
        assert [d.regime for d in result.decisions] == list(Regime)
        assert not result.rule.endswith("no_row"), applicant
        assert result.legal_regime_reason
        for decision in result.decisions:
            assert decision.article.strip() and decision.reason.strip()
            assert "{" not in decision.article + decision.reason
            assert decision.outcome in {"granted", "discretionary", "refused"}
            if decision.outcome == Outcome.REFUSED:
                assert decision.conditions == ()


def test_regime_names_and_points():
    assert Regime.ESS.name_vi == "Hỗ trợ nhu cầu thiết yếu"
    assert Regime.ESS.name_en == "Essential needs"
    assert [r.point for r in Regime] == [POINT[code] for code in ORDER]
    assert all(r.name_vi and r.name_en for r in Regime)
    assert dict(el.REGIME_CHOICES)["LOAN"] == "Loan support"


def test_as_dict_is_plain_data():
    data = assess(person("victim", "vn_citizen", "domestic"), regime_date=ON).as_dict()
    assert data["legal_regime"] == "2024"
    assert data["decisions"][0] == {
        "regime": "ESS",
        "point": "a",
        "name_vi": "Hỗ trợ nhu cầu thiết yếu",
        "name_en": "Essential needs",
        "outcome": "granted",
        "article": "Art. 37(1)(a) Law 53/2024/QH15",
        "reason": (
            "A victim who is a Vietnamese citizen or a stateless permanent resident is entitled to essential "
            "needs under Art. 37(1)(a)."
        ),
        "conditions": [
            "At most 120 days unless an extension decision is recorded (Decree 162/2025/NĐ-CP Art. 17).",
        ],
    }


def test_default_regime_date_is_today_in_vietnam():
    result = assess(person("victim", "vn_citizen", "domestic"))
    assert result.assessed_on == el.today_in_vietnam()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": "victim", "nationality_class": "martian", "location": "domestic"},
        {"status": "refugee", "nationality_class": "vn_citizen", "location": "domestic"},
        {"nationality_class": "vn_citizen", "location": "domestic"},
        {"role": "accompanying_child", "nationality_class": "vn_citizen", "location": "domestic"},
        {"status": "victim", "nationality_class": "vn_citizen", "location": "domestic", "age": -1},
    ],
)
def test_bad_input_is_refused(kwargs):
    with pytest.raises(ValueError):
        Applicant(**kwargs)
