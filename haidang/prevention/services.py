"""Writes for prevention work: one function per action, each validated, atomic and audited.

Validation answers with a dict {field: [message]} so every form and the API can name the field.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.common.errors import StaleVersionError
from haidang.common.text import clean_text
from haidang.places.errors import format_day
from haidang.places.selectors import validate_unit_on
from haidang.prevention.models import (
    MEASURE_FIELDS,
    Activity,
    ActivityAttachment,
    ActivityMaterial,
    ActivityType,
    Campaign,
    FundingSource,
    JointTopic,
    MaterialKind,
    ModelKind,
    ModelStatus,
    PreventionModel,
    TargetGroup,
)
from haidang.prevention.selectors import agencies_for_entry, can_edit_activity

# Records of work done may be planned a little ahead, never years ahead (a mistyped year).
MAX_DAYS_AHEAD = 366
EARLIEST_DAY = date(2000, 1, 1)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

SCALAR_FIELDS = (
    "activity_type",
    "title",
    "start_date",
    "end_date",
    "unit",
    "place",
    "organiser",
    "campaign",
    "joint_topics",
    "target_groups",
    "language",
    "funding_source",
    "notes",
    *MEASURE_FIELDS,
)
TEXT_FIELDS = ("title", "place", "language", "notes")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _check_dates(
    errors: dict,
    start: date | None,
    end: date | None,
    *,
    start_field="start_date",
    end_field="end_date",
    today: date | None = None,
):
    """`today`: the caller's, when it checks many rows (an import asks once)."""
    if start is None:
        errors.setdefault(start_field, []).append(_("This field is required."))
        return
    latest = (today or timezone.localdate()) + timedelta(days=MAX_DAYS_AHEAD)
    if start > latest:
        errors.setdefault(start_field, []).append(
            _("%(day)s is too far in the future; record activities up to %(latest)s.")
            % {"day": format_day(start), "latest": format_day(latest)}
        )
    if start < EARLIEST_DAY:
        errors.setdefault(start_field, []).append(
            _("%(day)s is before %(earliest)s; check the year.")
            % {"day": format_day(start), "earliest": format_day(EARLIEST_DAY)}
        )
    if end is not None and end < start:
        errors.setdefault(end_field, []).append(
            _("The end date %(end)s is before the start date %(start)s.")
            % {"end": format_day(end), "start": format_day(start)}
        )


def _validate_codes(errors: dict, field: str, values, allowed) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        errors.setdefault(field, []).append(_("Choose one or more of the allowed values."))
        return []
    unknown = [str(value) for value in values if value not in allowed.values]
    if unknown:
        errors.setdefault(field, []).append(_("Unknown values: %(values)s.") % {"values": ", ".join(unknown)})
    return list(dict.fromkeys(value for value in values if value in allowed.values))


def _check_activity_unit(errors: dict, actor, unit, start: date | None) -> None:
    """The unit is required, valid on the start day and inside the user's area."""
    if unit is None:
        errors.setdefault("unit", []).append(_("This field is required."))
    elif start is not None and "start_date" not in errors:
        try:
            validate_unit_on(unit, start, field="unit")
        except ValidationError as error:
            errors.setdefault("unit", []).extend(error.message_dict.get("unit", error.messages))
        if "unit" not in errors and not scope_for(actor).covers_unit(unit, Capability.MANAGE_PREVENTION):
            errors["unit"] = [_("%(unit)s is outside your area.") % {"unit": unit.name}]


def _check_measures(errors: dict, values: dict) -> None:
    """Counts are zero or more; participants at least the sessions, and at least women and men together."""
    for name in MEASURE_FIELDS:
        value = values.get(name)
        if value is not None and value < 0:
            errors.setdefault(name, []).append(_("Enter zero or more, not %(value)s.") % {"value": value})
    sessions, participants = values.get("sessions"), values.get("participants")
    if sessions is not None and participants is not None and sessions >= 0 and participants < sessions:
        errors.setdefault("participants", []).append(
            _("%(participants)s participants is fewer than the %(sessions)s sessions held.")
            % {"participants": participants, "sessions": sessions}
        )
    female, male = values.get("participants_female"), values.get("participants_male")
    if participants is not None and (female or 0) + (male or 0) > participants:
        errors.setdefault("participants_female", []).append(
            _("Women and men together (%(sum)s) exceed the participants (%(participants)s).")
            % {"sum": (female or 0) + (male or 0), "participants": participants}
        )


