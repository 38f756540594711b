"""API: prevention campaigns, activities (with totals and summaries) and community models.

Records and writes need the prevention capability in the user's scope; summaries are open to
holders of statistics rights too (an analyst gets summaries, never the list of records). Out of
scope answers 404 exactly like missing. A joint activity counts once in every total and is
credited to each organiser in summaries by agency.
"""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from haidang.access import selectors as access_selectors
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.common.api import ApiError, ErrorOut, invalid, not_found, paginate
from haidang.common.schemas import agency_ref, unit_ref
from haidang.prevention import selectors, services
from haidang.prevention.models import MEASURE_FIELDS, Activity, Campaign, PreventionModel
from haidang.prevention.schemas import (
    ActivityDetailOut,
    ActivityFilters,
    ActivityIn,
    ActivityList,
    ActivityListFilters,
    ActivityPatch,
    CampaignFilters,
    CampaignIn,
    CampaignList,
    CampaignOut,
    PreventionModelFilters,
    PreventionModelIn,
    PreventionModelList,
    PreventionModelOut,
    SummaryFilters,
    SummaryOut,
)

router = Router(tags=["prevention"])

MANAGE = Capability.MANAGE_PREVENTION
STATISTICS = Capability.VIEW_STATISTICS



def _require(request, *capabilities: str) -> None:
    scope = scope_for(request.user)
    if not any(scope.can(capability) for capability in capabilities):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))


# --- Output ----------------------------------------------------------------------------------------


def _whole(value) -> int | None:
    return None if value is None else int(value)


def _totals_out(totals: dict) -> dict:
    out = {name: int(totals.get(name) or 0) for name in ("activities", *MEASURE_FIELDS)}
    materials = totals.get("materials") or {}
    out["materials"] = {
        kind: {"produced": int(v.get("produced") or 0), "distributed": int(v.get("distributed") or 0)}
        for kind, v in materials.items()
    }
    return out


def _campaign_out(campaign: Campaign) -> dict:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "theme": campaign.theme,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "issuing_unit": unit_ref(campaign.issuing_unit),
        "issuing_agency": agency_ref(campaign.issuing_agency),
        "directive_number": campaign.directive_number,
        "target_units": [unit_ref(unit) for unit in campaign.target_units.all()],
        "created_at": campaign.created_at,
        "updated_at": campaign.updated_at,
    }


def _activity_out(activity: Activity) -> dict:
    return {
        "id": activity.id,
        "version": activity.version,
        "activity_type": activity.activity_type,
        "activity_type_label": str(activity.get_activity_type_display()),
        "title": activity.title,
        "start_date": activity.start_date,
        "end_date": activity.end_date,
        "unit": unit_ref(activity.unit),
        "place": activity.place,
        "organiser": agency_ref(activity.organiser),
        "co_organisers": [agency_ref(agency) for agency in activity.co_organisers.all()],
        "campaign": {"id": activity.campaign.id, "name": activity.campaign.name} if activity.campaign else None,
        "joint_topics": list(activity.joint_topics or []),
        "target_groups": list(activity.target_groups or []),
        "language": activity.language,
        **{name: getattr(activity, name) for name in MEASURE_FIELDS if name != "cost"},
        "cost": _whole(activity.cost),
        "funding_source": activity.funding_source,
        "notes": activity.notes,
        "materials": [
            {
                "kind": material.kind,
                "kind_label": str(material.get_kind_display()),
                "produced": material.produced,
                "distributed": material.distributed,
            }
            for material in activity.materials.all()
        ],
        "created_at": activity.created_at,
        "updated_at": activity.updated_at,
    }


def _activity_detail(request, activity: Activity) -> dict:
    # Read back through the scoped selector so the related rows come prefetched.
    fresh = selectors.get_activity_for_user(request.user, activity.pk) or activity
    return {**_activity_out(fresh), "can_edit": selectors.can_edit_activity(request.user, fresh)}


