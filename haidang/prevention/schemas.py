"""Input and output shapes of the prevention API (campaigns, activities, summaries, models).

Places are named by unit code (read as of the record's date), agencies and campaigns by id.
Code lists are plain strings here, documented with their allowed values; the services check
them and answer with a message that names the field.
"""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import WithJsonSchema, field_validator

from haidang.common.schemas import AgencyRef, CleanSchema, UnitRef, code_of
from haidang.prevention.models import (
    Activity,
    ActivityType,
    FundingSource,
    JointTopic,
    MaterialKind,
    ModelKind,
    ModelStatus,
    TargetGroup,
)

# The largest value a PositiveIntegerField holds on every database, and the largest cost (14 digits).
MAX_COUNT = 2_147_483_647
MAX_COST = 10**14 - 1
MAX_TEXT = 10_000
GROUP_BY = Literal["campaign", "unit", "agency", "type", "month", "quarter", "year"]




ActivityTypeCode = code_of(ActivityType, validate=False)
JointTopicCode = code_of(JointTopic, validate=False)
TargetGroupCode = code_of(TargetGroup, validate=False)
MaterialKindCode = code_of(MaterialKind, validate=False)
FundingSourceCode = Annotated[str, WithJsonSchema({"type": "string", "enum": ["", *FundingSource.values]})]
ModelKindCode = code_of(ModelKind, validate=False)
ModelStatusCode = code_of(ModelStatus, validate=False)
Count = Annotated[int, Field(le=MAX_COUNT, description="Zero or more; null when not recorded.")]
UnitCode = Annotated[str, Field(max_length=10)]


# --- References ------------------------------------------------------------------------------------


class CampaignRef(Schema):
    id: UUID
    name: str


# --- Totals and summaries --------------------------------------------------------------------------


class MaterialTotals(Schema):
    produced: int
    distributed: int


class TotalsOut(Schema):
    activities: int = Field(description="Activities counted once each, joint ones included once.")
    sessions: int
    participants: int
    participants_female: int
    participants_male: int
    broadcast_minutes: int
    articles: int
    posts: int
    page_visits: int
    pledges: int
    cost: int = Field(description="VND.")
    materials: dict[str, MaterialTotals] = Field(description="By material kind: produced and distributed.")


class SummaryRow(TotalsOut):
    key: str = Field(
        description="Campaign id, unit code, agency id, activity type, 'YYYY-MM', 'YYYY-Qn' or 'YYYY'; "
        "empty for activities without a campaign (or above commune level when grouping communes)."
    )
    label: str


class SummaryOut(Schema):
    group_by: str
    level: int | None
    rows: list[SummaryRow]
    totals: TotalsOut = Field(description="The whole filter, each activity once.")


# --- Campaigns -------------------------------------------------------------------------------------


class CampaignIn(CleanSchema):
    name: str = Field(max_length=255)
    theme: str = Field("", max_length=500)
    start_date: date
    end_date: date
    issuing_agency: UUID = Field(description="Id of an agency the user may name (GET /agencies).")
    directive_number: str = Field("", max_length=60, description="The directive that ordered the campaign.")
    target_units: list[UnitCode] = Field(
        default_factory=list, max_length=500, description="Unit codes valid on start_date."
    )


class CampaignOut(Schema):
    id: UUID
    name: str
    theme: str
    start_date: date
    end_date: date
    issuing_unit: UnitRef
    issuing_agency: AgencyRef
    directive_number: str
    target_units: list[UnitRef]
    created_at: datetime
    updated_at: datetime


class CampaignList(Schema):
    items: list[CampaignOut]
    count: int
    page: int
    page_size: int


class CampaignFilters(CleanSchema):
    active_on: date | None = Field(None, description="Only campaigns running on this day.")
    page: int = 1
    page_size: int = 50


# --- Activities ------------------------------------------------------------------------------------


class MaterialIn(CleanSchema):
    kind: MaterialKindCode
    produced: Count | None = None
    distributed: Count | None = None


class MaterialOut(Schema):
    kind: str
    kind_label: str
    produced: int | None
    distributed: int | None


class _ActivityFields(CleanSchema):
    """The optional fields that create and update share."""

    place: str = Field("", max_length=255)
    co_organisers: list[UUID] = Field(default_factory=list, max_length=50, description="Agency ids.")
    campaign: UUID | None = Field(None, description="Campaign id (GET /campaigns).")
    joint_topics: list[JointTopicCode] = Field(default_factory=list, max_length=20)
    target_groups: list[TargetGroupCode] = Field(default_factory=list, max_length=20)
    language: str = Field(Activity._meta.get_field("language").default, max_length=60)
    sessions: Count | None = None
    participants: Count | None = None
    participants_female: Count | None = None
    participants_male: Count | None = None
    broadcast_minutes: Count | None = None
    articles: Count | None = None
    posts: Count | None = None
    page_visits: Count | None = None
    pledges: Count | None = None
    cost: Annotated[int, Field(le=MAX_COST)] | None = Field(None, description="VND, whole dong.")
    funding_source: FundingSourceCode = ""
    notes: str = Field("", max_length=MAX_TEXT)
    materials: list[MaterialIn] = Field(default_factory=list, max_length=20, description="One entry per kind.")


