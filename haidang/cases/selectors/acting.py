"""Who may act on a case under the law (`cases.authority`), and stored values left for correction."""

from dataclasses import dataclass

from django.utils import timezone

from haidang.access.models import Membership
from haidang.cases import authority as law
from haidang.cases.models import (
    Case,
    ProtectionDecision,
    ShelterStay,
    SupportExtension,
)
from haidang.common.countries import is_country_code

# --- Who may act on a case (the law's division of work, `cases.authority`) ---------------------------


@dataclass(frozen=True)
class Acting:
    """The membership through which a user takes a step, or why none may."""

    membership: Membership | None
    reason: str

    @property
    def allowed(self) -> bool:
        return self.membership is not None


def acting_memberships(user, case: Case) -> list[Membership]:
    """The user's memberships that reach `case`: active, at an agency that exists today, over the
    case's unit (any of them when the case is assigned to the user)."""
    if user is None or not user.is_authenticated:
        return []
    today = timezone.localdate()
    rows = (
        Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
        .select_related("agency", "unit")
        .order_by("created_at")
    )
    assigned = case.assigned_to_id == user.pk
    target = case.unit.scope_path
    return [m for m in rows if m.agency.is_valid_on(today) and (assigned or target.startswith(m.unit.scope_path))]


def acting_for(user, case: Case, authority: law.Authority, *, memberships=None) -> Acting:
    """The first of the user's memberships that may take a step with `authority` on `case`."""
    memberships = acting_memberships(user, case) if memberships is None else memberships
    reasons = []
    for membership in memberships:
        verdict = law.verdict(
            authority,
            role=membership.role,
            agency_type=membership.agency.agency_type,
            own_case=case.agency_id == membership.agency_id,
        )
        if verdict.allowed:
            return Acting(membership, verdict.reason)
        reasons.append(verdict.reason)
    # The agency kind is what a user most needs to hear; a role refusal says it too.
    return Acting(
        None,
        reasons[0]
        if reasons
        else str(law.STEP_REFUSED)
        % {
            "who": authority.who(),
            "article": authority.article,
        },
    )


# --- Stored values outside the code lists (issue 10: listed for correction, never dropped) ------------


@dataclass(frozen=True)
class Correction:
    case_number: str
    field: str
    value: str


def code_corrections() -> list[Correction]:
    """Country codes that name no country, ethnicities and deciding bodies kept as first typed."""
    rows: list[Correction] = []
    for field in ("found_country", "destination_country"):
        for number, value in Case.objects.exclude(**{field: ""}).values_list("number", field):
            if not is_country_code(value):
                rows.append(Correction(number, field, value))
    people = Case.objects.values_list("number", "person__nationality_country", "person__ethnicity_legacy")
    for number, country, ethnicity in people:
        if country and not is_country_code(country):
            rows.append(Correction(number, "nationality_country", country))
        if ethnicity:
            # Ethnicity is sensitive personal data: the case page shows it to those who may see it.
            rows.append(Correction(number, "ethnicity", "—"))
    for model, field in (
        (ProtectionDecision, "decided_by_legacy"),
        (ShelterStay, "extension_decided_by_legacy"),
        (SupportExtension, "decided_by_legacy"),
    ):
        for number, value in model.objects.exclude(**{field: ""}).values_list("case__number", field):
            rows.append(Correction(number, field, value))
    return sorted(rows, key=lambda row: (row.case_number, row.field))
