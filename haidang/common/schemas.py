"""The API's shared shapes: the clean base of every input, code lists, and references to units and agencies.

Every input (body, filters) derives from `CleanSchema`, which refuses a NUL character in any text
with a 400 naming the field (PostgreSQL cannot store one; a query string or path with one is
refused by `common.middleware.RejectNulMiddleware` before it reaches a view).
"""

from datetime import date
from typing import Annotated
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema, field_validator

from haidang.common.dates import DayError, parse_day


def has_nul(value) -> bool:
    """True when a NUL character hides anywhere in the value (text, list, tuple or mapping)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_nul(item) for item in value)
    return False


class CleanSchema(Schema):
    """The base of every input: a NUL character in any text is refused with a message on its field."""

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value):
        if has_nul(value):
            raise ValueError(_("Enter valid text of the allowed length."))
        return value


def code_of(choices, *, blank: bool = False, validate: bool = True, description: str = ""):
    """A code from a Django choices class (or "" when `blank`), listed in the OpenAPI document.

    With `validate=False` the schema only documents the list and the service checks the value (for
    services that answer a wrong code with their own message).
    """
    values = list(choices.values)
    schema: dict = {"type": "string", "enum": ["", *values] if blank else values}
    if description:
        schema["description"] = description
    if not validate:
        return Annotated[str, WithJsonSchema(schema)]

    def check(value: str) -> str:
        if (blank and value == "") or value in values:
            return value
        raise ValueError(_("Choose one of the allowed values."))

    return Annotated[str, AfterValidator(check), WithJsonSchema(schema)]


def _day(value):
    try:
        return parse_day(value)
    except DayError as error:
        raise ValueError(error.message) from None


# A day in a query parameter, read by the forms' parser: ISO 8601 (documented) or dd/mm/yyyy and the other
# ways people type a day; an impossible day answers 400 naming the parameter and what is wrong with it.
Day = Annotated[
    date,
    BeforeValidator(_day),
    WithJsonSchema({"type": "string", "format": "date", "description": "ISO 8601 (yyyy-mm-dd); dd/mm/yyyy also."}),
]

UnitCode = Annotated[str, Field(max_length=10)]


class UnitRef(Schema):
    """An administrative unit as a record names it."""

    code: str
    name: str
    level: int


class AgencyRef(Schema):
    id: UUID
    name: str


def unit_ref(unit) -> dict | None:
    return None if unit is None else {"code": unit.code, "name": unit.name, "level": unit.level}


def agency_ref(agency) -> dict | None:
    return None if agency is None else {"id": agency.id, "name": agency.name}
