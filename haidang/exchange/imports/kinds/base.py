"""What every kind of register shares: its schema, the context a dry run builds once (units, agencies,
the importer's scope), the checks beside the schema, and how a staged row becomes a record."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from haidang.access.models import Agency
from haidang.common.text import clean_text, fold
from haidang.exchange.rows import LIST_SEPARATORS, RowError, RowResult, Schema, UnitCache
from haidang.places.models import AdministrativeUnit


@dataclass
class Context:
    """Built once per dry run or commit: the importer, their scope, and what rows name by text."""

    actor: object
    batch: object
    units: UnitCache
    agencies: dict[str, Agency] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def agency(self, text: str) -> Agency | None:
        if not text:
            return None
        folded = self.extra.setdefault("_folded", {})
        if text not in folded:
            folded[text] = fold(text)
        return self.agencies.get(folded[text])


class Kind:
    """One kind of register. Subclasses set `code`, `schema`, `capability`, and write `context`,
    `checks`, `payload`, `create` and `update`."""

    code = ""
    schema: Schema
    capability = ""
    model = None
    # Whether a changed row may update its record ("update existing"); else it stays as it is, with a warning.
    updatable = True

    def context(self, actor, batch) -> Context:
        raise NotImplementedError

    def checks(self, ctx: Context) -> list:
        return []

    def payload(self, values: dict) -> dict:
        raise NotImplementedError

    def create(self, ctx: Context, payload: dict):
        raise NotImplementedError

    def update(self, ctx: Context, record, version: int, payload: dict):
        raise NotImplementedError

    def current_version(self, target_id: str) -> int | None:
        found = self.model.objects.filter(pk=target_id).values_list("version", flat=True).first()
        return found


def agencies_by_name(queryset) -> dict[str, Agency]:
    """Agencies by their folded name and short name (a name two agencies share is left out: ambiguous)."""
    found: dict[str, Agency] = {}
    shared: set[str] = set()
    for agency in queryset:
        for name in {fold(agency.name), fold(agency.short_name)} - {""}:
            if name in found and found[name].pk != agency.pk:
                shared.add(name)
            found[name] = agency
    for name in shared:
        found.pop(name, None)
    return found


def field_errors(schema: Schema, result: RowResult, error: ValidationError, fields: dict[str, str]) -> None:
    """A domain service's {field: [messages]} onto the row's columns (`fields` maps a field to its key)."""
    messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    for name, texts in messages.items():
        key = fields.get(name, name)
        for text in texts:
            result.errors.append(schema.error_for(result.row, key, result.raw, str(text)))


def read_agencies(ctx: Context, schema: Schema, result: RowResult, key: str, *, many: bool = False):
    """Agencies named in a column (several separated by ";"), each one the importer may name."""
    text = clean_text(str(result.raw.get(key) or ""))
    names = [part for part in LIST_SEPARATORS.split(text) if part] if many else ([text] if text else [])
    agencies = []
    for name in names:
        agency = ctx.agency(name)
        if agency is None:
            result.errors.append(
                schema.error_for(
                    result.row,
                    key,
                    result.raw,
                    _("“%(name)s” is not an agency you can name (write its full name as the system lists it).")
                    % {"name": name},
                )
            )
        else:
            agencies.append(agency)
    return agencies


class RowFailedError(Exception):
    """A bulk write refused one of the rows it was given: `index` in the list, `error` what the service raised."""

    def __init__(self, index: int, error: Exception):
        super().__init__(str(error))
        self.index = index
        self.error = error


def covering(scope, capability: str):
    """`scope.covers_unit` for the units of a register, answered once per unit."""
    answers: dict = {}

    def covers(unit) -> bool:
        if unit.pk not in answers:
            answers[unit.pk] = scope.covers_unit(unit, capability)
        return answers[unit.pk]

    return covers


def units_by_pk(ids) -> dict[int, AdministrativeUnit]:
    ids = {pk for pk in ids if pk}
    return AdministrativeUnit.objects.in_bulk(ids) if ids else {}


def warning(schema: Schema, result: RowResult, key: str, message: str) -> None:
    result.warnings.append(schema.error_for(result.row, key, result.raw, message))


__all__ = [
    "Context",
    "Kind",
    "RowError",
    "RowFailedError",
    "agencies_by_name",
    "covering",
    "field_errors",
    "read_agencies",
    "units_by_pk",
    "warning",
]
