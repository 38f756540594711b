"""Pages for victim cases: the worklist, the intake, the case page and its transitions, and the
case's sub-pages: consent, support (eligibility, items, extensions), referrals, transfer, follow-up
visits, linked persons, protection, shelter stays, reintegration applications and files; the
transfers waiting for the receiving unit's answer; the provincial rate tables; break-the-glass.

Every case comes from the selectors (scope in one place; a case outside it is a 404 like a missing
one) and every write goes through the services, whose ValidationError is put back on the field it
names. Lists show no identifying values; the case page shows them only to roles that need them,
and reading it is audited by `selectors.get_case_for_user`. The shared parts are in `_common`.
"""

from haidang.cases.views.access import break_glass
from haidang.cases.views.attachments import file_download, files
from haidang.cases.views.case import detail, record_return, transition
from haidang.cases.views.consent import consent, consent_withdraw
from haidang.cases.views.intake import intake
from haidang.cases.views.people import link_edit, people
from haidang.cases.views.people_search import person_search
from haidang.cases.views.protection import protection_end, protection_page, protection_refuse
from haidang.cases.views.rates import rates
from haidang.cases.views.referrals import referral_update, referrals
from haidang.cases.views.reintegration import reintegration, reintegration_decide
from haidang.cases.views.shelter import shelter, shelter_end, shelter_extend
from haidang.cases.views.support import support_extension, support_page
from haidang.cases.views.transfers import transfer, transfer_decide
from haidang.cases.views.visits import visits
from haidang.cases.views.worklist import worklist

__all__ = [
    "break_glass",
    "consent",
    "consent_withdraw",
    "detail",
    "file_download",
    "files",
    "intake",
    "link_edit",
    "people",
    "person_search",
    "protection_end",
    "protection_page",
    "protection_refuse",
    "rates",
    "record_return",
    "referral_update",
    "referrals",
    "reintegration",
    "reintegration_decide",
    "shelter",
    "shelter_end",
    "shelter_extend",
    "support_extension",
    "support_page",
    "transfer",
    "transfer_decide",
    "transition",
    "visits",
    "worklist",
]
