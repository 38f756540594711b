"""The role table, cell by cell. The expected matrix is written out here on purpose: a change
to what a role may do must be made twice, in code and in this specification."""

import pytest

from haidang.access.roles import ROLE_CAPABILITIES, Capability, Role, role_can, role_needs_two_factor

R = Role
C = Capability
X = True
_ = False

# Columns in this order:
COLUMNS = [
    C.VIEW_CASES,
    C.VIEW_IDENTITY,
    C.EDIT_CASES,
    C.DECIDE_CASES,
    C.BREAK_GLASS,
    C.MANAGE_PROCEEDINGS,
    C.MANAGE_PREVENTION,
    C.ISSUE_DIRECTIVES,
    C.FILE_REPORTS,
    C.REVIEW_REPORTS,
    C.MANAGE_RATES,
    C.VIEW_STATISTICS,
    C.RELEASE_STATISTICS,
    C.IMPORT_EXPORT,
    C.VIEW_AGENCIES,
    C.MANAGE_AGENCIES,
    C.MANAGE_USERS,
    C.VIEW_AUDIT,
]
# fmt: off
# One row per role, one column per entry of COLUMNS, in that order.
EXPECTED = {
    R.SYSTEM_ADMIN:         [_, _, _, _, _, _, _, _, _, _, _, _, _, _, X, X, X, _],
    R.NATIONAL_COORDINATOR: [X, _, _, _, _, _, _, X, X, X, _, X, X, X, X, _, _, _],
    R.PROVINCE_COORDINATOR: [X, _, _, _, _, _, X, X, X, X, X, X, X, X, X, _, _, _],
    R.CASE_WORKER:          [X, X, X, _, X, _, _, _, X, _, _, X, _, _, X, _, _, _],
    R.CASE_SUPERVISOR:      [X, X, X, X, X, _, _, _, X, _, _, X, _, X, X, _, _, _],
    R.POLICE_INVESTIGATOR:  [X, X, X, X, X, X, _, _, X, _, _, X, _, X, X, _, _, _],
    R.PREVENTION_OFFICER:   [_, _, _, _, _, _, X, _, X, _, _, X, _, _, X, _, _, _],
    R.COMMUNE_OFFICER:      [X, X, X, _, _, _, X, _, X, _, _, _, _, _, X, _, _, _],
    R.ANALYST:              [_, _, _, _, _, _, _, _, _, _, _, X, _, _, _, _, _, _],
    R.AUDITOR:              [_, _, _, _, _, _, _, _, _, _, _, _, _, _, X, _, _, X],
}
# fmt: on

TWO_FACTOR = {
    R.SYSTEM_ADMIN: True,
    R.NATIONAL_COORDINATOR: False,
    R.PROVINCE_COORDINATOR: False,
    R.CASE_WORKER: True,
    R.CASE_SUPERVISOR: True,
    R.POLICE_INVESTIGATOR: True,
    R.PREVENTION_OFFICER: False,
    R.COMMUNE_OFFICER: True,
    R.ANALYST: False,
    R.AUDITOR: True,
}


def test_the_specification_covers_every_role_and_capability():
    assert set(EXPECTED) == set(Role.values) == set(ROLE_CAPABILITIES)
    assert set(COLUMNS) == set(Capability.values)
    assert all(len(row) == len(COLUMNS) for row in EXPECTED.values())


@pytest.mark.parametrize(
    ("role", "capability", "allowed"),
    [(role, cap, row[i]) for role, row in EXPECTED.items() for i, cap in enumerate(COLUMNS)],
    ids=lambda value: str(value),
)
def test_role_table_cell(role, capability, allowed):
    assert role_can(role, capability) is allowed


@pytest.mark.parametrize(("role", "needed"), list(TWO_FACTOR.items()), ids=str)
def test_two_factor_is_required_exactly_for_roles_that_see_identities_or_guard_access(role, needed):
    assert role_needs_two_factor(role) is needed


def test_analyst_never_sees_identities_or_records():
    assert not role_can(R.ANALYST, C.VIEW_IDENTITY)
    assert not role_can(R.ANALYST, C.VIEW_CASES)


def test_unknown_role_can_do_nothing():
    assert not any(role_can("janitor", cap) for cap in Capability.values)
