"""Who may do what with directives and reports. Where a record lives is checked by the selectors (404).

- A directive is issued by someone with ISSUE_DIRECTIVES over the issuing unit.
- A report is filled by the recipient's own staff: FILE_REPORTS in a membership at the report's
  unit (a commune's officers, not the province above it), in the recipient agency when the
  report is addressed to one (any agency of the unit for a People's Committee).
- A report is reviewed by someone with REVIEW_REPORTS over the directive's issuing unit.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from haidang.access.models import Membership, User
from haidang.access.roles import ROLE_CAPABILITIES, Capability
from haidang.access.scope import scope_for
from haidang.reporting.prefill import AREA_AGENCY_TYPES

ISSUE = Capability.ISSUE_DIRECTIVES
FILE = Capability.FILE_REPORTS
REVIEW = Capability.REVIEW_REPORTS
VIEW_STATISTICS = Capability.VIEW_STATISTICS
# Any of these lets a user into the reporting pages at all.
REPORTING_CAPABILITIES = (ISSUE, FILE, REVIEW, VIEW_STATISTICS)


def roles_with(capability: str) -> list[str]:
    return [role for role, capabilities in ROLE_CAPABILITIES.items() if capability in capabilities]


def can_use_reporting(user) -> bool:
    scope = scope_for(user)
    return any(scope.can(capability) for capability in REPORTING_CAPABILITIES)


def can_issue_directives(user, unit=None) -> bool:
    scope = scope_for(user)
    return scope.can(ISSUE) if unit is None else scope.covers_unit(unit, ISSUE)


def _agency_accepts(report, agency_id) -> bool:
    if report.agency_id is None or agency_id == report.agency_id:
        return True
    return report.agency.agency_type in AREA_AGENCY_TYPES


def can_file(user, report) -> bool:
    """The recipient's own staff may fill in and submit the report."""
    path = report.unit.scope_path
    for entry in scope_for(user).entries:
        if FILE not in ROLE_CAPABILITIES.get(entry.role, ()):
            continue
        if entry.unit_path == path and _agency_accepts(report, entry.agency_id):
            return True
    return False


def can_review(user, report) -> bool:
    return scope_for(user).covers_unit(report.directive.issuing_unit, REVIEW)


def filers_of(report):
    """The users a report's task and reminders go to (active, with FILE_REPORTS at its unit)."""
    memberships = Membership.objects.filter(
        is_active=True, agency__is_active=True, role__in=roles_with(FILE), unit=report.unit
    )
    if report.agency_id is not None and report.agency.agency_type not in AREA_AGENCY_TYPES:
        memberships = memberships.filter(agency_id=report.agency_id)
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by("username")


def supervisors_of(report):
    """Reviewers at the issuing side: REVIEW_REPORTS at the directive's issuing unit, in its
    issuing agency when anyone there holds the right, else anyone at that unit."""
    directive = report.directive
    memberships = Membership.objects.filter(
        is_active=True, agency__is_active=True, role__in=roles_with(REVIEW), unit=directive.issuing_unit
    )
    in_agency = memberships.filter(agency_id=directive.issuing_agency_id)
    if in_agency.exists():
        memberships = in_agency
    return User.objects.filter(Q(is_active=True), pk__in=memberships.values("user_id")).order_by("username")


def require_reporting(view):
    """403 for a signed-in user without any reporting capability."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_use_reporting(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
