"""The police register of criminal cases with their suspects: one row per suspect, the case's fields
repeated on each of its rows (grouped by the case number); each row becomes a `Suspect`, and the first
row of a case its `CriminalCase`, through `proceedings.services`. A case number already recorded by the
investigating agency that year takes the file's suspects, if the importer may edit it.

The dry run writes nothing: each row goes through the services' own checks
(`proceedings.services.validate_new_criminal_case`, `validate_new_suspect`, which the services call
before they write), so every check of the register's forms (scope, agency, dates, the prosecution order)
is a row error naming its column, with no transaction, lock or audit id spent.

A suspect already recorded (the same identity document, or the same name and year of birth, by their
keyed hashes) in a criminal case the importer may see, or on an earlier row of the file, is a warning
naming the match. A suspect is a person within one criminal case (the register has no identity of a
suspect across cases to link to), so the row still adds its own suspect record; the warning says so.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from haidang.access.models import Agency
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.cases.matching import document_key, name_key
from haidang.cases.models import Exploitation, Route, Sex
from haidang.exchange.imports.kinds.base import (
    Context,
    Kind,
    agencies_by_name,
    field_errors,
    read_agencies,
    units_by_pk,
    warning,
)
from haidang.exchange.models import ImportLink
from haidang.exchange.rows import Column, RowResult, Schema, UnitCache
from haidang.places.models import UnitLevel
from haidang.proceedings import services as proceedings
from haidang.proceedings.models import Article, CriminalCase, Suspect, SuspectRole
from haidang.proceedings.selectors import can_edit_criminal_case, investigating_agencies_for, suspect_matches

SCHEMA = Schema(
    [
        Column("register_number", "Số thứ tự trong sổ", required=True, max_length=120, aliases=("Số đăng ký",)),
        Column("number", "Số vụ án", required=True, max_length=60),
        Column("article", "Tội danh (điều luật)", kind="code", required=True, choices=tuple(Article.choices)),
        Column("detected_on", "Ngày phát hiện", kind="day", required=True),
        Column("prosecution_opened_on", "Ngày khởi tố vụ án", kind="day"),
        Column("investigating_agency", "Cơ quan điều tra", required=True),
        Column("unit", "Đơn vị hành chính nơi điều tra", kind="unit", required=True, day_from="detected_on"),
        Column("route", "Tuyến", kind="code", choices=tuple(Route.choices)),
        Column("destination_country", "Nước bị đưa đến (mã ISO)", max_length=3),
        Column("exploitation_forms", "Hình thức bóc lột", kind="codes", choices=tuple(Exploitation.choices)),
        Column("full_name", "Họ và tên đối tượng", required=True),
        Column("document_number", "Số giấy tờ của đối tượng", max_length=60),
        Column("address", "Địa chỉ của đối tượng", max_length=500),
        Column("sex", "Giới tính", kind="code", choices=tuple(Sex.choices)),
        Column("birth_year", "Năm sinh", kind="count"),
        Column("nationality", "Quốc tịch (mã ISO)", max_length=3),
        Column("role", "Vai trò trong đường dây", kind="code", required=True, choices=tuple(SuspectRole.choices)),
        Column("prosecuted_on", "Ngày khởi tố bị can", kind="day"),
    ],
    source_key="register_number",
)
CASE_KEYS = (
    "number",
    "article",
    "detected_on",
    "prosecution_opened_on",
    "investigating_agency",
    "unit",
    "route",
    "destination_country",
    "exploitation_forms",
)
SUSPECT_KEYS = proceedings.SUSPECT_FIELDS
DAY_KEYS = ("detected_on", "prosecution_opened_on", "prosecuted_on")


def _same(value) -> object:
    return getattr(value, "pk", value)


def _suspect_data(values: dict) -> dict:
    data = {k: values.get(k) for k in SUSPECT_KEYS if k != "age_band"}
    data["sex"] = data.get("sex") or ""
    return data


_MATCH_COLUMN = {"document": "document_number", "name": "full_name"}
# Messages as functions: translated when a row is read, in the importer's language.
_SAME_IN_FILE = {
    "document": lambda: _("The same identity document is on row %(row)s: check that it is the same person."),
    "name": lambda: _("The same name and year of birth are on row %(row)s: check that it is the same person."),
}
_SAME_RECORDED = {
    "document": lambda: _(
        "A suspect with this identity document is already recorded in criminal case %(number)s "
        "(%(agency)s, %(year)s). This row adds a suspect record of its own to its case: check that "
        "it is not recorded twice."
    ),
    "name": lambda: _(
        "A suspect with this name and year of birth is already recorded in criminal case %(number)s "
        "(%(agency)s, %(year)s). This row adds a suspect record of its own to its case: check that "
        "it is not recorded twice."
    ),
}


class CriminalCases(Kind):
    code = "criminal_cases"
    schema = SCHEMA
    capability = Capability.MANAGE_PROCEEDINGS
    model = Suspect

    def context(self, actor, batch) -> Context:
        scope = scope_for(actor)
        units = UnitCache(
            levels=(UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE),
            covers=lambda unit: scope.covers_unit(unit, Capability.MANAGE_PROCEEDINGS),
        )
        ctx = Context(actor=actor, batch=batch, units=units)
        ctx.agencies = agencies_by_name(investigating_agencies_for(actor))
        ctx.extra.update(groups={}, cases={}, people={})
        return ctx

    def checks(self, ctx: Context) -> list:
        return [lambda result: self._check(ctx, result)]

    def _check(self, ctx: Context, result: RowResult) -> None:
        values = result.values
        agencies = read_agencies(ctx, SCHEMA, result, "investigating_agency")
        if result.errors:
            return
        values["investigating_agency"] = agencies[0]
        if not self._same_case(ctx, result):
            return
        try:
            criminal_case = self._checked_case(ctx, values)
            proceedings.validate_new_suspect(criminal_case=criminal_case, data=_suspect_data(values))
        except ValidationError as error:
            field_errors(SCHEMA, result, error, {})
        except PermissionDenied:
            message = _("You may not add suspects to case %(number)s.") % {"number": values["number"]}
            result.errors.append(SCHEMA.error_for(result.row, "number", result.raw, message))
        if result.ok:
            self._warn_matches(ctx, result)

    def _imported_before(self, ctx: Context, result: RowResult) -> bool:
        key = str(result.raw.get(SCHEMA.source_key) or "").strip()
        return ImportLink.objects.filter(kind=self.code, unit=ctx.batch.unit, source_key=key).exists()

    def _checked_case(self, ctx: Context, values: dict) -> CriminalCase:
        """The case a row's suspect joins, checked as `_case` would make it, writing nothing: the one
        recorded, or an unsaved one with the checked values. Checked once per case number (its rows
        agree); the refusal is raised again for each of its rows."""
        agency, detected = values["investigating_agency"], values["detected_on"]
        key = (agency.pk, detected.year, values["number"])
        checked = ctx.extra["cases"]
        if key not in checked:
            try:
                checked[key] = self._found_case(ctx, values) or CriminalCase(
                    year=detected.year,
                    **proceedings.validate_new_criminal_case(
                        actor=ctx.actor, data={k: values.get(k) for k in CASE_KEYS}
                    ),
                )
            except (ValidationError, PermissionDenied) as error:
                checked[key] = error
        if isinstance(checked[key], Exception):
            raise checked[key]
        return checked[key]

    def _found_case(self, ctx: Context, values: dict) -> CriminalCase | None:
        """The case already recorded under this number, if the importer may add to it (else the number is taken)."""
        agency, detected = values["investigating_agency"], values["detected_on"]
        found = CriminalCase.objects.filter(
            investigating_agency=agency, year=detected.year, number=values["number"]
        ).first()
        if found is not None and not can_edit_criminal_case(ctx.actor, found):
            raise proceedings._number_error(values)
        return found

    def _warn_matches(self, ctx: Context, result: RowResult) -> None:
        """A warning for a suspect already recorded or on an earlier row (see the module's text)."""
        values = result.values
        name, document, year = values["full_name"], values.get("document_number") or "", values.get("birth_year")
        seen = ctx.extra["people"]
        keys = []
        if document:
            keys.append(("document", document_key(document)))
        if year:
            keys.append(("name", (name_key(name), year)))
        earlier = [(reason, seen.setdefault((reason, key), result.row)) for reason, key in keys]
        for reason, row in earlier:
            if row != result.row:
                warning(SCHEMA, result, _MATCH_COLUMN[reason], _SAME_IN_FILE[reason]() % {"row": row})
                break
        matches = suspect_matches(ctx.actor, full_name=name, document_number=document, birth_year=year)
        if matches and self._imported_before(ctx, result):
            matches = []  # its record is one of them, and the others were shown when it was first imported
        for match in matches[:3]:
            case = match.criminal_case
            message = _SAME_RECORDED[match.reason]() % {
                "number": case.number,
                "year": case.year,
                "agency": case.investigating_agency.name,
            }
            warning(SCHEMA, result, _MATCH_COLUMN[match.reason], message)

    def _same_case(self, ctx: Context, result: RowResult) -> bool:
        """The case's fields agree with the first row of the same case number; a conflict is a row error."""
        values = result.values
        first = ctx.extra["groups"].setdefault(values["number"], (result.row, {k: values.get(k) for k in CASE_KEYS}))
        row, case_values = first
        if row == result.row:
            return True
        for key in CASE_KEYS:
            if _same(case_values[key]) != _same(values.get(key)):
                message = _("Row %(row)s gives case %(number)s another value here; write the case the same way.") % {
                    "row": row,
                    "number": values["number"],
                }
                result.errors.append(SCHEMA.error_for(result.row, key, result.raw, message))
        return not result.errors

    def _case(self, ctx: Context, values: dict, made: dict) -> CriminalCase:
        """The case of a row: made earlier in this commit, already recorded, or made now."""
        agency, detected = values["investigating_agency"], values["detected_on"]
        key = (agency.pk, detected.year, values["number"])
        if key in made:
            return made[key]
        found = self._found_case(ctx, values)
        if found is None:
            found = proceedings.create_criminal_case(actor=ctx.actor, data={k: values.get(k) for k in CASE_KEYS})
        made[key] = found
        return found

    def _write(self, ctx: Context, values: dict, made: dict) -> Suspect:
        criminal_case = self._case(ctx, values, made)
        return proceedings.add_suspect(actor=ctx.actor, criminal_case=criminal_case, data=_suspect_data(values))

    def payload(self, values: dict) -> dict:
        out = {}
        for key, value in values.items():
            if isinstance(value, date):
                out[key] = value.isoformat()
            elif key == "unit":
                out[key] = value.pk if value is not None else None
            elif key == "investigating_agency":
                out[key] = str(value.pk)
            else:
                out[key] = value
        return out

    def prepare(self, payloads: list[dict]) -> dict:
        return {
            "units": units_by_pk(p.get("unit") for p in payloads),
            "agencies": Agency.objects.in_bulk({uuid.UUID(p["investigating_agency"]) for p in payloads}),
        }

    def _values(self, payload: dict, refs: dict) -> dict:
        values = dict(payload)
        for key in DAY_KEYS:
            values[key] = date.fromisoformat(payload[key]) if payload.get(key) else None
        values["unit"] = refs["units"].get(payload.get("unit"))
        values["investigating_agency"] = refs["agencies"][uuid.UUID(payload["investigating_agency"])]
        for key in ("route", "sex", "destination_country", "nationality", "document_number", "address"):
            values[key] = payload.get(key) or ""
        values["exploitation_forms"] = payload.get("exploitation_forms") or []
        return values

    def create(self, ctx: Context, payload: dict, refs: dict):
        made = ctx.extra.setdefault("made", {})
        return self._write(ctx, self._values(payload, refs), made)

    def update(self, ctx: Context, target_id: str, version: int, payload: dict, refs: dict):
        """The suspect as of the version read at the dry run; the case's fields as they are now."""
        values = self._values(payload, refs)
        suspect = Suspect.objects.select_related("criminal_case").get(pk=target_id)
        criminal_case = suspect.criminal_case
        proceedings.update_criminal_case(
            actor=ctx.actor,
            criminal_case=criminal_case,
            version=criminal_case.version,
            data={k: values[k] for k in CASE_KEYS},
        )
        data = {k: values.get(k) for k in SUSPECT_KEYS if k != "age_band"}
        return proceedings.update_suspect(actor=ctx.actor, suspect=suspect, version=version, data=data)
