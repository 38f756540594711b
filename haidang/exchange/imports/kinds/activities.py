"""The register of prevention activities: one row per activity, with its campaign, organisers, measures
and materials; each row becomes an `Activity` through `prevention.services`."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.models import Agency
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_events
from haidang.common.bulkinsert import insert_rows
from haidang.common.ids import new_ids
from haidang.common.text import fold
from haidang.exchange.imports.kinds.base import (
    Context,
    Kind,
    agencies_by_name,
    covering,
    field_errors,
    read_agencies,
    units_by_pk,
)
from haidang.exchange.rows import Column, RowResult, Schema, UnitCache
from haidang.places.models import UnitLevel
from haidang.prevention import selectors as prevention_selectors
from haidang.prevention import services as prevention
from haidang.prevention.models import (
    Activity,
    ActivityMaterial,
    ActivityType,
    Campaign,
    FundingSource,
    JointTopic,
    MaterialKind,
    TargetGroup,
)

COUNTS = (
    ("sessions", "Số buổi"),
    ("participants", "Số người tham dự"),
    ("participants_female", "Trong đó nữ"),
    ("participants_male", "Trong đó nam"),
    ("broadcast_minutes", "Số phút phát thanh"),
    ("articles", "Số tin bài"),
    ("posts", "Số bài đăng trực tuyến"),
    ("page_visits", "Số lượt truy cập"),
    ("pledges", "Số bản cam kết"),
)
MATERIALS = (
    ("material_leaflet", "Số tờ rơi phát ra", MaterialKind.LEAFLET),
    ("material_poster", "Số áp phích", MaterialKind.POSTER),
    ("material_banner", "Số băng rôn, pa nô", MaterialKind.BANNER),
    ("material_booklet", "Số tài liệu, sổ tay", MaterialKind.BOOKLET),
)

SCHEMA = Schema(
    [
        Column("register_number", "Số thứ tự trong sổ", required=True, max_length=120, aliases=("Số đăng ký",)),
        Column("activity_type", "Loại hoạt động", kind="code", required=True, choices=tuple(ActivityType.choices)),
        Column("title", "Tên hoạt động", required=True),
        Column("start_date", "Ngày bắt đầu", kind="day", required=True),
        Column("end_date", "Ngày kết thúc", kind="day"),
        Column("unit", "Xã, phường nơi tổ chức", kind="unit", required=True, day_from="start_date"),
        Column("place", "Địa điểm"),
        Column("organiser", "Cơ quan chủ trì", required=True),
        Column("co_organisers", "Cơ quan phối hợp", max_length=2000),
        Column("campaign", "Chiến dịch, đợt cao điểm"),
        Column("target_groups", "Đối tượng", kind="codes", choices=tuple(TargetGroup.choices)),
        Column("joint_topics", "Lồng ghép với", kind="codes", choices=tuple(JointTopic.choices)),
        *(Column(key, header, kind="count") for key, header in COUNTS),
        Column("cost", "Kinh phí (đồng)", kind="amount"),
        Column("funding_source", "Nguồn kinh phí", kind="code", choices=tuple(FundingSource.choices)),
        *(Column(key, header, kind="count") for key, header, _kind in MATERIALS),
        Column("notes", "Ghi chú", max_length=4000),
    ],
    source_key="register_number",
)
FIELD_KEYS = {"materials": "material_leaflet"}


class Activities(Kind):
    code = "activities"
    schema = SCHEMA
    capability = Capability.MANAGE_PREVENTION
    model = Activity

    def context(self, actor, batch) -> Context:
        scope = scope_for(actor)
        units = UnitCache(
            levels=(UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE),
            covers=covering(scope, Capability.MANAGE_PREVENTION),
        )
        ctx = Context(actor=actor, batch=batch, units=units)
        ctx.agencies = agencies_by_name(prevention_selectors.agencies_for_entry(actor))
        ctx.extra["campaigns"] = {fold(c.name): c for c in prevention_selectors.campaigns_visible_to(actor)}
        ctx.extra["today"] = timezone.localdate()
        return ctx

    def checks(self, ctx: Context) -> list:
        return [lambda result: self._check(ctx, result)]

    def _check(self, ctx: Context, result: RowResult) -> None:
        values = result.values
        organisers = _agencies_in(ctx, result, "organiser")
        co_organisers = _agencies_in(ctx, result, "co_organisers", many=True)
        campaign = None
        if values.get("campaign"):
            campaign = ctx.extra["campaigns"].get(fold(values["campaign"]))
            if campaign is None:
                message = _("There is no campaign “%(name)s” that you can see.") % {"name": values["campaign"]}
                result.errors.append(SCHEMA.error_for(result.row, "campaign", result.raw, message))
        if result.errors:
            return
        values["organiser"] = organisers[0] if organisers else None
        values["co_organisers"] = co_organisers
        values["campaign"] = campaign
        values["end_date"] = values.get("end_date") or values.get("start_date")
        errors: dict = {}
        prevention._check_dates(errors, values["start_date"], values["end_date"], today=ctx.extra["today"])
        prevention._check_measures(errors, values)
        prevention._check_campaign(errors, campaign, values["start_date"], values["end_date"])
        prevention._check_organisers_existed(errors, values["organiser"], co_organisers, values["start_date"])
        if co_organisers and values["organiser"] in co_organisers:
            errors.setdefault("co_organisers", []).append(_("The organiser cannot also be a co-organiser."))
        if errors:
            field_errors(SCHEMA, result, ValidationError(errors), FIELD_KEYS)

    def payload(self, values: dict) -> dict:
        out = {}
        for key, value in values.items():
            kind = type(value)
            if kind in _PLAIN:
                out[key] = value
            elif key == "unit":
                out[key] = value.pk if value else None
            elif key in ("organiser", "campaign"):
                out[key] = str(value.pk) if value is not None else None
            elif key == "co_organisers":
                out[key] = [str(agency.pk) for agency in value]
            elif isinstance(value, date):
                out[key] = value.isoformat()
            elif isinstance(value, Decimal):
                out[key] = str(value)
            else:
                out[key] = value
        return out

    def prepare(self, payloads: list[dict]) -> dict:
        """What a chunk of staged rows refers to, in a few queries."""
        agency_ids = {p["organiser"] for p in payloads} | {a for p in payloads for a in p.get("co_organisers") or []}
        return {
            "units": units_by_pk(p["unit"] for p in payloads),
            "agencies": Agency.objects.in_bulk(agency_ids),
            "campaigns": Campaign.objects.in_bulk({p["campaign"] for p in payloads if p.get("campaign")}),
        }

    def data(self, payload: dict, refs: dict) -> dict:
        data = {
            key: payload.get(key)
            for key in ("activity_type", "title", "place", "target_groups", "joint_topics", "funding_source", "notes")
        }
        data["title"] = payload["title"]
        for key in ("start_date", "end_date"):
            data[key] = date.fromisoformat(payload[key]) if payload.get(key) else None
        data["unit"] = refs["units"][payload["unit"]]
        data["organiser"] = refs["agencies"][_uuid(payload["organiser"])]
        data["co_organisers"] = [refs["agencies"][_uuid(a)] for a in payload.get("co_organisers") or []]
        data["campaign"] = refs["campaigns"][_uuid(payload["campaign"])] if payload.get("campaign") else None
        for key, _header in COUNTS:
            data[key] = payload.get(key)
        data["cost"] = Decimal(payload["cost"]) if payload.get("cost") else None
        data["funding_source"] = payload.get("funding_source") or ""
        data["notes"] = payload.get("notes") or ""
        data["place"] = payload.get("place") or ""
        data["materials"] = [
            {"kind": kind, "distributed": payload.get(key)}
            for key, _header, kind in MATERIALS
            if payload.get(key) is not None
        ]
        return data

    def bulk_create(self, ctx: Context, payloads: list[dict], refs: dict) -> list:
        """Set-based: the activities, their co-organisers, materials and audit entries (one per activity,
        as `create_activity` writes it) in four inserts per chunk, built as plain rows by attname (no model
        instances: `insert_rows` fills the defaults an instance would have) with the values `data` gives.
        The rows passed every check of `create_activity` at the dry run; the importer's scope is checked
        again. The activities' ids."""
        scope = scope_for(ctx.actor)
        activities, through, materials, audit = [], [], [], []
        link = Activity.co_organisers.through
        label = Activity._meta.label_lower
        covered: dict = {}  # unit pk -> inside the importer's area (a register names a few hundred places)
        agencies = _ByText(refs["agencies"])
        campaigns = _ByText(refs["campaigns"])
        days = ctx.extra.setdefault("_days", {})  # ISO text -> day, over the whole commit
        for payload, pk in zip(payloads, new_ids(len(payloads)), strict=True):
            unit = refs["units"][payload["unit"]]
            inside = covered.get(unit.pk)
            if inside is None:
                inside = covered[unit.pk] = scope.covers_unit(unit, Capability.MANAGE_PREVENTION)
            if not inside:
                raise ValidationError({"unit": [_("%(unit)s is outside your area.") % {"unit": unit.name}]})
            start, end = _day(days, payload.get("start_date")), _day(days, payload.get("end_date"))
            campaign = campaigns[payload["campaign"]] if payload.get("campaign") else None
            cost = payload.get("cost")
            activity = {
                "activity_type": payload.get("activity_type"),
                "title": payload["title"],
                "place": payload.get("place") or "",
                "target_groups": payload.get("target_groups"),
                "joint_topics": payload.get("joint_topics"),
                "funding_source": payload.get("funding_source") or "",
                "notes": payload.get("notes") or "",
                "start_date": start,
                "end_date": end or start,
                **{key: payload.get(key) for key in _COUNT_KEYS},
                "cost": Decimal(cost) if cost else None,
                "id": pk,
                "unit_id": unit.pk,
                "organiser_id": agencies[payload["organiser"]].pk,
                "campaign_id": campaign.pk if campaign is not None else None,
                "created_by_id": ctx.actor.pk,
            }
            activities.append(activity)
            # An agency named twice is linked once, as `create_activity` links it.
            co_organisers = dict.fromkeys(agencies[a].pk for a in payload.get("co_organisers") or [])
            through.extend({"activity_id": pk, "agency_id": agency_id} for agency_id in co_organisers)
            materials.extend(
                {"activity_id": pk, "kind": kind, "distributed": payload[key]}
                for key, _header, kind in MATERIALS
                if payload.get(key) is not None
            )
            audit.append(
                {
                    "action": "prevention.activity_created",
                    "actor": ctx.actor,
                    "object_type": label,
                    "object_id": str(pk),
                    "unit": unit,
                    "changes": prevention.summary_of(activity, unit),
                }
            )
        insert_rows(Activity, activities)
        insert_rows(link, through)
        insert_rows(ActivityMaterial, materials)
        record_events(audit)
        return [activity["id"] for activity in activities]

    def create(self, ctx: Context, payload: dict, refs: dict):
        return prevention.create_activity(actor=ctx.actor, data=self.data(payload, refs))

    def update(self, ctx: Context, target_id: str, version: int, payload: dict, refs: dict):
        activity = Activity.objects.get(pk=target_id)
        return prevention.update_activity(
            actor=ctx.actor, activity=activity, version=version, data=self.data(payload, refs)
        )


