"""Who may take each step, over the whole grid: step × role × agency type, with no database.

The expected table is written out here on purpose, each row with its article: a change to who may
do what must be made twice, in `cases/authority.py` and in this specification.
"""

import pytest

from haidang.access.models import AgencyType as A
from haidang.access.roles import Capability, Role, role_can
from haidang.cases import authority as law
from haidang.cases import workflow
from haidang.cases.models import CaseStatus as S

C = Capability

# (step, capability, agency types the law gives it to, article)
COMMUNE = {A.COMMUNE_PEOPLES_COMMITTEE}
HEALTH = {A.DEPARTMENT_OF_HEALTH}
IDENTIFIERS = {A.DEPARTMENT_OF_HEALTH, A.PROVINCIAL_POLICE, A.BORDER_GUARD, A.COAST_GUARD, A.MISSION_ABROAD}
EXPECTED_TRANSITIONS = {
    # Art. 27(1) as amended, Art. 28, 30(1): the commune, the police, Border Guard, Coast Guard, the
    # Department of Health and a mission abroad receive.
    (S.REPORTED, S.RECEIVED): (
        C.EDIT_CASES,
        COMMUNE | {A.COMMUNE_POLICE} | IDENTIFIERS,
        "Art. 27(1)",
    ),
    # Art. 27(1)–(2): the commune notifies the Department of Health, which verifies with provincial
    # police; Art. 30(1): the border bodies and a mission verify returnees. Not the commune police.
    (S.RECEIVED, S.INITIAL_VERIFICATION): (C.EDIT_CASES, COMMUNE | IDENTIFIERS, "Art. 27(1)–(2)"),
    # Art. 27(2) as amended, Art. 30–33: identification is not a commune's act.
    (S.INITIAL_VERIFICATION, S.IDENTIFIED): (C.DECIDE_CASES, IDENTIFIERS, "Art. 27(2) as amended"),
    (S.INITIAL_VERIFICATION, S.FURTHER_VERIFICATION): (C.EDIT_CASES, IDENTIFIERS, "Art. 27(2) as amended"),
    (S.INITIAL_VERIFICATION, S.NOT_VICTIM): (C.DECIDE_CASES, IDENTIFIERS, "Art. 27(2) as amended"),
    (S.FURTHER_VERIFICATION, S.IDENTIFIED): (C.DECIDE_CASES, IDENTIFIERS, "Art. 27(2) as amended"),
    (S.FURTHER_VERIFICATION, S.NOT_VICTIM): (C.DECIDE_CASES, IDENTIFIERS, "Art. 27(2) as amended"),
    (S.FURTHER_VERIFICATION, S.UNDETERMINED): (C.DECIDE_CASES, IDENTIFIERS, "Art. 27(2) as amended"),
    (S.UNDETERMINED, S.FURTHER_VERIFICATION): (C.EDIT_CASES, IDENTIFIERS, "Art. 27(2) as amended"),
    # Art. 30(2), 37(1)(e); Decree 162 Art. 17: the Department of Health, the facility, the commune.
    (S.IDENTIFIED, S.RETURNED_HOME): (
        C.EDIT_CASES,
        HEALTH | COMMUNE | {A.SUPPORT_FACILITY, A.SOCIAL_WORK_CENTRE},
        "37(1)(e)",
    ),
    # Art. 37(1)(h)–(k); Decree 162 Art. 24–25.
    (S.RETURNED_HOME, S.REINTEGRATION): (C.EDIT_CASES, HEALTH | COMMUNE | {A.SOCIAL_WORK_CENTRE}, "Decree 162"),
    # Closing and reopening: no legal act (legal-vn.md §2.8); the bodies that lead the case.
    (S.IDENTIFIED, S.CLOSED): (C.EDIT_CASES, HEALTH | COMMUNE, "§2.8"),
    (S.RETURNED_HOME, S.CLOSED): (C.EDIT_CASES, HEALTH | COMMUNE, "§2.8"),
    (S.REINTEGRATION, S.CLOSED): (C.EDIT_CASES, HEALTH | COMMUNE, "§2.8"),
    (S.NOT_VICTIM, S.CLOSED): (C.EDIT_CASES, HEALTH | COMMUNE, "§2.8"),
    (S.UNDETERMINED, S.CLOSED): (C.EDIT_CASES, HEALTH | COMMUNE, "§2.8"),
    (S.CLOSED, "reopen"): (C.EDIT_CASES, HEALTH | COMMUNE, "§2.8"),
}
# Decisions beside the path: (who records, kinds of agency that may be named as the decider, article)
CASE_HANDLERS = COMMUNE | {A.COMMUNE_POLICE} | IDENTIFIERS | {A.SUPPORT_FACILITY, A.SOCIAL_WORK_CENTRE}
EXPECTED_DECISIONS = {
    # Decree 162 Art. 13: the competent bodies (protection-deciders).
    "protection": (
        (C.EDIT_CASES, CASE_HANDLERS),
        (
            C.EDIT_CASES,
            {
                A.COMMUNE_POLICE,
                A.PROVINCIAL_POLICE,
                A.BORDER_GUARD,
                A.COAST_GUARD,
                A.DEPARTMENT_OF_HEALTH,
                A.COMMUNE_PEOPLES_COMMITTEE,
                A.PROVINCIAL_PEOPLES_COMMITTEE,
                A.MISSION_ABROAD,
            },
        ),
        "Decree 162 Art. 13",
    ),
    # Decree 162 Art. 24: the Department of Health decides a Form 07 application, and records it.
    "form_07": ((C.DECIDE_CASES, HEALTH), (C.DECIDE_CASES, HEALTH), "Decree 162/2025 Art. 24"),
    # Decree 162 Art. 17: the facility's head or the Department of Health extends past 120 days.
    "support_extension": (
        (C.EDIT_CASES, CASE_HANDLERS),
        (C.EDIT_CASES, HEALTH | {A.SUPPORT_FACILITY, A.SOCIAL_WORK_CENTRE}),
        "Decree 162/2025/NĐ-CP Art. 17",
    ),
    "shelter_extension": (
        (C.EDIT_CASES, CASE_HANDLERS),
        (C.EDIT_CASES, HEALTH | {A.SUPPORT_FACILITY, A.SOCIAL_WORK_CENTRE}),
        "Decree 162/2025/NĐ-CP Art. 17",
    ),
}


