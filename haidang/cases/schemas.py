"""Input and output shapes of the cases API (intake, reads, updates, transitions, the worklist).

Places are named by unit code (read as of the case's reception date), agencies by id, dates are
ISO 8601. Code lists are strings checked against their choices here and listed in the OpenAPI
document.

Errors name the field by its path in the request body: `person.full_name` and `case.unit` on
intake, `intake_channel` on an update, `target`, `note` and `data.decision_date` on a transition;
list filters by their query parameter (`unit`, `received_to`).
"""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, WithJsonSchema

from haidang.cases.models import (
    ApplicantKind,
    ApplicationStatus,
    CaseStatus,
    DocumentType,
    Exploitation,
    IntakeChannel,
    NationalityClass,
    ProtectionMeasure,
    Recruitment,
    ReintegrationRegime,
    Relationship,
    RiskLevel,
    Route,
    Sex,
    SubmissionChannel,
)
from haidang.common.countries import is_country_code
from haidang.common.schemas import AgencyRef, CleanSchema, Day, UnitRef, code_of
from haidang.places.schemas import TerritoryFilter

MAX_TEXT = 10_000


def _country(value: str) -> str:
    value = value.strip().upper()
    if value and not is_country_code(value):
        raise ValueError(
            _("“%(code)s” is not a country code: enter an ISO 3166-1 alpha-3 code (KHM, CHN, LAO…).") % {"code": value}
        )
    return value


SexCode = code_of(Sex)
NationalityCode = code_of(NationalityClass)
DocumentTypeCode = code_of(DocumentType, blank=True)
IntakeChannelCode = code_of(IntakeChannel)
ExploitationCode = code_of(Exploitation)
RouteCode = code_of(Route, blank=True)
RecruitmentCode = code_of(Recruitment, blank=True)
CountryCode = Annotated[
    str,
    AfterValidator(_country),
    WithJsonSchema(
        {
            "type": "string",
            "description": "ISO 3166-1 alpha-3 code of an existing country (KHM, CHN, LAO...), or empty.",
        }
    ),
]
UnitCode = Annotated[str, Field(max_length=10)]


# --- References ------------------------------------------------------------------------------------


# --- Intake ----------------------------------------------------------------------------------------


class PersonIn(CleanSchema):
    """The person. Errors on these fields are named `person.<field>`."""

    full_name: str = Field(max_length=255, description="Identifying: stored sealed, masked for most readers.")
    other_names: str = Field("", max_length=500, description="Identifying.")
    sex: SexCode = Sex.UNKNOWN.value
    birth_date: date | None = Field(None, description="ISO date; sets birth_year.")
    birth_year: int | None = Field(None, description="When only the year is known (1900 to this year).")
    ethnicity: str = Field(
        "",
        max_length=2,
        description="Code of one of the 54 ethnic groups (01 Kinh … 54 Rơ-măm; GET /code-lists/ethnic-groups).",
    )
    nationality_class: NationalityCode = NationalityClass.VN_CITIZEN.value
    nationality_country: CountryCode = Field("", description="Required for a foreign national (alpha-3).")
    document_type: DocumentTypeCode = ""
    document_number: str = Field("", max_length=60, description="Identifying; matched through a keyed hash.")
    residence_unit: UnitCode = Field("", description="Code of the unit of residence valid on the reception date.")
    address: str = Field("", max_length=500, description="Identifying.")
    contacts: str = Field("", max_length=500, description="Identifying.")
    languages: str = Field("", max_length=120)


class CaseIn(CleanSchema):
    """The case. Errors on these fields are named `case.<field>`."""

    intake_channel: IntakeChannelCode
    reception_date: date = Field(description="ISO date, not in the future; decides the legal regime (Art. 63).")
    unit: UnitCode = Field(description="Code of the unit valid on reception_date, inside the user's area.")
    agency: UUID = Field(description="Id of the receiving agency (one the user may see: GET /agencies).")
    exploitation_forms: list[ExploitationCode] = Field(default_factory=list, max_length=len(Exploitation.values))
    route: RouteCode = ""
    recruitment_method: RecruitmentCode = ""
    destination_country: CountryCode = ""
    found_abroad: bool = False
    found_country: CountryCode = ""
    returned_on: date | None = Field(
        None, description="For a person found abroad who is already back; a border handover defaults to reception."
    )
    return_border_gate: str = Field("", max_length=120)
    criminal_proceeding_number: str = Field("", max_length=60)


class CaseCreateIn(CleanSchema):
    person: PersonIn
    case: CaseIn


# --- Update and transitions ------------------------------------------------------------------------


