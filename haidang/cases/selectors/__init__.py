"""Scoped reads of cases. Every page, API call, export and report starts from `cases_visible_to`.

A case is visible to users whose role may see cases over the case's unit (records under old
units placed through the crosswalk), and to the user it is assigned to. Identities are shown
only to roles that need them over that unit; everyone else gets masked values. Reading a case
with identities is written to the audit log.

Beside the case: who a person is on it, its protection decisions, shelter stays (with their
120-day limits) and reintegration applications (with their 9-working-day limits) as the reader may
see them, and its attachments (never their content); who may act on it under the law. The writes
are in `cases.services` and `cases.protection`. The package's modules: `visibility` (scope,
identities, the person as seen), `lists` (pages read as values), `work` (worklist, duplicates),
`matches` (duplicates as a reader may see them), `protection`, `acting`, `rates`.
"""

from haidang.cases.selectors.acting import (
    Acting,
    Correction,
    acting_for,
    acting_memberships,
    code_corrections,
)
from haidang.cases.selectors.lists import (
    CASE_LIST_COLUMNS,
    case_list,
    case_rows,
    person_values_view,
)
from haidang.cases.selectors.matches import PersonMatch, person_matches
from haidang.cases.selectors.protection import (
    ApplicationDeadline,
    ApplicationView,
    ProtectionView,
    StayView,
    application_deadline,
    applications_for,
    applications_waiting,
    applications_waiting_for,
    attachments_for,
    get_attachment_for_user,
    links_by_person,
    protection_decisions_for,
    role_on_case,
    shelter_days_before,
    shelter_stays_for,
    stay_deadline,
    stay_deadline_after,
    stay_deadlines,
)
from haidang.cases.selectors.rates import rate_for, rates_visible_to
from haidang.cases.selectors.visibility import (
    MASK,
    SEALED_PERSON_FIELDS,
    PersonView,
    can_decide_transfer,
    can_edit_case,
    can_see_identity,
    case_person_view,
    cases_visible_to,
    forget_grants,
    get_case_for_user,
    identity_rule,
    live_grants,
    mask,
    person_view,
    shows_identity,
    visible_key,
    with_person,
)
from haidang.cases.selectors.work import (
    WAITING_STATUSES,
    WORK_ITEM_FIELDS,
    DuplicateCandidate,
    WorkCase,
    WorkItem,
    Worklist,
    duplicate_candidates,
    worklist,
)

__all__ = [
    "MASK",
    "cases_visible_to",
    "visible_key",
    "rates_visible_to",
    "rate_for",
    "live_grants",
    "forget_grants",
    "get_case_for_user",
    "can_see_identity",
    "shows_identity",
    "identity_rule",
    "can_edit_case",
    "can_decide_transfer",
    "PersonView",
    "SEALED_PERSON_FIELDS",
    "with_person",
    "mask",
    "person_view",
    "case_person_view",
    "CASE_LIST_COLUMNS",
    "case_list",
    "case_rows",
    "person_values_view",
    "WorkCase",
    "WorkItem",
    "WAITING_STATUSES",
    "WORK_ITEM_FIELDS",
    "Worklist",
    "worklist",
    "DuplicateCandidate",
    "duplicate_candidates",
    "PersonMatch",
    "person_matches",
    "links_by_person",
    "role_on_case",
    "ProtectionView",
    "protection_decisions_for",
    "shelter_days_before",
    "stay_deadline_after",
    "stay_deadlines",
    "stay_deadline",
    "StayView",
    "shelter_stays_for",
    "ApplicationDeadline",
    "application_deadline",
    "ApplicationView",
    "applications_for",
    "applications_waiting",
    "applications_waiting_for",
    "attachments_for",
    "get_attachment_for_user",
    "Acting",
    "acting_memberships",
    "acting_for",
    "Correction",
    "code_corrections",
]