def _uuid(value):
    return uuid.UUID(str(value))


_PLAIN = frozenset({str, int, bool, type(None)})
_COUNT_KEYS = tuple(key for key, _header in COUNTS)


class _ByText(dict):
    """Records by their id as a staged payload writes it (text); another spelling of the id is read as `data`
    reads it."""

    def __init__(self, records: dict):
        super().__init__((str(pk), record) for pk, record in records.items())
        self.records = records

    def __missing__(self, key):
        return self.records[_uuid(key)]


def _day(days: dict, text):
    if not text:
        return None
    found = days.get(text)
    if found is None:
        found = days[text] = date.fromisoformat(text)
    return found


def _agencies_in(ctx: Context, result: RowResult, key: str, *, many: bool = False) -> list:
    """`read_agencies` once per distinct cell of the column: a register names the same few agencies on
    every row. A cell naming an unknown agency is read again on each row, so each row gets its error."""
    raw = result.raw.get(key)
    memo = ctx.extra.setdefault("_agencies_read", {})
    memo_key = (key, type(raw), raw)
    try:
        found = memo.get(memo_key)
    except TypeError:  # a cell value that cannot be a key
        return read_agencies(ctx, SCHEMA, result, key, many=many)
    if found is None:
        errors = len(result.errors)
        found = read_agencies(ctx, SCHEMA, result, key, many=many)
        if len(result.errors) > errors or len(memo) >= 10_000:
            return found
        memo[memo_key] = found
    return list(found)
