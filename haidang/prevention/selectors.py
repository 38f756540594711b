"""Scoped reads of prevention work, and the totals and summaries that reports pre-fill from.

Counting rule: a joint activity is one activity in every total; in per-agency figures it is
credited in full to its organiser and to each co-organiser.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.models import Agency, Membership
from haidang.access.roles import ROLE_CAPABILITIES, Capability
from haidang.access.scope import scope_for
from haidang.access.selectors import agencies_visible_to
from haidang.places.errors import UnitLookupError
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.selectors import resolve_unit
from haidang.places.territory import Territory
from haidang.prevention.models import (
    MEASURE_FIELDS,
    Activity,
    ActivityMaterial,
    ActivityType,
    Campaign,
    MaterialKind,
    PreventionModel,
)

VIEW = Capability.MANAGE_PREVENTION
GROUPINGS = ("campaign", "unit", "agency", "type", "month", "quarter", "year")


def _ancestor_ids(paths: list[str]) -> set[int]:
    return {int(part) for path in paths for part in path.strip("/").split("/") if part}


# --- Records ----------------------------------------------------------------------------------


def activities_visible_to(user, capability: str = VIEW) -> QuerySet[Activity]:
    base = Activity.objects.select_related("unit", "unit__placement", "organiser", "campaign").prefetch_related(
        "co_organisers", Prefetch("materials", queryset=ActivityMaterial.objects.order_by("kind"))
    )
    return scope_for(user).filter(base, capability)


def activities_for_statistics(user) -> QuerySet[Activity]:
    """Activities behind the summaries: prevention staff and holders of statistics rights."""
    scope = scope_for(user)
    conditions = [q for q in (scope.unit_q(VIEW), scope.unit_q(Capability.VIEW_STATISTICS)) if q is not None]
    if not conditions:
        return Activity.objects.none()
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return Activity.objects.filter(combined)


def get_activity_for_user(user, activity_id) -> Activity | None:
    try:
        return activities_visible_to(user).filter(pk=activity_id).first()
    except ValidationError:  # not a UUID
        return None


def can_edit_activity(user, activity: Activity) -> bool:
    """The organiser's own staff may edit, and so may a coordinator over the unit."""
    scope = scope_for(user)
    if not scope.covers_unit(activity.unit, VIEW):
        return False
    if any(entry.agency_id == activity.organiser_id for entry in scope.entries):
        return True
    return bool({"province_coordinator", "national_coordinator"} & set(scope.roles))


