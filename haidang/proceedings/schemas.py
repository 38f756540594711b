"""Input and output shapes of the criminal proceedings API.

Units are named by code (read as of the date detected), agencies and records by id, dates are
ISO 8601. Code lists (article, route, forms of exploitation, sex, age band, role) are the same
codes as the cases app uses. Errors name the field as sent.
"""

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema

from haidang.cases.models import Exploitation, Route, Sex
from haidang.cases.schemas import CountryCode, ExploitationCode, SexCode
from haidang.common.schemas import AgencyRef, CleanSchema, Day, UnitRef, code_of
from haidang.places.schemas import TerritoryFilter
from haidang.proceedings.models import AgeBand, Article, SuspectRole

ArticleCode = code_of(Article, description="150, or 151 when a victim is under 16.")
RouteCode = code_of(Route, blank=True)
AgeBandCode = code_of(AgeBand)
RoleCode = code_of(SuspectRole)


class PlacedUnitRef(UnitRef):
    current: bool = Field(description="False for a unit of the map before 01/07/2025.")
    placed_in: str = Field(description="Code of the current unit the record counts in.")


class CriminalCaseIn(CleanSchema):
    number: str = Field(max_length=60, description="The investigating agency's number; unique per agency and year.")
    article: ArticleCode
    detected_on: date
    prosecution_opened_on: date | None = None
    investigating_agency: UUID = Field(description="A police, Border Guard or Coast Guard agency in your area.")
    unit: str = Field(max_length=10, description="Code of the unit valid on detected_on.")
    route: RouteCode = ""
    destination_country: CountryCode = ""
    exploitation_forms: list[ExploitationCode] = Field(default_factory=list, max_length=len(Exploitation.values))


class CriminalCasePatch(CleanSchema):
    """Only the fields sent change; `version` is the one read (409 when stale)."""

    version: int = Field(description="The version read; a stale one answers 409 and nothing is written.")
    number: str = Field(None, max_length=60)
    article: ArticleCode = None
    detected_on: date = None
    prosecution_opened_on: date | None = None
    investigating_agency: UUID = None
    unit: str = Field(None, max_length=10)
    route: RouteCode = None
    destination_country: CountryCode = None
    exploitation_forms: list[ExploitationCode] = Field(None, max_length=len(Exploitation.values))


class SuspectIn(CleanSchema):
    full_name: str = Field(max_length=255)
    document_number: str = Field("", max_length=60)
    address: str = Field("", max_length=500)
    sex: SexCode = Sex.UNKNOWN
    birth_year: int | None = Field(None, description="When known the age band follows from it.")
    age_band: AgeBandCode = AgeBand.UNKNOWN
    nationality: CountryCode = "VNM"
    role: RoleCode
    prosecuted_on: date | None = None


class SuspectPatch(CleanSchema):
    version: int = Field(description="The version read; 409 `conflict` when someone saved since.")
    full_name: str = Field(None, max_length=255)
    document_number: str = Field(None, max_length=60)
    address: str = Field(None, max_length=500)
    sex: SexCode = None
    birth_year: int | None = None
    age_band: AgeBandCode = None
    nationality: CountryCode = None
    role: RoleCode = None
    prosecuted_on: date | None = None


class SuspectOut(Schema):
    id: UUID
    version: int = Field(description="Send it back with a change (PATCH); it grows with each change.")
    full_name: str = Field(description="Masked (•••) unless your role sees identities over this unit.")
    document_number: str
    address: str
    identities_shown: bool
    sex: str
    birth_year: int | None
    age_band: str
    nationality: str
    role: str
    role_label: str
    prosecuted_on: date | None


class SuspectList(Schema):
    items: list[SuspectOut]
    count: int


class VictimOut(Schema):
    case_id: UUID
    number: str
    status: str
    reception_date: date


class CriminalCaseOut(Schema):
    id: UUID
    number: str
    version: int
    article: str
    article_label: str
    detected_on: date
    prosecution_opened_on: date | None
    investigating_agency: AgencyRef
    unit: PlacedUnitRef
    route: str
    destination_country: str
    exploitation_forms: list[str]
    suspect_count: int
    created_at: datetime
    updated_at: datetime


class CriminalCaseDetailOut(CriminalCaseOut):
    suspects: list[SuspectOut]
    victims: list[VictimOut] = Field(description="Linked victim cases you may see.")
    hidden_victims: int = Field(description="Linked victim cases you may not see (counted, never shown).")
    can_edit: bool


class CriminalCaseList(Schema):
    items: list[CriminalCaseOut]
    count: int
    page: int
    page_size: int


class CriminalCaseFilters(TerritoryFilter):
    article: ArticleCode | None = None
    detected_from: Day | None = None
    detected_to: Day | None = None
    prosecuted: bool | None = Field(None, description="true: opened for prosecution; false: not yet.")
    number: str = Field("", max_length=60, description="Part of the case number.")
    page: int = 1
    page_size: int = 50


class VictimLinkIn(CleanSchema):
    case_number: str = Field(max_length=20, description="The victim case's number (e.g. 01-2026-000012).")