def _check_campaign(errors: dict, campaign, start: date | None, end: date | None) -> None:
    dated = campaign is not None and start is not None and end is not None
    if dated and (start > campaign.end_date or end < campaign.start_date):
        errors.setdefault("campaign", []).append(
            _("The activity's dates fall outside the campaign (%(start)s–%(end)s).")
            % {"start": format_day(campaign.start_date), "end": format_day(campaign.end_date)}
        )


def _check_materials(errors: dict, materials: list[dict] | None) -> None:
    for material in materials or []:
        if material.get("kind") not in MaterialKind.values:
            errors.setdefault("materials", []).append(
                _("Unknown material kind: %(kind)s.") % {"kind": material.get("kind")}
            )
        for key in ("produced", "distributed"):
            value = material.get(key)
            if value is not None and value < 0:
                errors.setdefault("materials", []).append(
                    _("Enter zero or more for %(kind)s, not %(value)s.")
                    % {"kind": material.get("kind"), "value": value}
                )


def _check_organisers(errors: dict, actor, organiser, co_organisers) -> None:
    # Organisers must be agencies the user may name (their area and the units above it).
    nameable = set(agencies_for_entry(actor).values_list("pk", flat=True))
    if organiser is not None and organiser.pk not in nameable:
        errors.setdefault("organiser", []).append(
            _("%(agency)s is not an agency you can name.") % {"agency": organiser.name}
        )
    outsiders = [agency.name for agency in co_organisers or [] if agency.pk not in nameable]
    if outsiders:
        errors.setdefault("co_organisers", []).append(
            _("Not agencies you can name: %(names)s.") % {"names": ", ".join(outsiders)}
        )
    if co_organisers and organiser in co_organisers:
        errors.setdefault("co_organisers", []).append(_("The organiser cannot also be a co-organiser."))


def _check_organisers_existed(errors: dict, organiser, co_organisers, start) -> None:
    """A 2024 activity names the bodies of its day (a district People's Committee), not today's."""
    if not isinstance(start, date):
        return
    if organiser is not None and not organiser.is_valid_on(start):
        errors.setdefault("organiser", []).append(
            _("%(agency)s did not exist on %(day)s.") % {"agency": organiser.name, "day": format_day(start)}
        )
    gone = [agency.name for agency in co_organisers or [] if not agency.is_valid_on(start)]
    if gone:
        errors.setdefault("co_organisers", []).append(
            _("These agencies did not exist on %(day)s: %(names)s.")
            % {"day": format_day(start), "names": ", ".join(gone)}
        )


def _validate_activity(actor, values: dict, materials: list[dict] | None, co_organisers) -> None:
    errors: dict[str, list[str]] = {}
    if values.get("activity_type") not in ActivityType.values:
        errors["activity_type"] = [_("Choose an activity type from the list.")]
    if not values.get("title"):
        errors["title"] = [_("This field is required.")]
    start, end = values.get("start_date"), values.get("end_date")
    _check_dates(errors, start, end)
    _check_activity_unit(errors, actor, values.get("unit"), start)
    if values.get("organiser") is None:
        errors.setdefault("organiser", []).append(_("This field is required."))
    _check_measures(errors, values)
    if values.get("funding_source") and values["funding_source"] not in FundingSource.values:
        errors["funding_source"] = [_("Choose a funding source from the list.")]
    _check_campaign(errors, values.get("campaign"), start, end)
    _check_materials(errors, materials)
    _check_organisers(errors, actor, values.get("organiser"), co_organisers)
    _check_organisers_existed(errors, values.get("organiser"), co_organisers, start)
    if errors:
        raise ValidationError(errors)


def _normalised(data: dict) -> dict:
    values = {}
    for name in SCALAR_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in TEXT_FIELDS:
            value = clean_text(value) if name != "notes" else (value or "").strip()
        if name == "cost" and value is not None and not isinstance(value, Decimal):
            try:
                value = Decimal(str(value))
            except InvalidOperation:
                raise ValidationError({"cost": [_("Enter a number.")]}) from None
        values[name] = value
    return values


