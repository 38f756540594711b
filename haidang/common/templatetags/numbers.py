"""`{{ value|number }}`, `{{ value|number:1 }}`, `{{ value|percent }}`: numbers in the reader's language.

Built into every template (TEMPLATES["OPTIONS"]["builtins"]), so no `{% load %}` is needed.
"""

from django import template

from haidang.common.numbers import format_number, format_percent

register = template.Library()


@register.filter
def number(value, decimals=None):
    """7116 → "7.116" (Vietnamese) or "7,116" (English); `decimals` fixes the digits after the mark."""
    return format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def signed_number(value):
    """A change: "+3", "-1.200" (blank for None)."""
    return format_number(value, signed=True)


@register.filter
def percent(value, decimals=1):
    """33.3 → "33,3%" (Vietnamese) or "33.3%" (English); blank for None."""
    return format_percent(value, int(decimals))