def _model_out(model: PreventionModel) -> dict:
    return {
        "id": model.id,
        "name": model.name,
        "kind": model.kind,
        "kind_label": str(model.get_kind_display()),
        "unit": unit_ref(model.unit),
        "agency": agency_ref(model.agency),
        "start_date": model.start_date,
        "beneficiaries": model.beneficiaries,
        "status": model.status,
        "status_label": str(model.get_status_display()),
        "description": model.description,
        "created_at": model.created_at,
        "updated_at": model.updated_at,
    }


# --- Input: codes and ids to records ---------------------------------------------------------------


def _unit(errors: dict, field: str, code: str, day) -> object | None:
    """The unit with `code` valid on `day`; a lookup failure is recorded on `field`."""
    try:
        return selectors.unit_for_entry(code, day)
    except ValidationError as error:
        errors.setdefault(field, []).extend(_messages(error))
        return None


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


def _agency(request, errors: dict, field: str, agency_id: UUID) -> object | None:
    agency = selectors.resolve_agency_for_user(request.user, agency_id)
    if agency is None:
        errors.setdefault(field, []).append(_("Not found."))
    return agency


def _agencies(request, errors: dict, field: str, agency_ids: list[UUID]) -> list:
    agencies = []
    for agency_id in dict.fromkeys(agency_ids):
        agency = selectors.resolve_agency_for_user(request.user, agency_id)
        if agency is None:
            errors.setdefault(field, []).append(_("Not found."))
        else:
            agencies.append(agency)
    return agencies


def _campaign(request, errors: dict, campaign_id: UUID | None) -> Campaign | None:
    if campaign_id is None:
        return None
    campaign = selectors.get_campaign_for_user(request.user, campaign_id)
    if campaign is None:
        errors.setdefault("campaign", []).append(_("Not found."))
    return campaign


def _materials(errors: dict, materials) -> list[dict]:
    rows = [{"kind": m.kind, "produced": m.produced, "distributed": m.distributed} for m in materials]
    kinds = [row["kind"] for row in rows]
    for kind in sorted({kind for kind in kinds if kinds.count(kind) > 1}):
        # The table holds one row per kind; say which kind came twice rather than fail on the constraint.
        errors.setdefault("materials", []).append(
            _("%(kind)s is given more than once; send one entry per kind.") % {"kind": kind}
        )
    return rows


def _activity_data(request, payload, *, present: set[str], day) -> dict:
    """Service data from the fields present in the payload; ids and codes resolved, or a 400."""
    errors: dict[str, list[str]] = {}
    data: dict = {}
    for name in present - {"version", "unit", "organiser", "co_organisers", "campaign", "materials"}:
        data[name] = getattr(payload, name)
    if "unit" in present:
        data["unit"] = _unit(errors, "unit", payload.unit, day) if payload.unit is not None else None
    if "organiser" in present:
        data["organiser"] = (
            _agency(request, errors, "organiser", payload.organiser) if payload.organiser is not None else None
        )
    if "co_organisers" in present:
        data["co_organisers"] = _agencies(request, errors, "co_organisers", payload.co_organisers)
    if "campaign" in present:
        data["campaign"] = _campaign(request, errors, payload.campaign)
    if "materials" in present:
        data["materials"] = _materials(errors, payload.materials)
    if errors:
        raise invalid(errors)
    return data


def _filtered_activities(request, queryset, filters: ActivityFilters):
    """Apply the list/summary filters; a bad code or unknown id answers 400 naming the filter."""
    errors: dict[str, list[str]] = {}
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        errors["date_to"] = [_("The end must come after the start.")]
    unit = None
    if filters.unit.strip():
        unit = _unit(errors, "unit", filters.unit, filters.date_to or timezone.localdate())
    campaign = None
    if filters.campaign is not None:
        campaign = _campaign(request, errors, filters.campaign)
    agency = None
    if filters.agency is not None:
        agency = access_selectors.get_agency_for_user(request.user, filters.agency)
        if agency is None:
            if scope_for(request.user).can(Capability.VIEW_AGENCIES):
                errors["agency"] = [_("Not found.")]
            else:
                # Statistics-only users see no agency records; the id only narrows their scoped activities.
                agency = filters.agency
    if errors:
        raise invalid(errors)
    return selectors.filter_activities(
        queryset,
        campaign=campaign,
        date_from=filters.date_from,
        date_to=filters.date_to,
        unit=unit,
        agency=agency,
        activity_type=filters.activity_type.value if filters.activity_type else "",
        target_group=filters.target_group.value if filters.target_group else "",
    )