class CasePatch(CleanSchema):
    """Only the fields sent change (none of them may be null); `version` is the one read (409 when stale).

    Errors name the field as sent (`route`, `intake_channel`).
    """

    version: int = Field(description="The version read; a stale one answers 409 and nothing is written.")
    intake_channel: IntakeChannelCode = None
    found_abroad: bool = None
    found_country: CountryCode = None
    exploitation_forms: list[ExploitationCode] = Field(None, max_length=len(Exploitation.values))
    destination_country: CountryCode = None
    route: RouteCode = None
    recruitment_method: RecruitmentCode = None
    criminal_proceeding_number: str = Field(None, max_length=60)


class TransitionData(CleanSchema):
    """What a transition records; each transition lists the keys it requires (`allowed_transitions`)."""

    decision_date: date | None = Field(None, description="Identification: ISO date of the decision.")
    evidence_sources: list[Annotated[str, Field(max_length=4)]] = Field(
        None, max_length=20, description="Identification: Art. 32 sources (a, b, c, d, dd, e, g, h, i)."
    )
    document_type: str = Field(None, max_length=120, description="Identification: the confirming document's type.")
    document_issuer: str = Field(None, max_length=255)
    document_number: str = Field(None, max_length=60)
    document_date: date | None = Field(None, description="ISO date of the confirming document.")
    closure_reasons: list[Annotated[str, Field(max_length=40)]] = Field(
        None, max_length=20, description="Closure: reasons from the checklist."
    )


class TransitionIn(CleanSchema):
    """Errors name `target`, `note`, `version`, `event_date`, `late_reason` or `data.<key>`."""

    target: str = Field(max_length=40, description="A target status from `allowed_transitions`, or 'reopen'.")
    version: int = Field(description="The version read; a stale one answers 409 and nothing is written.")
    note: str = Field("", max_length=MAX_TEXT, description="Required where the transition says needs_note.")
    event_date: date | None = Field(
        None,
        description="The day the step happened (default today): not in the future, not before the previous step. "
        "For 'received' it is the reception date, for an identification the decision date.",
    )
    late_reason: str = Field(
        "",
        max_length=MAX_TEXT,
        description="Required when event_date is more than CASE_BACKDATE_DAYS_WITHOUT_REASON days ago (audited).",
    )
    data: TransitionData = Field(default_factory=TransitionData)


class CaseReturnIn(CleanSchema):
    """The person found abroad is back in Vietnam. Errors name `returned_on`, `border_gate`, `late_reason`."""

    version: int = Field(description="The version read; a stale one answers 409 and nothing is written.")
    returned_on: date = Field(description="The day the person crossed back into Vietnam; not in the future.")
    border_gate: str = Field(max_length=120, description="The border gate or airport of return.")
    late_reason: str = Field("", max_length=MAX_TEXT, description="Required when the return is long past.")


# --- Output ----------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: UUID
    full_name: str = Field(description="Masked ('•••') unless identities_shown.")
    other_names: str
    document_number: str
    address: str
    contacts: str
    sex: str
    birth_year: int | None
    nationality_class: str
    identities_shown: bool = Field(description="Whether this reader's role shows identities for this case.")


class CaseOut(Schema):
    id: UUID
    number: str
    version: int
    status: str
    status_label: str
    legal_regime: str
    intake_channel: str
    reception_date: date
    notified_at: datetime | None = Field(description="When the Department of Health was notified.")
    unit: UnitRef
    agency: AgencyRef
    found_abroad: bool
    found_country: str
    abroad: bool = Field(description="Whether the person is abroad today (found abroad, no return recorded yet).")
    returned_on: date | None = Field(description="The day the person came back to Vietnam.")
    return_border_gate: str
    exploitation_forms: list[str]
    destination_country: str
    route: str
    recruitment_method: str
    criminal_proceeding_number: str
    assigned_to: str | None = Field(description="User name of the assigned case worker.")
    created_at: datetime
    updated_at: datetime
    person: PersonOut


class EventOut(Schema):
    kind: str = Field(description="created, transition, updated, returned_to_vietnam, ...")
    from_status: str
    to_status: str
    event_date: date = Field(description="The day the event happened.")
    recorded_at: datetime = Field(description="When it was recorded.")
    actor: str | None = Field(description="User name of who did it.")
    note: str


class AllowedTransition(Schema):
    target: str
    label: str
    requires: list[str] = Field(description="Keys of `data` the transition needs.")
    needs_note: bool
    article: str = Field(description="The legal basis of who may take the step.")


