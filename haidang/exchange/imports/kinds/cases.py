"""The victim case register: one row per person received, with the case and the steps already taken
(each with the day it happened); each row becomes a Person and a Case through `cases.services`."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.cases import authority as law
from haidang.cases import selectors as case_selectors
from haidang.cases import services as case_services
from haidang.cases.matching import name_key
from haidang.cases.models import (
    Case,
    CaseStatus,
    DocumentType,
    Exploitation,
    IntakeChannel,
    NationalityClass,
    Route,
    Sex,
)
from haidang.cases.services.case import _check_case_details
from haidang.cases.services.people import _validate_person
from haidang.common.dates import format_day
from haidang.common.ethnicities import ethnicity_choices
from haidang.exchange.imports.kinds.base import Context, Kind, field_errors, units_by_pk, warning
from haidang.exchange.rows import Column, RowResult, Schema, UnitCache
from haidang.places.models import UnitLevel

LATE_REASON = "Nhập từ sổ đăng ký đã có (import)"
# The steps a register records, in the order they are taken: (column key, target status, authority).
STEPS = (("verification_date", CaseStatus.INITIAL_VERIFICATION, law.NOTIFY),)

SCHEMA = Schema(
    [
        Column("register_number", "Số hồ sơ trong sổ", required=True, max_length=120, aliases=("Số đăng ký",)),
        Column("full_name", "Họ và tên", required=True),
        Column("other_names", "Tên gọi khác"),
        Column("sex", "Giới tính", kind="code", choices=tuple(Sex.choices)),
        Column("birth_date", "Ngày sinh", kind="day"),
        Column("birth_year", "Năm sinh", kind="count"),
        Column("ethnicity", "Dân tộc", kind="code", choices=()),
        Column("nationality_class", "Quốc tịch", kind="code", choices=tuple(NationalityClass.choices)),
        Column("document_type", "Loại giấy tờ", kind="code", choices=tuple(DocumentType.choices)),
        Column("document_number", "Số giấy tờ", max_length=60),
        Column("residence_unit", "Xã, phường nơi cư trú", kind="unit", day_from="reception_date"),
        Column("address", "Địa chỉ", max_length=500),
        Column(
            "intake_channel", "Hình thức tiếp nhận", kind="code", required=True, choices=tuple(IntakeChannel.choices)
        ),
        Column("reception_date", "Ngày tiếp nhận", kind="day", required=True),
        Column("unit", "Xã, phường tiếp nhận", kind="unit", required=True, day_from="reception_date"),
        Column("exploitation_forms", "Hình thức bóc lột", kind="codes", choices=tuple(Exploitation.choices)),
        Column("destination_country", "Nước bị đưa đến (mã ISO)", max_length=3),
        Column("route", "Tuyến", kind="code", choices=tuple(Route.choices)),
        Column("returned_on", "Ngày về nước", kind="day"),
        Column("verification_date", "Ngày thông báo, xác minh ban đầu", kind="day"),
    ],
    source_key="register_number",
)
PERSON_FIELDS = (
    "full_name",
    "other_names",
    "sex",
    "birth_date",
    "birth_year",
    "ethnicity",
    "nationality_class",
    "document_type",
    "document_number",
    "residence_unit",
    "address",
)
CASE_FIELDS = (
    "intake_channel",
    "reception_date",
    "unit",
    "exploitation_forms",
    "destination_country",
    "route",
    "returned_on",
)
DAY_FIELDS = ("birth_date", "reception_date", "returned_on", "verification_date")


class Cases(Kind):
    code = "cases"
    schema = SCHEMA
    capability = Capability.EDIT_CASES
    model = Case

    def __init__(self):
        ethnicity = SCHEMA.by_key["ethnicity"]
        if not ethnicity.choices:
            object.__setattr__(ethnicity, "choices", tuple(ethnicity_choices()))

    def context(self, actor, batch) -> Context:
        scope = scope_for(actor)
        units = UnitCache(
            levels=(UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE),
            covers=lambda unit: scope.covers_unit(unit, Capability.EDIT_CASES),
        )
        residence = UnitCache(levels=(UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE))
        ctx = Context(actor=actor, batch=batch, units=units)
        ctx.extra.update(names={}, residence=residence, visible=case_selectors.cases_visible_to(actor))
        membership = actor.memberships.filter(is_active=True, agency=batch.agency).first()
        ctx.extra["membership"] = membership
        return ctx

    def checks(self, ctx: Context) -> list:
        return [lambda result: self._check(ctx, result), lambda result: self._duplicates(ctx, result)]

    def _check(self, ctx: Context, result: RowResult) -> None:
        values = result.values
        errors: dict = {}
        person = _validate_person({k: values.get(k) for k in PERSON_FIELDS}, errors)
        _check_case_details({k: values.get(k) for k in CASE_FIELDS}, person, errors)
        today = timezone.localdate()
        for key in DAY_FIELDS:
            day = values.get(key)
            if day is not None and day > today:
                errors.setdefault(key, []).append(_("%(day)s is in the future.") % {"day": format_day(day)})
        received, returned = values.get("reception_date"), values.get("returned_on")
        if received and returned and returned > received:
            errors.setdefault("returned_on", []).append(
                _("The return (%(day)s) is after the reception (%(received)s); record it on the case when it happens.")
                % {"day": format_day(returned), "received": format_day(received)}
            )
        self._check_steps(ctx, values, errors)
        if errors:
            field_errors(SCHEMA, result, ValidationError(errors), {})

    def _check_steps(self, ctx: Context, values: dict, errors: dict) -> None:
        previous = values.get("reception_date")
        membership = ctx.extra["membership"]
        for key, _target, authority in STEPS:
            day = values.get(key)
            if day is None:
                continue
            if previous is not None and day < previous:
                errors.setdefault(key, []).append(
                    _("%(day)s is before the previous step (%(previous)s).")
                    % {"day": format_day(day), "previous": format_day(previous)}
                )
            verdict = law.verdict(
                authority,
                role=membership.role if membership else "",
                agency_type=membership.agency.agency_type if membership else "",
                own_case=True,
            )
            if not verdict.allowed:
                errors.setdefault(key, []).append(str(verdict.reason))
            previous = day

    def _duplicates(self, ctx: Context, result: RowResult) -> None:
        """A person already on another row, or on a case the importer can see: a warning naming it."""
        values = result.values
        key = name_key(values.get("full_name") or "")
        if not key:
            return
        year = values.get("birth_year") or (values["birth_date"].year if values.get("birth_date") else None)
        names = ctx.extra["names"]
        for other_row, other_year in names.get(key, []):
            if year is None or other_year is None or year == other_year:
                warning(SCHEMA, result, "full_name", _("The same person may be on row %(row)s.") % {"row": other_row})
                break
        names.setdefault(key, []).append((result.row, year))
        matches = ctx.extra["visible"].filter(person__name_key=key, person__merged_into__isnull=True)
        if year is not None:
            matches = matches.filter(person__birth_year=year)
        numbers = list(matches.order_by("number").values_list("number", flat=True)[:3])
        if numbers:
            warning(
                SCHEMA,
                result,
                "full_name",
                _("The same person may already be recorded: case %(numbers)s.") % {"numbers": ", ".join(numbers)},
            )

    def payload(self, values: dict) -> dict:
        out = {}
        for key, value in values.items():
            if isinstance(value, date):
                out[key] = value.isoformat()
            elif key in ("unit", "residence_unit"):
                out[key] = value.pk if value is not None else None
            else:
                out[key] = value
        return out

    def prepare(self, payloads: list[dict]) -> dict:
        return {"units": units_by_pk([p.get("unit") for p in payloads] + [p.get("residence_unit") for p in payloads])}

    def _values(self, payload: dict, refs: dict) -> dict:
        values = dict(payload)
        for key in DAY_FIELDS:
            values[key] = date.fromisoformat(payload[key]) if payload.get(key) else None
        for key in ("unit", "residence_unit"):
            values[key] = refs["units"].get(payload.get(key)) if payload.get(key) else None
        for key in ("sex", "nationality_class", "document_type", "route", "ethnicity"):
            values[key] = payload.get(key) or ""
        values["exploitation_forms"] = payload.get("exploitation_forms") or []
        return values

    def create(self, ctx: Context, payload: dict, refs: dict):
        values = self._values(payload, refs)
        person = {k: values[k] for k in PERSON_FIELDS}
        case_data = {k: values[k] for k in CASE_FIELDS}
        case_data["agency"] = ctx.batch.agency
        case = case_services.create_case(actor=ctx.actor, person_data=person, case_data=case_data)
        case = case_services.transition_case(
            actor=ctx.actor,
            case=case,
            target=CaseStatus.RECEIVED,
            version=case.version,
            event_date=values["reception_date"],
            late_reason=LATE_REASON,
        )
        for key, target, _authority in STEPS:
            if values.get(key):
                case = case_services.transition_case(
                    actor=ctx.actor,
                    case=case,
                    target=target,
                    version=case.version,
                    event_date=values[key],
                    late_reason=LATE_REASON,
                )
        return case

    def update(self, ctx: Context, target_id: str, version: int, payload: dict, refs: dict):
        values = self._values(payload, refs)
        case = Case.objects.get(pk=target_id)
        data = {k: values[k] for k in ("exploitation_forms", "destination_country", "route")}
        return case_services.update_case(actor=ctx.actor, case=case, version=version, data=data)
