"""Errors for a unit code that does not name a unit on a given day, with a message a user can act on."""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from haidang.common.dates import format_day
from haidang.places.models import AdministrativeUnit


class UnitLookupError(AdministrativeUnit.DoesNotExist):
    """Base class; a DoesNotExist, so code that already handles a missing unit handles these too."""

    api_code = "unit_lookup"

    def __init__(self, message: str, *, code: str, day: date):
        super().__init__(message)
        self.message = message
        self.code = code
        self.day = day

    def __str__(self) -> str:
        return self.message


class UnknownUnitError(UnitLookupError):
    api_code = "unknown_unit"

    def __init__(self, code: str, day: date):
        super().__init__(_("There is no administrative unit with code %(code)s.") % {"code": code}, code=code, day=day)


class UnitNotValidError(UnitLookupError):
    """The code names a unit, but not one that existed on the day asked for."""

    api_code = "unit_not_valid"

    def __init__(self, unit: AdministrativeUnit, day: date, successors: list[AdministrativeUnit] | None = None):
        self.unit = unit
        self.successors = list(successors or [])
        params = {"unit": unit.name, "code": unit.code, "date": format_day(day)}
        if unit.valid_from is not None and day < unit.valid_from:
            params["start"] = format_day(unit.valid_from)
            message = _("%(unit)s (code %(code)s) was not valid on %(date)s; it exists from %(start)s.") % params
        elif self.successors:
            # The day the successors took over (the crosswalk's date, else the day after the unit ended).
            fallback = unit.valid_to + timedelta(days=1) if unit.valid_to else day
            params["since"] = format_day(min(getattr(s, "effective_on", None) or fallback for s in self.successors))
            params["successors"] = ", ".join(s.name for s in self.successors)
            message = (
                _("%(unit)s (code %(code)s) was not valid on %(date)s; since %(since)s it belongs to %(successors)s.")
                % params
            )
        else:
            params["end"] = format_day(unit.valid_to) if unit.valid_to else ""
            message = _("%(unit)s (code %(code)s) was not valid on %(date)s; it ended on %(end)s.") % params
        super().__init__(message, code=unit.code, day=day)
