"""Writes for cases: intake, the one transition service, and updates with optimistic locking.

Each function is atomic and audited; identifying values never go into the audit entry. By topic:
`case` (intake, transitions, updates), `people` (person records, duplicates), `consent` (consent
and disclosure), `referrals`, `transfers`, `visits`, `access` (break-the-glass); `_common` is shared.
"""

# The duplicate keys live in cases.matching, below the selectors that search by them; still importable from here.
from haidang.cases.matching import document_key, name_key
from haidang.cases.services._common import COUNTRY_MESSAGE, _country_ok, _event
from haidang.cases.services.access import BREAK_GLASS_HOURS, break_glass
from haidang.cases.services.bulk import BulkIntakeError, IntakePlanner, NewCase, Step, create_cases
from haidang.cases.services.case import (
    CASE_EDITABLE_FIELDS,
    LAW_2024_IN_FORCE,
    create_case,
    legal_regime_for,
    record_return,
    transition_case,
    update_case,
)
from haidang.cases.services.consent import (
    CONSENT_METHODS,
    DISCLOSURE_PURPOSES,
    check_disclosure,
    record_consent,
    withdraw_consent,
)
from haidang.cases.services.people import IDENTIFYING_PERSON_FIELDS, _validate_person, merge_persons
from haidang.cases.services.referrals import REFERRAL_MOVES, create_referral, update_referral
from haidang.cases.services.transfers import decide_transfer, request_transfer
from haidang.cases.services.visits import record_visit
from haidang.common.errors import StaleVersionError

# The private helpers are used by the protection services (`services._event` and the person checks).
__all__ = [
    "BREAK_GLASS_HOURS",
    "BulkIntakeError",
    "CASE_EDITABLE_FIELDS",
    "CONSENT_METHODS",
    "COUNTRY_MESSAGE",
    "DISCLOSURE_PURPOSES",
    "IDENTIFYING_PERSON_FIELDS",
    "IntakePlanner",
    "LAW_2024_IN_FORCE",
    "NewCase",
    "REFERRAL_MOVES",
    "StaleVersionError",
    "Step",
    "_country_ok",
    "_event",
    "_validate_person",
    "break_glass",
    "check_disclosure",
    "create_case",
    "create_cases",
    "create_referral",
    "decide_transfer",
    "document_key",
    "legal_regime_for",
    "merge_persons",
    "name_key",
    "record_consent",
    "record_return",
    "record_visit",
    "request_transfer",
    "transition_case",
    "update_case",
    "update_referral",
    "withdraw_consent",
]