def _transition(key):
    source, target = key
    return workflow.find_transition(source, target)


def test_the_specification_covers_every_transition_and_decision():
    assert set(EXPECTED_TRANSITIONS) == {(t.source, t.target) for t in workflow.TRANSITIONS}
    assert set(EXPECTED_DECISIONS) == set(law.DECISIONS)


@pytest.mark.parametrize("key", list(EXPECTED_TRANSITIONS), ids=lambda key: f"{key[0]}->{key[1]}")
def test_each_transition_names_its_capability_agencies_and_article(key):
    capability, agency_types, article = EXPECTED_TRANSITIONS[key]
    authority = _transition(key).authority
    assert authority.capability == capability
    assert authority.agency_types == frozenset(agency_types)
    assert article in authority.article


def _mismatches(authority, capability, agency_types) -> list[tuple[str, str]]:
    """The cells (role, agency type) where the rule and the specification disagree."""
    wrong = []
    for role in Role.values:
        for agency_type in A.values:
            expected = role_can(role, capability) and agency_type in agency_types
            verdict = law.verdict(authority, role=role, agency_type=agency_type)
            if verdict.allowed is not expected or not verdict.reason:
                wrong.append((role, agency_type))
    return wrong


@pytest.mark.parametrize("key", list(EXPECTED_TRANSITIONS), ids=lambda key: f"{key[0]}->{key[1]}")
def test_every_cell_of_the_transition_grid(key):
    """Role × agency type for one step: allowed exactly when the role has the capability and the
    agency is of a kind the law names; every verdict says why."""
    capability, agency_types, _article = EXPECTED_TRANSITIONS[key]
    cells = len(Role.values) * len(A.values)
    assert cells > 200  # the whole grid, not a sample
    assert _mismatches(_transition(key).authority, capability, agency_types) == []


@pytest.mark.parametrize("kind", list(EXPECTED_DECISIONS))
def test_every_cell_of_the_decision_grid(kind):
    (recorder_capability, recorders), (decider_capability, deciders), article = EXPECTED_DECISIONS[kind]
    recorder, decider = law.DECISIONS[kind]
    assert recorder.capability == recorder_capability and decider.capability == decider_capability
    assert article in decider.article
    assert _mismatches(recorder, recorder_capability, recorders) == []
    assert _mismatches(decider, decider_capability, deciders) == []


@pytest.mark.parametrize("key", [k for k, (_c, types, _a) in EXPECTED_TRANSITIONS.items() if A.MISSION_ABROAD in types])
def test_a_mission_abroad_acts_only_on_the_cases_it_handles(key, english):
    authority = _transition(key).authority
    role = Role.CASE_SUPERVISOR
    assert law.verdict(authority, role=role, agency_type=A.MISSION_ABROAD, own_case=True).allowed
    other = law.verdict(authority, role=role, agency_type=A.MISSION_ABROAD, own_case=False)
    assert not other.allowed and "handles" in other.reason
    # Other agencies are not limited to the cases they received.
    assert law.verdict(authority, role=role, agency_type=A.DEPARTMENT_OF_HEALTH, own_case=False).allowed


def test_a_refusal_names_who_may_take_the_step_and_the_article(english):
    identify = workflow.find_transition(S.INITIAL_VERIFICATION, S.IDENTIFIED).authority
    refused = law.verdict(identify, role=Role.COMMUNE_OFFICER, agency_type=A.COMMUNE_PEOPLES_COMMITTEE)
    assert not refused.allowed
    assert "Provincial Department of Health" in refused.reason and "Border Guard" in refused.reason
    assert "Art. 27(2) as amended" in refused.reason
    wrong_agency = law.verdict(identify, role=Role.CASE_SUPERVISOR, agency_type=A.COMMUNE_PEOPLES_COMMITTEE)
    assert not wrong_agency.allowed and "This step is taken by" in wrong_agency.reason


def test_no_historic_body_takes_a_step_today():
    historic = {
        A.DISTRICT_PEOPLES_COMMITTEE,
        A.DISTRICT_POLICE,
        A.DISTRICT_LABOUR_OFFICE,
        A.PROVINCIAL_LABOUR_DEPARTMENT,
    }
    for transition in workflow.TRANSITIONS:
        assert not historic & transition.authority.agency_types
