"""Roles and what each may do: the one table the whole system asks.

A capability says what kind of work a membership allows; *where* it applies is the
membership's unit subtree (see `scope`). Nothing outside this table grants a capability.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator")
    PROVINCE_COORDINATOR = "province_coordinator", _("Province coordinator")
    CASE_WORKER = "case_worker", _("Case worker")
    CASE_SUPERVISOR = "case_supervisor", _("Case supervisor")
    POLICE_INVESTIGATOR = "police_investigator", _("Police investigator")
    PREVENTION_OFFICER = "prevention_officer", _("Prevention officer")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    ANALYST = "analyst", _("Analyst")
    AUDITOR = "auditor", _("Auditor")


class Capability(models.TextChoices):
    VIEW_CASES = "view_cases", _("See case records (identities masked)")
    VIEW_IDENTITY = "view_identity", _("See victims' identities")
    EDIT_CASES = "edit_cases", _("Record and update cases")
    DECIDE_CASES = "decide_cases", _("Approve case decisions")
    BREAK_GLASS = "break_glass", _("Open a case outside one's scope with a reason")
    MANAGE_PROCEEDINGS = "manage_proceedings", _("Record criminal proceedings")
    MANAGE_PREVENTION = "manage_prevention", _("Record prevention activities")
    ISSUE_DIRECTIVES = "issue_directives", _("Issue directives")
    FILE_REPORTS = "file_reports", _("Fill in and submit reports")
    REVIEW_REPORTS = "review_reports", _("Review and approve reports")
    MANAGE_RATES = "manage_rates", _("Edit provincial support rate tables")
    VIEW_STATISTICS = "view_statistics", _("See aggregate statistics")
    RELEASE_STATISTICS = "release_statistics", _("Approve statistics for publication")
    IMPORT_EXPORT = "import_export", _("Import registers and export data")
    VIEW_AGENCIES = "view_agencies", _("See agencies and their units")
    MANAGE_AGENCIES = "manage_agencies", _("Manage agencies")
    MANAGE_USERS = "manage_users", _("Manage users and memberships")
    VIEW_AUDIT = "view_audit", _("Read the audit log")


C = Capability

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset({C.VIEW_AGENCIES, C.MANAGE_AGENCIES, C.MANAGE_USERS}),
    # The national steering body's standing office: directs provinces, consolidates and releases
    # national figures; support rates are provincial, so it sets none.
    Role.NATIONAL_COORDINATOR: frozenset(
        {
            C.VIEW_CASES,
            C.ISSUE_DIRECTIVES,
            C.FILE_REPORTS,
            C.REVIEW_REPORTS,
            C.VIEW_STATISTICS,
            C.RELEASE_STATISTICS,
            C.IMPORT_EXPORT,
            C.VIEW_AGENCIES,
        }
    ),
    Role.PROVINCE_COORDINATOR: frozenset(
        {
            C.VIEW_CASES,
            C.MANAGE_PREVENTION,
            C.ISSUE_DIRECTIVES,
            C.FILE_REPORTS,
            C.REVIEW_REPORTS,
            C.MANAGE_RATES,
            C.VIEW_STATISTICS,
            C.RELEASE_STATISTICS,
            C.IMPORT_EXPORT,
            C.VIEW_AGENCIES,
        }
    ),
    Role.CASE_WORKER: frozenset(
        {
            C.VIEW_CASES,
            C.VIEW_IDENTITY,
            C.EDIT_CASES,
            C.BREAK_GLASS,
            C.FILE_REPORTS,
            C.VIEW_STATISTICS,
            C.VIEW_AGENCIES,
        }
    ),
    Role.CASE_SUPERVISOR: frozenset(
        {
            C.VIEW_CASES,
            C.VIEW_IDENTITY,
            C.EDIT_CASES,
            C.DECIDE_CASES,
            C.BREAK_GLASS,
            C.FILE_REPORTS,
            C.VIEW_STATISTICS,
            C.IMPORT_EXPORT,
            C.VIEW_AGENCIES,
        }
    ),
    # Police verify with the Department of Health and take decisions of their own (Art. 27(2) as
    # amended, Art. 30(1)(b) Law 53/2024): which steps exactly is `cases.authority`.
    Role.POLICE_INVESTIGATOR: frozenset(
        {
            C.VIEW_CASES,
            C.VIEW_IDENTITY,
            C.EDIT_CASES,
            C.DECIDE_CASES,
            C.BREAK_GLASS,
            C.MANAGE_PROCEEDINGS,
            # Police keep their criminal case registers in Excel (issue 12): they import them.
            C.IMPORT_EXPORT,
            C.FILE_REPORTS,
            C.VIEW_STATISTICS,
            C.VIEW_AGENCIES,
        }
    ),
    Role.PREVENTION_OFFICER: frozenset({C.MANAGE_PREVENTION, C.FILE_REPORTS, C.VIEW_STATISTICS, C.VIEW_AGENCIES}),
    Role.COMMUNE_OFFICER: frozenset(
        {C.VIEW_CASES, C.VIEW_IDENTITY, C.EDIT_CASES, C.MANAGE_PREVENTION, C.FILE_REPORTS, C.VIEW_AGENCIES}
    ),
    Role.ANALYST: frozenset({C.VIEW_STATISTICS}),
    Role.AUDITOR: frozenset({C.VIEW_AUDIT, C.VIEW_AGENCIES}),
}

# Anyone who can see a victim's identity, grant access, or read who looked at whom must
# prove a second factor at sign-in.
TWO_FACTOR_CAPABILITIES = frozenset({C.VIEW_IDENTITY, C.MANAGE_USERS, C.VIEW_AUDIT})


def role_can(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


def role_needs_two_factor(role: str) -> bool:
    return bool(ROLE_CAPABILITIES.get(role, frozenset()) & TWO_FACTOR_CAPABILITIES)
