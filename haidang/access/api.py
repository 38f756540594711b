"""API: bearer tokens, the signed-in user, agencies."""

from datetime import date
from uuid import UUID

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer

from haidang.access import selectors, services
from haidang.access.models import Agency
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.common.api import ApiError, ErrorOut, not_found, paginate
from haidang.common.schemas import CleanSchema
from haidang.places.schemas import TerritoryFilter
from haidang.places.territory import API_NOTE as TERRITORY_NOTE
from haidang.places.territory import territory_of

router = Router(tags=["access"])


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = services.user_for_api_token(token)
        if user is None:
            return None
        request.user = user
        return user


class TokenIn(CleanSchema):
    username: str
    password: str
    otp: str = ""


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: str


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    summary="Exchange user name, password and (where required) a TOTP code for a bearer token",
)
def create_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise ApiError(429, "locked_out", _("Too many failed sign-in attempts. Try again later."))
    if user is None:
        raise ApiError(401, "invalid_credentials", _("The user name or password is not correct."))
    if scope_for(user).needs_two_factor:
        if not services.has_confirmed_device(user):
            raise ApiError(
                401,
                "two_factor_enrolment_required",
                _("Your role requires two-factor sign-in: set it up on the web page first."),
            )
        if not payload.otp:
            raise ApiError(
                401,
                "otp_required",
                _("Your role requires a one-time code from your authenticator."),
                {"otp": [_("This field is required.")]},
            )
        if services.verify_second_factor(user, payload.otp) is None:
            raise ApiError(
                401,
                "invalid_otp",
                _("The one-time code is not correct."),
                {"otp": [_("The one-time code is not correct.")]},
            )
    raw, token = services.issue_api_token(user=user)
    # A full sign-in, as on the web page: django-axes clears the failed attempts on this signal (and
    # the last sign-in time is set), so earlier typos do not count towards the next lockout.
    user_logged_in.send(sender=type(user), request=request, user=user)
    return {"token": raw, "expires_at": token.expires_at.isoformat()}


@router.delete(
    "/auth/token",
    response={204: None, 401: ErrorOut},
    summary="Revoke the bearer token this call was made with (sign out of the API)",
)
def revoke_token(request):
    raw = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    services.revoke_api_token(user=request.user, raw=raw)
    return Status(204, None)


class MembershipOut(Schema):
    id: UUID
    role: str
    role_label: str
    agency_id: UUID
    agency_name: str
    unit_code: str
    unit_name: str


class MeOut(Schema):
    id: UUID
    username: str
    full_name: str
    memberships: list[MembershipOut]
    capabilities: list[str]
    two_factor_required: bool


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The signed-in user, memberships and capabilities")
def me(request):
    user = request.user
    scope = scope_for(user)
    memberships = selectors.memberships_of(user)
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "memberships": [
            {
                "id": m.id,
                "role": m.role,
                "role_label": str(m.get_role_display()),
                "agency_id": m.agency_id,
                "agency_name": m.agency.name,
                "unit_code": m.unit.code,
                "unit_name": m.unit.name,
            }
            for m in memberships
        ],
        "capabilities": sorted(scope.capabilities),
        "two_factor_required": scope.needs_two_factor,
    }


class AgencyOut(Schema):
    id: UUID
    name: str
    short_name: str
    agency_type: str
    agency_type_label: str
    unit_code: str
    unit_name: str
    parent_id: UUID | None
    is_active: bool
    valid_from: date | None = Field(None, description="The first day the agency existed under this name, if known.")
    valid_to: date | None = Field(None, description="Its last day (bodies of the map before 01/07/2025).")


class AgencyList(Schema):
    items: list[AgencyOut]
    count: int
    page: int
    page_size: int


class AgencyFilters(TerritoryFilter):
    q: str = ""
    agency_type: str = ""
    page: int = 1
    page_size: int = 50


def _agency_out(agency: Agency) -> dict:
    return {
        "id": agency.id,
        "name": agency.name,
        "short_name": agency.short_name,
        "agency_type": agency.agency_type,
        "agency_type_label": str(agency.get_agency_type_display()),
        "unit_code": agency.unit.code,
        "unit_name": agency.unit.name,
        "parent_id": agency.parent_id,
        "is_active": agency.is_active,
        "valid_from": agency.valid_from,
        "valid_to": agency.valid_to,
    }


@router.get(
    "/agencies",
    response={200: AgencyList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Agencies the user may see (their units' subtree and the units above)",
    description="Filters: `q` (part of the name, with or without diacritics), `agency_type`, `unit` and `as_of`: "
    "the agencies of the unit and of the units below it. " + TERRITORY_NOTE,
)
def list_agencies(request, filters: Query[AgencyFilters]):
    if not scope_for(request.user).can(Capability.VIEW_AGENCIES):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))
    territory = territory_of(filters.unit, filters.as_of)
    queryset = selectors.agencies_visible_to(request.user)
    queryset = selectors.filter_agencies(queryset, q=filters.q, agency_type=filters.agency_type, territory=territory)
    return paginate(queryset, filters.page, filters.page_size, _agency_out)


@router.get(
    "/agencies/{agency_id}",
    response={200: AgencyOut, 401: ErrorOut, 404: ErrorOut},
    summary="One agency (404 when missing or outside the user's scope)",
)
def get_agency(request, agency_id: UUID):
    agency = selectors.agencies_visible_to(request.user).filter(pk=agency_id).first()
    if agency is None:
        raise not_found()
    return _agency_out(agency)
