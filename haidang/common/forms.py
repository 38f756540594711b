"""Form fields every domain uses the same way: a day, a count and an amount, typed as Vietnamese readers write them."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haidang.common.dates import DayError, parse_day

# Far above any real count, and below the database's integer limit (so nothing can overflow).
MAX_COUNT = 1_000_000_000
MAX_AMOUNT = 10**14 - 1  # đồng, 14 digits


class DayInput(forms.DateInput):
    """A day typed as text: shown dd/mm/yyyy; the phone's ordinary keyboard, since "/" is needed (a numeric
    keypad has none)."""

    def __init__(self, attrs=None):
        base = {"type": "text", "placeholder": "dd/mm/yyyy", "inputmode": "text", "autocomplete": "off"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


class DayField(forms.DateField):
    """A day as people type it (dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, ddmmyyyy or ISO), read by the
    one parser `common.dates.parse_day`; 31/11/2023 is refused with a message saying what is wrong."""

    widget = DayInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_day(value)
        except DayError as error:
            raise ValidationError(error.message, code="invalid") from None


class CountField(forms.IntegerField):
    """A count that may be left empty ("not recorded", which is not zero)."""

    default_error_messages = {
        "invalid": _("Enter a whole number, e.g. 120."),
        "min_value": _("Enter zero or more; a count cannot be negative."),
        "max_value": _("This number is too large."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_COUNT)
        # A plain text box with a numeric keypad: number inputs drop what they cannot parse.
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            # "1.200" or "1 200" as a Vietnamese reader writes twelve hundred.
            value = value.strip().replace(" ", "").replace("\u00a0", "")
            if value.count(".") and all(len(part) == 3 for part in value.lstrip("-").split(".")[1:]):
                value = value.replace(".", "")
        return super().to_python(value)


class MoneyField(forms.IntegerField):
    """An amount in đồng, typed with or without thousands separators (1.500.000 or 1,500,000)."""

    default_error_messages = {
        "invalid": _("Enter an amount in đồng, e.g. 1.500.000."),
        "min_value": _("Enter zero or more; a cost cannot be negative."),
        "max_value": _("This amount is too large."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_AMOUNT)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(ch for ch in value if ch not in " \u00a0.,")
            if value.lower().endswith(("đ", "d")):
                value = value[:-1]
        return super().to_python(value)