class CaseDetailOut(CaseOut):
    can_edit: bool = Field(description="Whether this user may PATCH the case.")
    timeline: list[EventOut] = Field(description="Every step, oldest first.")
    allowed_transitions: list[AllowedTransition] = Field(description="The moves this user may make now.")


class CaseList(Schema):
    items: list[CaseOut]
    count: int
    page: int
    page_size: int


class CaseFilters(TerritoryFilter):
    status: CaseStatus | None = None
    received_from: Day | None = Field(None, description="Received on or after this day.")
    received_to: Day | None = Field(None, description="Received on or before this day.")
    intake_channel: IntakeChannel | None = None
    q: str = Field("", max_length=20, description="Beginning of the case number ('01-2026').")
    page: int = 1
    page_size: int = 50


class WorkItemOut(Schema):
    case_id: UUID
    number: str
    status: str
    status_label: str
    kind: str = Field(description="What is waiting: the status to act on, or initial_verification (with its limit).")
    due: date
    overdue: bool


class Worklist(Schema):
    items: list[WorkItemOut]
    count: int
    page: int
    page_size: int


class Paging(CleanSchema):
    page: int = 1
    page_size: int = 50


# --- Eligibility, support, referrals, transfers, person search -----------------------------------


class RegimeDecisionOut(Schema):
    """A regime's decision. `article`, `reason` and `conditions` are in the request's language
    (Accept-Language); the `*_key` fields name the same sentences in a form that does not change."""

    regime: str
    outcome: str
    article: str
    article_key: str
    reason: str
    reason_key: str
    conditions: list[str] = []
    condition_keys: list[str] = []


class EligibilityNoteOut(Schema):
    key: str
    text: str


class EligibilityOut(Schema):
    beneficiary_id: str
    legal_regime: str
    legal_regime_reason: str
    legal_regime_reason_key: str
    category: str
    category_key: str
    notes: list[EligibilityNoteOut] = []
    decisions: list[RegimeDecisionOut]


class EligibilityList(Schema):
    items: list[EligibilityOut]
    count: int


class SupportItemIn(CleanSchema):
    regime: str
    item: str = Field(max_length=120)
    provider: UUID
    beneficiary: UUID | None = None
    start_date: date
    end_date: date | None = None
    quantity: int = Field(ge=1, le=100000)
    decision_number: str = Field("", max_length=60)


class SupportItemOut(Schema):
    id: UUID
    regime: str
    item: str
    provider_id: UUID
    beneficiary_id: UUID
    start_date: date
    end_date: date | None
    quantity: int
    unit_amount: int
    total: int
    decision_number: str


class SupportItemList(Schema):
    items: list[SupportItemOut]
    count: int


class ReferralIn(CleanSchema):
    provider: UUID
    service_type: str
    reason: str = Field(max_length=4000)
    consent: UUID | None = None
    legal_basis: str = Field("", max_length=255)
    follow_up_on: date | None = None


class ReferralOut(Schema):
    id: UUID
    provider_id: UUID
    service_type: str
    reason: str
    status: str
    outcome: str
    follow_up_on: date | None


class ReferralList(Schema):
    items: list[ReferralOut]
    count: int


class TransferIn(CleanSchema):
    to_unit: str = Field(max_length=10)
    to_agency: UUID
    reason: str = Field(max_length=4000)
    consent: UUID | None = None
    legal_basis: str = Field("", max_length=255)


class TransferDecisionIn(CleanSchema):
    accept: bool
    note: str = Field("", max_length=4000)


class TransferOut(Schema):
    id: UUID
    to_unit: str
    to_agency_id: UUID
    status: str
    reason: str


class PersonMatchOut(Schema):
    person_id: UUID
    score: int
    reasons: list[str]
    case_numbers: list[str]
    full_name: str
    birth_year: int | None


class PersonMatchList(Schema):
    items: list[PersonMatchOut]
    count: int


# --- Linked persons, protection, shelter stays, reintegration applications, attachments ------------
# Sealed or restricted values (names, risk assessments, reasons given by the person, the facility
# where the person stays, file names) are masked ('•••') unless the reader's role shows identities
# for the case; `identities_shown` on each list says which.

RelationshipCode = code_of(Relationship, description="child (under 18), spouse, parent, sibling or relative.")
RiskLevelCode = code_of(RiskLevel)
MeasureCode = code_of(ProtectionMeasure)
RegimeCode = code_of(ReintegrationRegime, description="EDU schooling, VOC vocational training, HAR hardship.")
ApplicantCode = code_of(ApplicantKind)
SubmissionCode = code_of(SubmissionChannel)


