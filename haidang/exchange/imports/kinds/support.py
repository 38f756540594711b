"""The register of support given: one row per support item, naming the victim case by its number;
each row becomes a `SupportItem` through `cases.support.record_support_item`, so the rate comes from the
province's table and the service's checks (eligibility, the rate in force, the limits and their
extensions) are row errors at the dry run: each row goes through `cases.support.validate_support_item`,
the checks the service itself runs before it writes, and nothing is written.

A support item has no version and no update in the domain: a changed row is left as it is, with a
warning (correct the item on the case's page). Limits are checked row by row against what is recorded:
two rows of one file that pass the limit only together are refused at the commit, which writes nothing.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.selectors import agencies_visible_to
from haidang.cases import eligibility
from haidang.cases import selectors as case_selectors
from haidang.cases import support as case_support
from haidang.cases.models import Case, SupportItem
from haidang.exchange.imports.kinds.base import (
    Context,
    Kind,
    agencies_by_name,
    field_errors,
    read_agencies,
)
from haidang.exchange.rows import Column, RowResult, Schema, UnitCache

SCHEMA = Schema(
    [
        Column("register_number", "Số thứ tự trong sổ", required=True, max_length=120, aliases=("Số đăng ký",)),
        Column("case_number", "Số hồ sơ vụ việc", required=True, max_length=40),
        Column(
            "regime",
            "Chế độ hỗ trợ",
            kind="code",
            required=True,
            choices=tuple((regime.value, regime.name_vi) for regime in eligibility.Regime),
        ),
        Column("item", "Khoản hỗ trợ", required=True, max_length=120),
        Column("provider", "Cơ quan hỗ trợ", required=True),
        Column("start_date", "Ngày bắt đầu", kind="day", required=True),
        Column("end_date", "Ngày kết thúc", kind="day"),
        Column("quantity", "Số lượng (theo đơn vị của định mức)", kind="count", required=True),
        Column("decision_number", "Số quyết định", max_length=60),
    ],
    source_key="register_number",
)
FIELD_KEYS = {"beneficiary": "case_number"}


class Support(Kind):
    code = "support"
    schema = SCHEMA
    capability = Capability.EDIT_CASES
    model = SupportItem
    updatable = False  # the domain has no update of a support item

    def context(self, actor, batch) -> Context:
        ctx = Context(actor=actor, batch=batch, units=UnitCache(covers=lambda unit: False))
        ctx.agencies = agencies_by_name(agencies_visible_to(actor).filter(is_active=True))
        ctx.extra["cases"] = {}
        return ctx

    def checks(self, ctx: Context) -> list:
        return [lambda result: self._check(ctx, result)]

    def _case(self, ctx: Context, number: str) -> Case | None:
        """The case by its number, if the importer can see it (else it is as if it did not exist)."""
        cases = ctx.extra["cases"]
        if number not in cases:
            cases[number] = case_selectors.cases_visible_to(ctx.actor).filter(number=number).first()
        return cases[number]

    def _check(self, ctx: Context, result: RowResult) -> None:
        values = result.values
        providers = read_agencies(ctx, SCHEMA, result, "provider")
        case = self._case(ctx, values["case_number"])
        if case is None:
            message = _("There is no case numbered %(number)s that you can see.") % {"number": values["case_number"]}
            result.errors.append(SCHEMA.error_for(result.row, "case_number", result.raw, message))
        elif not case_selectors.can_edit_case(ctx.actor, case):
            message = _("You may not record support on case %(number)s.") % {"number": values["case_number"]}
            result.errors.append(SCHEMA.error_for(result.row, "case_number", result.raw, message))
        if result.errors:
            return
        data = {**values, "provider": providers[0]}
        try:
            case_support.validate_support_item(case=case, data=data)
        except ValidationError as error:
            field_errors(SCHEMA, result, error, FIELD_KEYS)

    def payload(self, values: dict) -> dict:
        out = {}
        for key, value in values.items():
            if isinstance(value, date):
                out[key] = value.isoformat()
            else:
                out[key] = value
        return out

    def prepare(self, payloads: list[dict]) -> dict:
        return {}

    def create(self, ctx: Context, payload: dict, refs: dict):
        data = dict(payload)
        for key in ("start_date", "end_date"):
            data[key] = date.fromisoformat(payload[key]) if payload.get(key) else None
        provider = ctx.agency(payload["provider"])
        case = self._case(ctx, payload["case_number"])
        if case is None or provider is None:
            raise ValidationError(_("The case or the provider named on this row is no longer within your reach."))
        data["provider"] = provider
        return case_support.record_support_item(actor=ctx.actor, case=case, data=data)

    def current_version(self, target_id: str) -> int | None:
        return None

    def update(self, ctx: Context, target_id: str, version: int, payload: dict, refs: dict):
        raise ValidationError(
            _("A support item already recorded cannot be changed by an import; correct it on the case's page.")
        )


__all__ = ["SCHEMA", "Support"]