class ActivityIn(_ActivityFields):
    activity_type: ActivityTypeCode
    title: str = Field(max_length=255)
    start_date: date
    end_date: date | None = Field(None, description="Defaults to start_date.")
    unit: UnitCode = Field(description="Code of the unit valid on start_date (a commune, province or 'VN').")
    organiser: UUID = Field(description="Id of the organising agency.")


class ActivityPatch(_ActivityFields):
    """Only the fields sent change; `version` is the one the client read (409 when it is stale)."""

    version: int
    activity_type: ActivityTypeCode | None = None
    title: str | None = Field(None, max_length=255)
    start_date: date | None = None
    end_date: date | None = None
    unit: UnitCode | None = Field(None, description="Code of the unit valid on the (new) start_date.")
    organiser: UUID | None = None


class ActivityOut(Schema):
    id: UUID
    version: int
    activity_type: str
    activity_type_label: str
    title: str
    start_date: date
    end_date: date
    unit: UnitRef
    place: str
    organiser: AgencyRef
    co_organisers: list[AgencyRef]
    campaign: CampaignRef | None
    joint_topics: list[str]
    target_groups: list[str]
    language: str
    sessions: int | None
    participants: int | None
    participants_female: int | None
    participants_male: int | None
    broadcast_minutes: int | None
    articles: int | None
    posts: int | None
    page_visits: int | None
    pledges: int | None
    cost: int | None
    funding_source: str
    notes: str
    materials: list[MaterialOut]
    created_at: datetime
    updated_at: datetime


class ActivityDetailOut(ActivityOut):
    can_edit: bool = Field(description="Whether this user may PATCH the activity.")


class ActivityList(Schema):
    items: list[ActivityOut]
    count: int
    page: int
    page_size: int
    totals: TotalsOut = Field(description="The whole filter (every page), each activity once.")


class ActivityFilters(CleanSchema):
    campaign: UUID | None = Field(None, description="Campaign id.")
    date_from: date | None = Field(None, description="Activities ending on or after this day.")
    date_to: date | None = Field(None, description="Activities starting on or before this day.")
    unit: UnitCode = Field(
        "", description="Unit code as of date_to (default today), with the units below it and old units placed in it."
    )
    agency: UUID | None = Field(None, description="Agency id, as organiser or co-organiser.")
    activity_type: ActivityType | None = None
    target_group: TargetGroup | None = None


class ActivityListFilters(ActivityFilters):
    page: int = 1
    page_size: int = 50


class SummaryFilters(ActivityFilters):
    group_by: GROUP_BY
    level: int | None = Field(
        None,
        description="With group_by=unit: 1 province (default), 3 commune. Old units count where placed today.",
        json_schema_extra={"enum": [1, 3]},
    )

    @field_validator("level")
    @classmethod
    def _province_or_commune(cls, value):
        if value not in (None, 1, 3):
            raise ValueError(_("Choose one of the allowed values."))
        return value


# --- Prevention and reintegration models -----------------------------------------------------------


class PreventionModelIn(CleanSchema):
    name: str = Field(max_length=255)
    kind: ModelKindCode = ModelKind.PREVENTION.value
    unit: UnitCode = Field(description="Code of the unit valid on start_date.")
    agency: UUID = Field(description="Id of the agency running the model.")
    start_date: date
    beneficiaries: Count | None = None
    status: ModelStatusCode = ModelStatus.ACTIVE.value
    description: str = Field("", max_length=MAX_TEXT)


class PreventionModelOut(Schema):
    id: UUID
    name: str
    kind: str
    kind_label: str
    unit: UnitRef
    agency: AgencyRef
    start_date: date
    beneficiaries: int | None
    status: str
    status_label: str
    description: str
    created_at: datetime
    updated_at: datetime


class PreventionModelList(Schema):
    items: list[PreventionModelOut]
    count: int
    page: int
    page_size: int


class PreventionModelFilters(CleanSchema):
    unit: UnitCode = Field("", description="Unit code as of today, with the units below it.")
    status: ModelStatus | None = None
    kind: ModelKind | None = None
    page: int = 1
    page_size: int = 50
