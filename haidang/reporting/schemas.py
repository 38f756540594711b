"""Input and output shapes of the reporting API: report forms, directives, reports, completeness
and the consolidated table.

Units are named by code (read as of the directive's deadline, else its period start, so an old
unit can be named for a past period); agencies, forms, directives and reports by id. A figure's
place in its indicator's breakdowns is a `dimensions` object such as {"sex": "female",
"age_band": "under_16"}; an empty object is the indicator's total.
"""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema
from pydantic import WithJsonSchema

from haidang.access.models import AgencyType
from haidang.common.schemas import AgencyRef, CleanSchema, UnitRef
from haidang.places.schemas import TerritoryFilter
from haidang.reporting.models import DirectiveStatus, ReportStatus

MAX_TEXT = 20_000


ReportStatusCode = Annotated[str, WithJsonSchema({"type": "string", "enum": ["", *ReportStatus.values]})]
DirectiveStatusCode = Annotated[str, WithJsonSchema({"type": "string", "enum": ["", *DirectiveStatus.values]})]
AgencyTypeCode = Annotated[str, WithJsonSchema({"type": "string", "enum": ["", *AgencyType.values]})]


# --- References ---------------------------------------------------------------------------------------


# --- Report forms -------------------------------------------------------------------------------------


class VersionOut(Schema):
    id: UUID
    number: int
    status: str = Field(description="draft, published or retired; a published version never changes.")
    period_type: str = Field(description="month, quarter, six_months, year or custom.")
    published_at: datetime | None


class FormOut(Schema):
    id: UUID
    code: str
    name: str
    description: str
    versions: list[VersionOut]


class FormList(Schema):
    items: list[FormOut]
    count: int
    page: int
    page_size: int


class FormIndicatorOut(Schema):
    code: str
    name: str
    position: int
    measure: str
    source: str = Field(description="The pre-fill source (e.g. cases.received); blank when entered by hand.")
    breakdowns: list[str] = Field(description="Dimension codes, e.g. ['sex', 'age_band'].")
    dimensions: dict[str, list[dict]] = Field(description="For each breakdown, its values: [{code, label}].")


class SectionOut(Schema):
    code: str
    title: str
    position: int
    required: bool


class RuleOut(Schema):
    code: str
    left: str
    operator: str
    right: str
    message: str
    severity: str = Field(description="`error` blocks the submission; `warning` is shown and recorded, not blocking.")


class FormDetailOut(FormOut):
    version: VersionOut = Field(description="The version described below (the published one unless asked).")
    indicators: list[FormIndicatorOut]
    sections: list[SectionOut]
    rules: list[RuleOut]


# --- Directives ---------------------------------------------------------------------------------------


class RecipientRuleIn(CleanSchema):
    level: int = Field(description="1 province, 3 commune (0 nation, 2 district on the old map).")
    agency_type: AgencyTypeCode = Field("", description="Blank: the unit itself; else every agency of this type.")


class RecipientIn(CleanSchema):
    unit: str = Field("", max_length=10, description="Unit code; may be left out when an agency is named.")
    agency: UUID | None = None


class DirectiveIn(CleanSchema):
    number: str = Field(max_length=60, description='The document number, e.g. "1368/UBND-VX".')
    issued_on: date
    issuing_agency: UUID
    title: str = Field(max_length=500)
    text: str = Field("", max_length=MAX_TEXT)
    form_version: UUID = Field(description="A published report form version.")
    period_id: str = Field(
        max_length=32,
        description="Canonical period: 2026Q3, 2026Q3C (cut-off), 2026M07, 2026S1, 2026, or 2026-07-01_2026-07-31.",
    )
    deadline: date
    activities: list[Annotated[str, Field(max_length=MAX_TEXT)]] = Field(
        default_factory=list, max_length=100, description="The activities the directive asks for."
    )
    recipient_rules: list[RecipientRuleIn] = Field(default_factory=list, max_length=20)
    recipients: list[RecipientIn] = Field(default_factory=list, max_length=5000)


class RecipientOut(Schema):
    unit: UnitRef
    agency: AgencyRef | None


class DirectiveOut(Schema):
    id: UUID
    version: int
    number: str
    issued_on: date
    issuing_unit: UnitRef
    issuing_agency: AgencyRef
    title: str
    form: dict = Field(description="{id, code, name, version} of the form version.")
    period_id: str
    period_label: str
    period_start: date
    period_end: date
    deadline: date
    status: str
    issued_at: datetime | None
    reports: int = Field(description="Reports the user can see under this directive.")


class DirectiveDetailOut(DirectiveOut):
    text: str
    activities: list[str]
    recipient_rules: list[dict]
    recipients: list[RecipientOut]


class DirectiveList(Schema):
    items: list[DirectiveOut]
    count: int
    page: int
    page_size: int


class DirectiveFilters(CleanSchema):
    status: DirectiveStatusCode = ""
    period: str = Field("", max_length=32, description="A period identifier: 2026Q3, 2026N9, 2026-07-01_2026-07-31…")
    page: int = 1
    page_size: int = 50