def _save_materials(activity: Activity, materials: list[dict]) -> None:
    activity.materials.all().delete()
    ActivityMaterial.objects.bulk_create(
        ActivityMaterial(
            activity=activity, kind=m["kind"], produced=m.get("produced"), distributed=m.get("distributed")
        )
        for m in materials
        if m.get("produced") is not None or m.get("distributed") is not None
    )


_SUMMARY_FIELDS = ("activity_type", "start_date", "organiser_id", "sessions", "participants")


def _summary(activity: Activity) -> dict:
    return summary_of({name: getattr(activity, name) for name in _SUMMARY_FIELDS}, activity.unit)


def summary_of(values: Mapping, unit) -> dict:
    """What an activity's audit entry records, from its values by attname (a bulk insert builds no instance)."""
    return {
        "activity_type": values["activity_type"],
        "start_date": values["start_date"],
        "unit": unit.code,
        "organiser": values["organiser_id"],
        **{name: values.get(name) for name in ("sessions", "participants")},
    }


@transaction.atomic
def create_activity(*, actor, data: dict) -> Activity:
    _require(scope_for(actor).can(Capability.MANAGE_PREVENTION))
    values = _normalised(data)
    values.setdefault("end_date", values.get("start_date"))
    if values.get("end_date") is None:
        values["end_date"] = values.get("start_date")
    values["joint_topics"] = values.get("joint_topics") or []
    values["target_groups"] = values.get("target_groups") or []
    materials = list(data.get("materials") or [])
    co_organisers = list(dict.fromkeys(data.get("co_organisers") or []))
    errors: dict = {}
    values["joint_topics"] = _validate_codes(errors, "joint_topics", values["joint_topics"], JointTopic)
    values["target_groups"] = _validate_codes(errors, "target_groups", values["target_groups"], TargetGroup)
    try:
        _validate_activity(actor, values, materials, co_organisers)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.create(created_by=actor, **values)
    activity.co_organisers.set(co_organisers)
    _save_materials(activity, materials)
    record_event(
        action="prevention.activity_created",
        actor=actor,
        target=activity,
        unit=activity.unit,
        changes=_summary(activity),
    )
    return activity


@transaction.atomic
def update_activity(*, actor, activity: Activity, version: int, data: dict) -> Activity:
    locked = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("unit", "organiser", "campaign")
        .get(pk=activity.pk)
    )
    if not can_edit_activity(actor, locked):
        raise PermissionDenied
    if version != locked.version:
        raise StaleVersionError(locked.version)
    values = _normalised(data)
    errors: dict = {}
    if "joint_topics" in values:
        values["joint_topics"] = _validate_codes(errors, "joint_topics", values["joint_topics"] or [], JointTopic)
    if "target_groups" in values:
        values["target_groups"] = _validate_codes(errors, "target_groups", values["target_groups"] or [], TargetGroup)
    merged = {name: getattr(locked, name) for name in SCALAR_FIELDS}
    merged.update(values)
    if merged.get("end_date") is None:
        merged["end_date"] = merged.get("start_date")
    materials = data.get("materials")
    co_organisers = (
        list(dict.fromkeys(data["co_organisers"])) if "co_organisers" in data else list(locked.co_organisers.all())
    )
    try:
        _validate_activity(actor, merged, materials, co_organisers)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    changed = {}
    for name, value in merged.items():
        if getattr(locked, name) != value:
            changed[name] = value
            setattr(locked, name, value)
    locked.version += 1
    locked.save()
    if "co_organisers" in data:
        locked.co_organisers.set(co_organisers)
        changed["co_organisers"] = [str(agency.pk) for agency in co_organisers]
    if materials is not None:
        _save_materials(locked, list(materials))
        changed["materials"] = len(materials)
    record_event(
        action="prevention.activity_updated",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={key: getattr(value, "pk", value) for key, value in changed.items()},
    )
    return locked


def copy_activity_data(activity: Activity) -> dict:
    """Initial values for a new activity from an existing one (dates and title left to the user)."""
    data = {name: getattr(activity, name) for name in SCALAR_FIELDS if name not in ("start_date", "end_date")}
    data["title"] = activity.title
    data["co_organisers"] = list(activity.co_organisers.all())
    data["materials"] = [
        {"kind": m.kind, "produced": m.produced, "distributed": m.distributed} for m in activity.materials.all()
    ]
    return data