class LinkedPersonIn(CleanSchema):
    """An accompanying child or a relative, recorded as a person of their own (identities sealed)."""

    relationship: RelationshipCode
    full_name: str = Field(max_length=255, description="Identifying: stored sealed, masked for most readers.")
    other_names: str = Field("", max_length=500, description="Identifying.")
    sex: SexCode = Sex.UNKNOWN.value
    birth_date: date | None = Field(None, description="ISO date; sets birth_year. A child is under 18 on intake.")
    birth_year: int | None = Field(None, description="When only the year is known.")
    nationality_class: NationalityCode = NationalityClass.VN_CITIZEN.value
    nationality_country: CountryCode = Field("", description="Required for a foreign national (alpha-3).")
    document_type: DocumentTypeCode = ""
    document_number: str = Field("", max_length=60, description="Identifying; matched through a keyed hash.")
    is_protected: bool = Field(False, description="Under protection (kept in step with protection decisions).")
    notes: str = Field("", max_length=MAX_TEXT, description="Free text about the person: masked for most readers.")


class LinkedPersonPatch(CleanSchema):
    """Only the fields sent change (none of them may be null), as of the `version` read."""

    version: int = Field(description="The version read; 409 `conflict` when someone saved since.")
    relationship: RelationshipCode = None
    is_protected: bool = Field(None, description="Cannot be cleared while a protection decision is in force.")
    notes: str = Field(None, max_length=MAX_TEXT)


class LinkedPersonOut(Schema):
    id: UUID = Field(description="The link's id (PATCH /cases/{id}/linked-persons/{link_id}).")
    version: int = Field(description="Send it back with a change (PATCH); it grows with each change.")
    relationship: str
    relationship_label: str
    is_protected: bool
    notes: str = Field(description="Masked unless identities_shown.")
    birth_date: date | None = Field(description="Only when identities_shown (else the birth year alone).")
    person: PersonOut


class LinkedPersonList(Schema):
    items: list[LinkedPersonOut]
    count: int
    identities_shown: bool


class ProtectionDecisionIn(CleanSchema):
    subject: UUID | None = Field(
        None, description="Person id of the case's person (default) or of one of its linked persons."
    )
    risk_assessment: str = Field(max_length=MAX_TEXT, description="Who threatens the person, how, where. Sealed.")
    risk_level: RiskLevelCode
    decided_on: date = Field(description="ISO date of the decision, not in the future.")
    decided_by: UUID = Field(
        description="Id of the agency that decided (Decree 162 Art. 13): police, Border Guard, Coast Guard, the "
        "Department of Health, a People's Committee or a mission abroad (GET /agencies)."
    )
    measures: list[MeasureCode] = Field(max_length=len(ProtectionMeasure.values), description="At least one.")
    other_measure: str = Field("", max_length=MAX_TEXT, description="Required with the measure 'other'. Sealed.")


class ProtectionRefusalIn(CleanSchema):
    """The person refuses protection: a reason and the written commitment, attached or kept on paper."""

    refusal_reason: str = Field(max_length=MAX_TEXT, description="Sealed.")
    refused_on: date = Field(description="ISO date, not before the decision.")
    commitment_file: UUID | None = Field(
        None, description="Id of an attachment of kind protection_commitment on this case (GET .../attachments)."
    )
    commitment_recorded: bool = Field(False, description="The signed commitment is kept on paper.")
    commitment_date: date | None = Field(None, description="Date of the commitment kept on paper.")


class ProtectionEndIn(CleanSchema):
    ended_on: date = Field(description="ISO date, not before the decision.")
    end_reason: str = Field(max_length=MAX_TEXT, description="Sealed.")


class ProtectionDecisionOut(Schema):
    id: UUID
    subject_id: UUID
    subject: str = Field(description="'person' (the case's person) or the linked person's relationship.")
    risk_assessment: str = Field(description="Masked unless identities_shown.")
    risk_level: str
    decided_on: date
    decided_by: AgencyRef | None = Field(description="The agency that decided.")
    decided_by_legacy: str = Field(description="Text recorded before deciding bodies were agencies (to read as is).")
    measures: list[str]
    other_measure: str = Field(description="Masked unless identities_shown.")
    status: str = Field(description="active, ended or refused.")
    status_label: str
    refusal_reason: str = Field(description="Masked unless identities_shown.")
    commitment_recorded: bool
    commitment_date: date | None
    commitment_file: UUID | None
    ended_on: date | None
    end_reason: str = Field(description="Masked unless identities_shown.")


class ProtectionDecisionList(Schema):
    items: list[ProtectionDecisionOut]
    count: int
    identities_shown: bool


