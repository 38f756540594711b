"""Numbers as the reader writes them: 7.116 and 33,3% on Vietnamese pages, 7,116 and 33.3% on English ones.

The one helper for every number a person reads: templates use the `number` and `percent` filters
(built into every template, `haidang.common.templatetags.numbers`), Python that builds text for a
page (a change column, a rate) calls `format_number` and `format_percent`. Files and answers meant
for re-use (CSV, XLSX, the JSON API) keep raw numbers. Formats come from `config/formats/<language>`.
"""

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format


def _as_number(value):
    """An int, float or Decimal from `value`; None for blanks and for text that is not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def format_number(value, decimals: int | None = None, *, signed: bool = False) -> str:
    """`value` with the active language's thousands separator and decimal mark.

    `decimals` fixes the digits after the mark (None: as many as the value has); `signed` writes
    "+" before a positive value (a change). Blank for None; text that is not a number is returned
    unchanged, so a filter never hides what it was given.
    """
    number = _as_number(value)
    if number is None:
        return "" if value is None else str(value)
    text = number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    if signed and number > 0:
        text = "+" + text
    return text


def format_percent(value, decimals: int = 1, *, signed: bool = False) -> str:
    """A percentage, one decimal by default: "-33,3%" in Vietnamese. Blank for None."""
    if _as_number(value) is None:
        return "" if value is None else str(value)
    return format_number(value, decimals, signed=signed) + "%"