@transaction.atomic
def add_attachment(*, actor, activity: Activity, uploaded_file) -> ActivityAttachment:
    if not can_edit_activity(actor, activity):
        raise PermissionDenied
    attachment = ActivityAttachment.store(
        uploaded_file, max_bytes=MAX_ATTACHMENT_BYTES, uploaded_by=actor, activity=activity
    )
    record_event(
        action="prevention.attachment_added",
        actor=actor,
        target=activity,
        unit=activity.unit,
        changes=attachment.audit_changes(),
    )
    return attachment


@transaction.atomic
def create_campaign(*, actor, data: dict) -> Campaign:
    scope = scope_for(actor)
    _require(scope.can(Capability.MANAGE_PREVENTION))
    errors: dict = {}
    name = clean_text(data.get("name"))
    if not name:
        errors["name"] = [_("This field is required.")]
    start, end = data.get("start_date"), data.get("end_date")
    _check_dates(errors, start, end)
    if end is None:
        errors.setdefault("end_date", []).append(_("This field is required."))
    agency = data.get("issuing_agency")
    if agency is None:
        errors.setdefault("issuing_agency", []).append(_("This field is required."))
    elif not any(entry.agency_id == agency.pk for entry in scope.entries) and not scope.covers_unit(
        agency.unit, Capability.MANAGE_PREVENTION
    ):
        errors.setdefault("issuing_agency", []).append(
            _("You cannot issue campaigns for %(agency)s.") % {"agency": agency.name}
        )
    targets = list(data.get("target_units") or [])
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        name=name,
        theme=clean_text(data.get("theme")),
        start_date=start,
        end_date=end,
        issuing_agency=agency,
        issuing_unit=agency.unit,
        directive_number=clean_text(data.get("directive_number")),
        created_by=actor,
    )
    campaign.target_units.set(targets)
    record_event(
        action="prevention.campaign_created",
        actor=actor,
        target=campaign,
        unit=campaign.issuing_unit,
        changes={"name": campaign.name, "start_date": start, "end_date": end},
    )
    return campaign


@transaction.atomic
def create_prevention_model(*, actor, data: dict) -> PreventionModel:
    scope = scope_for(actor)
    _require(scope.can(Capability.MANAGE_PREVENTION))
    errors: dict = {}
    name = clean_text(data.get("name"))
    if not name:
        errors["name"] = [_("This field is required.")]
    start = data.get("start_date")
    _check_dates(errors, start, None)
    unit, agency = data.get("unit"), data.get("agency")
    if unit is None:
        errors.setdefault("unit", []).append(_("This field is required."))
    elif start is not None and "start_date" not in errors:
        try:
            validate_unit_on(unit, start, field="unit")
        except ValidationError as error:
            errors.setdefault("unit", []).extend(error.message_dict.get("unit", error.messages))
        if "unit" not in errors and not scope.covers_unit(unit, Capability.MANAGE_PREVENTION):
            errors["unit"] = [_("%(unit)s is outside your area.") % {"unit": unit.name}]
    if agency is None:
        errors.setdefault("agency", []).append(_("This field is required."))
    beneficiaries = data.get("beneficiaries")
    if beneficiaries is not None and beneficiaries < 0:
        errors["beneficiaries"] = [_("Enter zero or more, not %(value)s.") % {"value": beneficiaries}]
    kind = data.get("kind") or ModelKind.PREVENTION
    status = data.get("status") or ModelStatus.ACTIVE
    if kind not in ModelKind.values:
        errors["kind"] = [_("Choose one of the allowed values.")]
    if status not in ModelStatus.values:
        errors["status"] = [_("Choose one of the allowed values.")]
    if errors:
        raise ValidationError(errors)
    model = PreventionModel.objects.create(
        name=name,
        kind=kind,
        unit=unit,
        agency=agency,
        start_date=start,
        beneficiaries=beneficiaries,
        status=status,
        description=(data.get("description") or "").strip(),
        created_by=actor,
    )
    record_event(action="prevention.model_created", actor=actor, target=model, unit=unit, changes={"name": name})
    return model