class ExtensionIn(CleanSchema):
    extended_until: date = Field(description="The new last day of shelter; past the current limit.")
    extension_decision_number: str = Field(max_length=60)
    extension_decided_on: date
    extension_decided_by: UUID | None = Field(
        None,
        description="Id of the agency that decided (Decree 162 Art. 17): the facility, the Department of Health. "
        "Required; a missing or wrong one answers 400 naming it.",
    )


class ShelterStayIn(CleanSchema):
    """A stay starts. When the person's 120 days on the case are used, send the extension with it."""

    person: UUID | None = Field(None, description="Person id of the case's person (default) or a linked person.")
    facility: UUID = Field(description="Id of the facility (an agency the user may see: GET /agencies).")
    start_date: date = Field(description="ISO date, not in the future.")
    extended_until: date | None = None
    extension_decision_number: str = Field("", max_length=60)
    extension_decided_on: date | None = None
    extension_decided_by: UUID | None = Field(None, description="Id of the agency that decided the extension.")


class ShelterStayEndIn(CleanSchema):
    end_date: date = Field(description="Not before the start, not past the limit unless extended.")


class ShelterStayOut(Schema):
    id: UUID
    person_id: UUID
    person: str = Field(description="'person' or the linked person's relationship.")
    facility: str = Field(description="Where the person stays: masked unless identities_shown.")
    facility_id: UUID | None = Field(description="Only when identities_shown.")
    start_date: date
    end_date: date | None
    due: date = Field(description="The last day of shelter (120 days on the case, or the extension).")
    overdue: bool = Field(description="Open and past the last day.")
    extended_until: date | None
    extension_decision_number: str
    extension_decided_on: date | None
    extension_decided_by: AgencyRef | None
    extension_decided_by_legacy: str


class ShelterStayList(Schema):
    items: list[ShelterStayOut]
    count: int
    identities_shown: bool


class ApplicationIn(CleanSchema):
    """A Form 07 application on receipt; the 9-working-day clock starts on received_on."""

    beneficiary: UUID | None = Field(
        None, description="Person id of the case's person (default) or of an accompanying child."
    )
    applicant: ApplicantCode = ApplicantKind.PERSON.value
    applicant_name: str = Field("", max_length=255, description="The family member who filed. Sealed.")
    submitted_via: SubmissionCode = SubmissionChannel.IN_PERSON.value
    received_on: date
    regimes: list[RegimeCode] = Field(max_length=len(ReintegrationRegime.values), description="At least one.")


class ApplicationDecisionIn(CleanSchema):
    status: Annotated[
        str,
        WithJsonSchema({"type": "string", "enum": [ApplicationStatus.APPROVED, ApplicationStatus.REFUSED]}),
    ] = Field(description="approved or refused.", max_length=10)
    decided_on: date = Field(description="Not before the receipt; after the 9 working days it is marked late.")
    decision_number: str = Field("", max_length=60, description="Required for an approval.")
    decided_by: UUID | None = Field(
        None, description="Id of the Department of Health that decided (default: the recorder's own)."
    )
    reason: str = Field("", max_length=MAX_TEXT, description="Required for a refusal.")
    approved_regimes: list[RegimeCode] = Field(
        None, max_length=len(ReintegrationRegime.values), description="Default: every regime asked for."
    )


class ApplicationOut(Schema):
    id: UUID
    beneficiary_id: UUID
    beneficiary: str = Field(description="'person' or 'child'.")
    applicant: str
    applicant_name: str = Field(description="Masked unless identities_shown.")
    submitted_via: str
    received_on: date
    regimes: list[str]
    status: str = Field(description="received, approved or refused.")
    status_label: str
    decided_on: date | None
    decided_by: AgencyRef | None = Field(description="The Department of Health that decided (Decree 162 Art. 24).")
    decision_number: str
    reason: str = Field(description="Masked unless identities_shown.")
    approved_regimes: list[str]
    due: date = Field(description="9 working days after receipt.")
    overdue: bool = Field(description="Still waiting and past the due day.")
    decided_late: bool


class ApplicationList(Schema):
    items: list[ApplicationOut]
    count: int
    identities_shown: bool


class AttachmentOut(Schema):
    id: UUID
    kind: str
    kind_label: str
    name: str = Field(description="The file name: masked unless identities_shown.")
    content_type: str
    size: int = Field(description="Bytes.")
    uploaded_at: datetime
    uploaded_by: str | None = Field(description="User name of who kept it.")


class AttachmentList(Schema):
    items: list[AttachmentOut]
    count: int
    identities_shown: bool
