"""The victim case register: one row per person received, with the case and the steps already taken
(each with the day it happened: notification and initial verification, identification with its
decision and confirming document, return home, reintegration); each row becomes a Person and a Case
through `cases.services.create_cases`, which checks and writes them as the one-by-one path would."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.cases import selectors as case_selectors
from haidang.cases import services as case_services
from haidang.cases import workflow
from haidang.cases.matching import document_key, name_key
from haidang.cases.models import (
    Case,
    CaseStatus,
    ConfirmingDocument,
    DocumentType,
    Exploitation,
    IntakeChannel,
    NationalityClass,
    Route,
    Sex,
)
from haidang.common.dates import format_day
from haidang.common.ethnicities import ethnicity_choices
from haidang.exchange.imports.kinds.base import (
    Context,
    Kind,
    RowFailedError,
    covering,
    field_errors,
    units_by_pk,
    warning,
)
from haidang.exchange.rows import Column, RowResult, Schema, UnitCache
from haidang.places.models import UnitLevel

LATE_REASON = "Nhập từ sổ đăng ký đã có (import)"
# The steps a register records, in the order the transition table takes them: (the column of its date,
# the status it moves to, where each value the step records comes from). Who may take each step is the
# transition table's (`cases.workflow`, `cases.authority`): a step the importer may not take is a row error.
IDENTIFICATION_COLUMNS = {
    "decision_date": "identification_date",
    "evidence_sources": "evidence_sources",
    "document_type": "confirming_document",
    "document_issuer": "confirming_issuer",
    "document_number": "confirming_number",
    "document_date": "confirming_date",
}
STEPS = (
    ("verification_date", CaseStatus.INITIAL_VERIFICATION, {}),
    ("identification_date", CaseStatus.IDENTIFIED, IDENTIFICATION_COLUMNS),
    ("returned_home_date", CaseStatus.RETURNED_HOME, {}),
    ("reintegration_date", CaseStatus.REINTEGRATION, {}),
)
STEP_DATA_KEYS = tuple(IDENTIFICATION_COLUMNS.values())

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
        Column("identification_date", "Ngày quyết định xác định là nạn nhân", kind="day"),
        Column("evidence_sources", "Căn cứ xác định", kind="codes", choices=tuple(workflow.EVIDENCE_SOURCES.items())),
        Column(
            "confirming_document",
            "Loại giấy tờ xác nhận nạn nhân",
            kind="code",
            choices=tuple(ConfirmingDocument.choices),
        ),
        Column("confirming_issuer", "Cơ quan cấp giấy xác nhận", max_length=255),
        Column("confirming_number", "Số giấy xác nhận", max_length=60),
        Column("confirming_date", "Ngày cấp giấy xác nhận", kind="day"),
        Column("returned_home_date", "Ngày trở về nơi cư trú", kind="day"),
        Column("reintegration_date", "Ngày bắt đầu hỗ trợ tái hòa nhập cộng đồng", kind="day"),
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
DAY_FIELDS = (
    "birth_date",
    "reception_date",
    "returned_on",
    "verification_date",
    "identification_date",
    "confirming_date",
    "returned_home_date",
    "reintegration_date",
)


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
            covers=covering(scope, Capability.EDIT_CASES),
        )
        residence = UnitCache(levels=(UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE))
        ctx = Context(actor=actor, batch=batch, units=units)
        ctx.extra.update(names={}, residence=residence, visible=case_selectors.cases_visible_to(actor))
        ctx.extra["planner"] = case_services.IntakePlanner(actor)
        return ctx

    def checks(self, ctx: Context) -> list:
        return [lambda result: self._check(ctx, result)]

    def _check(self, ctx: Context, result: RowResult) -> None:
        """Every check the commit runs (`cases.services.create_cases`: the person, the case, the steps in
        the transition table's order, each taken by an agency the law gives it to, on a day after the
        one before), and the dates of the register that no step reads."""
        values = result.values
        errors: dict = {}
        today = ctx.extra["planner"].today
        for key in ("birth_date", "confirming_date"):
            day = values.get(key)
            if day is not None and day > today:
                errors.setdefault(key, []).append(_("%(day)s is in the future.") % {"day": format_day(day)})
        if values.get("identification_date") is None and any(values.get(k) for k in STEP_DATA_KEYS[1:]):
            errors.setdefault("identification_date", []).append(
                _("Give the date of the identification decision, or leave its document columns empty.")
            )
        try:
            ctx.extra["planner"].plan(self.new_case(ctx, values))
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(m for m in messages if m not in errors.get(key, []))
        except PermissionDenied as error:
            step = getattr(error, "step", None)
            key = step.fields.get("event_date", "") if step is not None else "unit"
            errors.setdefault(key, []).append(str(error) or _("You may not do this."))
        if errors:
            field_errors(SCHEMA, result, ValidationError(errors), {})

    def check_chunk(self, ctx: Context, results: list[RowResult]) -> None:
        """A person already on another row, or on a case the importer can see (same name and year of
        birth, or same identity document): a warning naming it. One query for the whole chunk."""
        rows = []
        for result in results:
            if not result.ok:
                continue
            values = result.values
            key = name_key(values.get("full_name") or "")
            year = values.get("birth_year") or (values["birth_date"].year if values.get("birth_date") else None)
            rows.append((result, key, year, document_key(values.get("document_number") or "")))
        keys = {key for _r, key, _y, _d in rows if key}
        documents = {doc for _r, _k, _y, doc in rows if doc}
        by_name, by_document = defaultdict(list), defaultdict(set)
        if keys or documents:
            matches = ctx.extra["visible"].filter(
                Q(person__name_key__in=keys) | Q(person__document_hash__in=documents),
                person__merged_into__isnull=True,
            )
            for key, year, document, number in matches.values_list(
                "person__name_key", "person__birth_year", "person__document_hash", "number"
            ):
                by_name[key].append((year, number))
                if document:
                    by_document[document].add(number)
        names = ctx.extra["names"]
        for result, key, year, document in rows:
            if key:
                for other_row, other_year in names.get(key, []):
                    if year is None or other_year is None or year == other_year:
                        message = _("The same person may be on row %(row)s.") % {"row": other_row}
                        warning(SCHEMA, result, "full_name", message)
                        break
                names.setdefault(key, []).append((result.row, year))
                numbers = sorted(n for y, n in by_name.get(key, []) if year is None or y == year)[:3]
                if numbers:
                    message = _("The same person may already be recorded: case %(numbers)s.") % {
                        "numbers": ", ".join(numbers)
                    }
                    warning(SCHEMA, result, "full_name", message)
            if document and by_document.get(document):
                message = _("This identity document is already recorded: case %(numbers)s.") % {
                    "numbers": ", ".join(sorted(by_document[document])[:3])
                }
                warning(SCHEMA, result, "document_number", message)

    def payload(self, values: dict) -> dict:
        # Days (only the schema's day columns hold them) as ISO text, units by id; the rest as read.
        out = dict(values)
        for key in DAY_FIELDS:
            value = out.get(key)
            if isinstance(value, date):
                out[key] = value.isoformat()
        for key in ("unit", "residence_unit"):
            if key in out:
                value = out[key]
                out[key] = value.pk if value is not None else None
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

    def new_case(self, ctx: Context, values: dict) -> case_services.NewCase:
        """A row as the intake takes it: the person, the case at the importer's agency, the steps."""
        case = {k: values.get(k) for k in CASE_FIELDS}
        case["agency"] = ctx.batch.agency
        steps = []
        for key, target, columns in STEPS:
            if values.get(key) is None:
                continue
            data = {name: values.get(column) for name, column in columns.items()}
            fields = {"event_date": key, "late_reason": key, "target": key, **columns}
            steps.append(case_services.Step(target=target, event_date=values[key], data=data, fields=fields))
        return case_services.NewCase(
            person={k: values.get(k) for k in PERSON_FIELDS}, case=case, steps=steps, late_reason=LATE_REASON
        )

    def bulk_create(self, ctx: Context, payloads: list[dict], refs: dict) -> list:
        """Set-based (`cases.services.create_cases`): every check of the one-by-one path runs again.
        The cases' ids."""
        rows = [self.new_case(ctx, self._values(payload, refs)) for payload in payloads]
        try:
            # The context's planner: built for this commit (the importer's memberships and scope as they are
            # now), shared by its chunks.
            return case_services.create_cases(actor=ctx.actor, rows=rows, planner=ctx.extra["planner"])
        except case_services.BulkIntakeError as error:
            raise RowFailedError(error.index, error.error) from error

    def create(self, ctx: Context, payload: dict, refs: dict):
        """One row through `create_case` and `transition_case`, step by step (the path a person takes on
        the case pages; the import uses `bulk_create`, which gives the same records)."""
        row = self.new_case(ctx, self._values(payload, refs))
        case = case_services.create_case(actor=ctx.actor, person_data=row.person, case_data=row.case)
        steps = [case_services.Step(CaseStatus.RECEIVED, case.reception_date), *row.steps]
        for step in steps:
            case = case_services.transition_case(
                actor=ctx.actor,
                case=case,
                target=step.target,
                version=case.version,
                data=step.data,
                event_date=step.event_date,
                late_reason=row.late_reason,
            )
        return case

    def update(self, ctx: Context, target_id: str, version: int, payload: dict, refs: dict):
        values = self._values(payload, refs)
        case = Case.objects.get(pk=target_id)
        data = {k: values[k] for k in ("exploitation_forms", "destination_country", "route")}
        return case_services.update_case(actor=ctx.actor, case=case, version=version, data=data)