# --- Campaigns -------------------------------------------------------------------------------------


@router.get(
    "/campaigns",
    response={200: CampaignList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Campaigns issued in the user's area or above it, newest first",
)
def list_campaigns(request, filters: Query[CampaignFilters]):
    _require(request, MANAGE)
    queryset = selectors.campaigns_visible_to(request.user).prefetch_related("target_units")
    if filters.active_on is not None:
        queryset = queryset.filter(start_date__lte=filters.active_on, end_date__gte=filters.active_on)
    return paginate(queryset, filters.page, filters.page_size, _campaign_out)


@router.post(
    "/campaigns",
    response={201: CampaignOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Record a campaign (target units by code, valid on its start date)",
)
def create_campaign(request, payload: CampaignIn):
    _require(request, MANAGE)
    errors: dict[str, list[str]] = {}
    agency = _agency(request, errors, "issuing_agency", payload.issuing_agency)
    targets = [_unit(errors, "target_units", code, payload.start_date) for code in dict.fromkeys(payload.target_units)]
    if errors:
        raise invalid(errors)
    campaign = services.create_campaign(
        actor=request.user,
        data={
            "name": payload.name,
            "theme": payload.theme,
            "start_date": payload.start_date,
            "end_date": payload.end_date,
            "issuing_agency": agency,
            "directive_number": payload.directive_number,
            "target_units": targets,
        },
    )
    return Status(201, _campaign_out(campaign))


@router.get(
    "/campaigns/{campaign_id}",
    response={200: CampaignOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One campaign (404 when missing or outside the user's area)",
)
def get_campaign(request, campaign_id: UUID):
    _require(request, MANAGE)
    campaign = selectors.get_campaign_for_user(request.user, campaign_id)
    if campaign is None:
        raise not_found()
    return _campaign_out(campaign)


# --- Activities ------------------------------------------------------------------------------------

FILTERS_DESCRIPTION = (
    "Filters: `campaign` (id), `date_from`/`date_to` (ISO dates; an activity counts when it overlaps the "
    "period), `unit` (code as of `date_to`, default today, with the units below it and old units the "
    "crosswalk places in it), `agency` (id; organiser or co-organiser), `activity_type`, `target_group`."
)


@router.get(
    "/activities",
    response={200: ActivityList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Activities in the user's area, newest first, with totals for the whole filter",
    description=FILTERS_DESCRIPTION + " `totals` covers every page and counts a joint activity once.",
)
def list_activities(request, filters: Query[ActivityListFilters]):
    _require(request, MANAGE)
    queryset = _filtered_activities(request, selectors.activities_visible_to(request.user), filters)
    page = paginate(queryset, filters.page, filters.page_size, _activity_out)
    page["totals"] = _totals_out(selectors.activity_totals(queryset))
    return page


@router.post(
    "/activities",
    response={201: ActivityDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Record an activity (unit by code valid on start_date; agencies and campaign by id)",
)
def create_activity(request, payload: ActivityIn):
    _require(request, MANAGE)
    fields = set(ActivityIn.model_fields)
    data = _activity_data(request, payload, present=fields, day=payload.start_date)
    activity = services.create_activity(actor=request.user, data=data)
    return Status(201, _activity_detail(request, activity))


# Before /activities/{activity_id}, so that "summary" is not read as an id.
@router.get(
    "/activities/summary",
    response={200: SummaryOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Totals of the filtered activities grouped by campaign, unit, agency, type or period",
    description=FILTERS_DESCRIPTION
    + " `group_by`: campaign, unit, agency, type, month, quarter or year; `level` (with unit): 1 province, "
    "3 commune. A joint activity is credited to each organiser in rows by agency and counted once in `totals`. "
    "Open to prevention staff and to holders of statistics rights.",
)
def summarise_activities(request, filters: Query[SummaryFilters]):
    _require(request, MANAGE, STATISTICS)
    queryset = _filtered_activities(request, selectors.activities_for_statistics(request.user), filters)
    level = filters.level if filters.group_by == "unit" else None
    rows = selectors.summarise_activities(queryset, filters.group_by, level=level)
    return {
        "group_by": filters.group_by,
        "level": (level or 1) if filters.group_by == "unit" else None,
        "rows": [{"key": row["key"], "label": row["label"], **_totals_out(row)} for row in rows],
        "totals": _totals_out(selectors.activity_totals(queryset)),
    }


@router.get(
    "/activities/{activity_id}",
    response={200: ActivityDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One activity (404 when missing or outside the user's area)",
)
def get_activity(request, activity_id: UUID):
    _require(request, MANAGE)
    activity = selectors.get_activity_for_user(request.user, activity_id)
    if activity is None:
        raise not_found()
    return _activity_detail(request, activity)


@router.patch(
    "/activities/{activity_id}",
    response={200: ActivityDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Change an activity: only the fields sent, with the version read (409 when someone saved since)",
    description="Send `version` as read. When the activity changed since, nothing is written and the answer is "
    "409 `conflict` with the current version in `fields.current_version`. Lists (co_organisers, joint_topics, "
    "target_groups, materials) are replaced whole when sent.",
)
def update_activity(request, activity_id: UUID, payload: ActivityPatch):
    _require(request, MANAGE)
    activity = selectors.get_activity_for_user(request.user, activity_id)
    if activity is None:
        raise not_found()
    if not selectors.can_edit_activity(request.user, activity):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))
    day = payload.start_date or activity.start_date
    data = _activity_data(request, payload, present=set(payload.model_fields_set), day=day)
    activity = services.update_activity(actor=request.user, activity=activity, version=payload.version, data=data)
    return _activity_detail(request, activity)


# --- Prevention and reintegration models -----------------------------------------------------------


@router.get(
    "/prevention-models",
    response={200: PreventionModelList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Prevention and reintegration models in the user's area",
    description="Filters: `unit` (code as of today, with the units below it and old units placed in it), "
    "`status`, `kind`.",
)
def list_prevention_models(request, filters: Query[PreventionModelFilters]):
    _require(request, MANAGE)
    queryset = selectors.prevention_models_visible_to(request.user)
    if filters.unit.strip():
        errors: dict[str, list[str]] = {}
        unit = _unit(errors, "unit", filters.unit, timezone.localdate())
        if errors:
            raise invalid(errors)
        queryset = queryset.filter(unit__placement_path__startswith=unit.scope_path)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status.value)
    if filters.kind is not None:
        queryset = queryset.filter(kind=filters.kind.value)
    return paginate(queryset, filters.page, filters.page_size, _model_out)


@router.post(
    "/prevention-models",
    response={201: PreventionModelOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Record a prevention or reintegration model (unit by code valid on its start date)",
)
def create_prevention_model(request, payload: PreventionModelIn):
    _require(request, MANAGE)
    errors: dict[str, list[str]] = {}
    unit = _unit(errors, "unit", payload.unit, payload.start_date)
    agency = _agency(request, errors, "agency", payload.agency)
    if errors:
        raise invalid(errors)
    model = services.create_prevention_model(
        actor=request.user,
        data={
            "name": payload.name,
            "kind": payload.kind,
            "unit": unit,
            "agency": agency,
            "start_date": payload.start_date,
            "beneficiaries": payload.beneficiaries,
            "status": payload.status,
            "description": payload.description,
        },
    )
    return Status(201, _model_out(model))