class VersionIn(CleanSchema):
    version: int | None = Field(None, description="The version read; 409 when it changed since.")


class IssueOut(Schema):
    directive: DirectiveOut
    reports: int = Field(description="Reports made, one per recipient.")


class CompletenessRowOut(Schema):
    unit: UnitRef | None
    label: str
    expected: int = Field(description="Recipients existing on the deadline day.")
    submitted: int
    on_time: int
    late: int
    overdue: int = Field(description="Not submitted, deadline passed.")
    missing: int
    approved: int
    not_expected: int = Field(description="Reports of units that no longer exist on the deadline day.")
    rate: float = Field(description="Submitted / expected, in percent, never above 100.")
    has_children: bool = Field(description="Drill down with ?unit=<code>.")


class CompletenessOut(Schema):
    directive: UUID
    unit: UnitRef
    today: date
    rows: list[CompletenessRowOut]
    total: CompletenessRowOut
    reports: list[dict] = Field(description="The unit's own reports: id, recipient, status, on_time, expected.")


# --- Reports ------------------------------------------------------------------------------------------


class ReportFilters(TerritoryFilter):
    status: ReportStatusCode = ""
    directive: UUID | None = None
    period: str = Field("", max_length=32, description="A period identifier: 2026Q3, 2026N9, 2026-07-01_2026-07-31…")
    page: int = 1
    page_size: int = 50


class ReportOut(Schema):
    id: UUID
    version: int
    directive: dict = Field(description="{id, number, title}")
    unit: UnitRef
    agency: AgencyRef | None
    period_id: str
    period_label: str
    deadline: date
    status: str
    status_label: str
    submitted_at: datetime | None
    approved_at: datetime | None
    on_time: bool | None = Field(description="Submitted on or before the deadline day (Vietnam time).")
    is_late: bool


class ReportList(Schema):
    items: list[ReportOut]
    count: int
    page: int
    page_size: int


class ReportValueOut(Schema):
    indicator: str
    dimensions: dict[str, str]
    label: str
    computed_value: int | None = Field(description="From the records, when the indicator has a source.")
    value: int | None = Field(description="The figure that counts.")
    override_reason: str


class CheckOut(Schema):
    rule: str
    severity: str = Field(description="`error` (blocks submission) or `warning` (does not).")
    indicator: str
    breakdown: str = Field(description="The cell, e.g. `sex=male|age_band=16_17`; empty for the total.")
    breakdown_label: str
    message: str


class ReportDetailOut(ReportOut):
    form: dict
    values: list[ReportValueOut]
    narratives: dict[str, str]
    checks: list[CheckOut] = Field(description="Rules the saved figures break now, with their severity.")
    history: list[dict] = Field(description="Status changes: from, to, actor, at, comment.")
    can_edit: bool
    can_review: bool


class ValueIn(CleanSchema):
    indicator: str = Field(max_length=40)
    dimensions: dict[str, str] = Field(default_factory=dict)
    value: int | None = Field(None, description="Zero or more; null clears the figure.")
    override_reason: str = Field("", max_length=2000, description="Required when the value differs from the records.")


class ReportPatch(CleanSchema):
    version: int = Field(description="The version read; 409 when someone saved since.")
    values: list[ValueIn] = Field(default_factory=list, max_length=5000)
    narratives: dict[str, Annotated[str, Field(max_length=MAX_TEXT)]] = Field(default_factory=dict)


class ReturnIn(CleanSchema):
    version: int | None = None
    comment: str = Field("", max_length=MAX_TEXT, description="What must be corrected (required).")


# --- Consolidated ------------------------------------------------------------------------------------


class ConsolidatedFilters(TerritoryFilter):
    directive: UUID


class ColumnOut(Schema):
    key: str
    label: str
    unit: UnitRef | None
    approved: int


class ConsolidatedCellOut(Schema):
    key: str = Field(description='e.g. "sex=female|age_band=under_16"; "" is the total.')
    label: str
    values: list[int | None] = Field(description="One per column, the last being the total.")


class ConsolidatedRowOut(Schema):
    code: str
    name: str
    measure: str
    cells: list[ConsolidatedCellOut]


class ConsolidatedOut(Schema):
    directive: UUID | None
    unit: UnitRef
    period_id: str
    period_label: str
    columns: list[ColumnOut]
    rows: list[ConsolidatedRowOut]
    approved: int
    pending: list[dict] = Field(description="Reports not yet approved: id, recipient, status.")


# --- Notices ------------------------------------------------------------------------------------------


class NotificationOut(Schema):
    id: UUID
    kind: str
    kind_label: str
    title: str
    body: str
    url: str = Field(description="A path on this site to open, or empty.")
    report: UUID | None
    created_at: datetime
    read_at: datetime | None
    unread: bool


class NotificationList(Schema):
    items: list[NotificationOut]
    count: int
    page: int
    page_size: int


class NotificationFilters(CleanSchema):
    unread: bool = Field(False, description="Only notices not read yet.")
    page: int = 1
    page_size: int = 50