def filter_activities(
    queryset: QuerySet,
    *,
    campaign: Campaign | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    territory: Territory | None = None,
    agency: Agency | None = None,
    activity_type: str = "",
    target_group: str = "",
) -> QuerySet:
    if campaign is not None:
        queryset = queryset.filter(campaign=campaign)
    # An activity belongs to a period when it overlaps it.
    if date_from is not None:
        queryset = queryset.filter(end_date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(start_date__lte=date_to)
    if territory is not None:
        queryset = queryset.filter(territory.q("unit"))
    if agency is not None:
        queryset = queryset.filter(Q(organiser=agency) | Q(co_organisers=agency)).distinct()
    if activity_type:
        queryset = queryset.filter(activity_type=activity_type)
    if target_group:
        # JSON lists: a text match on the quoted code works the same on SQLite and PostgreSQL.
        ids = [pk for pk, groups in queryset.values_list("pk", "target_groups") if target_group in (groups or [])]
        queryset = queryset.filter(pk__in=ids)
    return queryset


def _empty_totals() -> dict:
    totals: dict = {"activities": 0}
    for name in MEASURE_FIELDS:
        totals[name] = Decimal(0) if name == "cost" else 0
    totals["materials"] = {kind: {"produced": 0, "distributed": 0} for kind in MaterialKind.values}
    return totals


def _add(totals: dict, row: dict, materials: list[dict]) -> None:
    totals["activities"] += 1
    for name in MEASURE_FIELDS:
        if row.get(name) is not None:
            totals[name] += row[name]
    for material in materials:
        bucket = totals["materials"][material["kind"]]
        bucket["produced"] += material["produced"] or 0
        bucket["distributed"] += material["distributed"] or 0


def _rows(queryset: QuerySet) -> tuple[list[dict], dict]:
    """One plain row per distinct activity, and its materials by activity id (two queries)."""
    ids = queryset.order_by().values("pk").distinct()
    rows = list(
        Activity.objects.filter(pk__in=ids).values(
            "pk",
            "activity_type",
            "start_date",
            "campaign_id",
            "campaign__name",
            "organiser_id",
            "organiser__name",
            "unit__placement_path",
            *MEASURE_FIELDS,
        )
    )
    materials: dict = defaultdict(list)
    for material in ActivityMaterial.objects.filter(activity__in=ids).values(
        "activity_id", "kind", "produced", "distributed"
    ):
        materials[material["activity_id"]].append(material)
    return rows, materials


def activity_totals(queryset: QuerySet) -> dict:
    rows, materials = _rows(queryset)
    totals = _empty_totals()
    for row in rows:
        _add(totals, row, materials[row["pk"]])
    return totals


def _unit_at_level(placement_path: str, level: int) -> int | None:
    # Paths of today's map are '/nation/province/commune/': the level-th key is the ancestor.
    parts = [int(part) for part in placement_path.strip("/").split("/") if part]
    index = 1 if level == UnitLevel.PROVINCE else 2
    return parts[index] if len(parts) > index else None


def summarise_activities(queryset: QuerySet, group_by: str, *, level: int | None = None) -> list[dict]:
    """Totals per group, largest first; rows are {"key", "label", "activities", measures..., "materials"}."""
    if group_by not in GROUPINGS:
        raise ValueError(group_by)
    rows, materials = _rows(queryset)
    groups: dict = {}
    labels: dict = {}
    extra_credit: dict = defaultdict(list)
    if group_by == "agency":
        links = Activity.co_organisers.through.objects.filter(activity_id__in=[row["pk"] for row in rows])
        for link in links.values("activity_id", "agency_id", "agency__name"):
            extra_credit[link["activity_id"]].append(link["agency_id"])
            labels[link["agency_id"]] = link["agency__name"]
    unit_level = level or UnitLevel.PROVINCE
    for row in rows:
        if group_by == "campaign":
            keys = [row["campaign_id"]]
            labels[row["campaign_id"]] = row["campaign__name"] or _("No campaign")
        elif group_by == "agency":
            keys = list(dict.fromkeys([row["organiser_id"], *extra_credit[row["pk"]]]))
            labels[row["organiser_id"]] = row["organiser__name"]
        elif group_by == "unit":
            keys = [_unit_at_level(row["unit__placement_path"], unit_level)]
        elif group_by == "type":
            keys = [row["activity_type"]]
            labels[row["activity_type"]] = str(ActivityType(row["activity_type"]).label)
        elif group_by == "month":
            keys = [f"{row['start_date']:%Y-%m}"]
            labels[keys[0]] = f"{row['start_date']:%m/%Y}"
        elif group_by == "quarter":
            quarter = (row["start_date"].month - 1) // 3 + 1
            keys = [f"{row['start_date'].year}-Q{quarter}"]
            labels[keys[0]] = _("Quarter %(quarter)s/%(year)s") % {"quarter": quarter, "year": row["start_date"].year}
        else:
            keys = [str(row["start_date"].year)]
            labels[keys[0]] = keys[0]
        for key in keys:
            if key not in groups:
                groups[key] = _empty_totals()
            _add(groups[key], row, materials[row["pk"]])
    if group_by == "unit":
        units = {
            pk: (code, name)
            for pk, code, name in AdministrativeUnit.objects.filter(pk__in=[key for key in groups if key]).values_list(
                "pk", "code", "name"
            )
        }
        groups = {units[key][0] if key else "": totals for key, totals in groups.items()}
        labels = {code: name for code, name in units.values()}
        labels[""] = _("Above commune level")
    result = [
        {"key": str(key) if key is not None else "", "label": str(labels.get(key, "")), **totals}
        for key, totals in groups.items()
    ]
    if group_by in ("month", "quarter", "year"):
        return sorted(result, key=lambda item: item["key"])
    return sorted(result, key=lambda item: (-item["activities"], item["label"]))


# --- Campaigns and models -----------------------------------------------------------------------


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """Campaigns issued in the user's area, or above it (a province's campaign reaches its communes)."""
    scope = scope_for(user)
    base = Campaign.objects.select_related("issuing_unit", "issuing_agency").order_by("-start_date", "name")
    paths = scope.paths_for(VIEW) or scope.paths_for(Capability.VIEW_STATISTICS)
    if not paths:
        return base.none()
    condition = Q()
    for path in paths:
        condition |= Q(issuing_unit__placement_path__startswith=path)
    return base.filter(condition | Q(issuing_unit_id__in=_ancestor_ids(paths)))


def get_campaign_for_user(user, campaign_id) -> Campaign | None:
    try:
        return campaigns_visible_to(user).filter(pk=campaign_id).first()
    except ValidationError:
        return None


def prevention_models_visible_to(user) -> QuerySet[PreventionModel]:
    base = PreventionModel.objects.select_related("unit", "agency").order_by("name")
    return scope_for(user).filter(base, VIEW)


# --- Entry helpers --------------------------------------------------------------------------------


def agencies_for_entry(user) -> QuerySet[Agency]:
    """Agencies a user may name as organiser or co-organiser: the active ones they can see."""
    return agencies_visible_to(user).filter(is_active=True)


def resolve_agency_for_user(user, agency_id) -> Agency | None:
    try:
        return agencies_for_entry(user).filter(pk=agency_id).first()
    except ValidationError:
        return None


def unit_for_entry(code: str, day: date) -> AdministrativeUnit:
    """The unit with `code` valid on `day`, or a ValidationError on "unit" that says why not."""
    try:
        return resolve_unit((code or "").strip(), day)
    except UnitLookupError as error:
        raise ValidationError({"unit": [str(error)]}) from None


def entry_defaults(user) -> dict:
    """Quick-form defaults: the user's own unit and agency, and the campaign running today."""
    membership = (
        Membership.objects.filter(user=user, is_active=True, role__in=_prevention_roles())
        .select_related("unit", "agency")
        .order_by("created_at")
        .first()
    )
    today = timezone.localdate()
    campaign = (
        campaigns_visible_to(user).filter(start_date__lte=today, end_date__gte=today).order_by("-start_date").first()
    )
    return {
        "unit": membership.unit if membership else None,
        "organiser": membership.agency if membership else None,
        "campaign": campaign,
        "start_date": today,
    }


def _prevention_roles() -> list[str]:
    return [role for role, caps in ROLE_CAPABILITIES.items() if VIEW in caps]
