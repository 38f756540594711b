"""Forms for case pages: the intake (person and case on one form), the list filter, one form per
allowed transition, and the forms of the case's sub-pages, one module per topic as in `views`.

Forms check shape (a real date as people type it, a unit named (or coded) as it was on the reception
date, a country code, an agency the user may name); the services check the rules (required values, dates not in
the future, the unit inside the user's area, what each transition needs) and their errors are
put back on the field they name. The shared fields and builders are in `_common`.
"""

from haidang.cases.forms._common import MAX_QUANTITY, MAX_TEXT, CountryField, ListedChoiceField, country_options
from haidang.cases.forms.access import BreakGlassForm
from haidang.cases.forms.attachments import AttachmentForm
from haidang.cases.forms.case import IDENTIFICATION_DOCUMENT_TYPES, MAX_NOTE, ReturnForm, TransitionForm
from haidang.cases.forms.consent import (
    CONSENT_METHOD_LABELS,
    DISCLOSURE_PURPOSE_LABELS,
    ConsentForm,
    WithdrawConsentForm,
    consent_label,
)
from haidang.cases.forms.intake import IntakeForm
from haidang.cases.forms.people import LinkEditForm, LinkPersonForm
from haidang.cases.forms.protection import ProtectionDecisionForm, ProtectionEndForm, ProtectionRefusalForm
from haidang.cases.forms.rates import MAX_AMOUNT, RATE_UNIT_LABELS, RateFilterForm, RateForm
from haidang.cases.forms.referrals import ReferralForm, ReferralUpdateForm
from haidang.cases.forms.reintegration import APPLICATION_DECISIONS, ApplicationDecisionForm, ApplicationForm
from haidang.cases.forms.search import PersonSearchForm
from haidang.cases.forms.shelter import StayEndForm, StayExtendForm, StayStartForm
from haidang.cases.forms.support import SupportExtensionForm, SupportItemForm
from haidang.cases.forms.transfers import TRANSFER_DECISIONS, TransferDecisionForm, TransferForm
from haidang.cases.forms.visits import VisitForm
from haidang.cases.forms.worklist import CaseFilterForm
from haidang.common.forms import DayField
from haidang.places.forms import UnitField

__all__ = [
    "APPLICATION_DECISIONS",
    "ApplicationDecisionForm",
    "ApplicationForm",
    "AttachmentForm",
    "BreakGlassForm",
    "CONSENT_METHOD_LABELS",
    "CaseFilterForm",
    "ConsentForm",
    "CountryField",
    "country_options",
    "DISCLOSURE_PURPOSE_LABELS",
    "DayField",
    "IDENTIFICATION_DOCUMENT_TYPES",
    "IntakeForm",
    "LinkEditForm",
    "LinkPersonForm",
    "ListedChoiceField",
    "MAX_AMOUNT",
    "MAX_NOTE",
    "MAX_QUANTITY",
    "MAX_TEXT",
    "PersonSearchForm",
    "ProtectionDecisionForm",
    "ProtectionEndForm",
    "ProtectionRefusalForm",
    "RATE_UNIT_LABELS",
    "RateFilterForm",
    "RateForm",
    "ReferralForm",
    "ReferralUpdateForm",
    "StayEndForm",
    "StayExtendForm",
    "StayStartForm",
    "SupportExtensionForm",
    "SupportItemForm",
    "TRANSFER_DECISIONS",
    "TransferDecisionForm",
    "TransferForm",
    "ReturnForm",
    "TransitionForm",
    "UnitField",
    "VisitForm",
    "WithdrawConsentForm",
    "consent_label",
]
