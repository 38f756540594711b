"""What the case forms share: the country field and its suggestions, a record chosen from a list, and small
builders of fields (units are chosen with `places.forms.UnitField`)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haidang.common.text import clean_text

# Countries met most often on trafficking routes from and through Vietnam, offered as suggestions
# (any ISO 3166-1 alpha-3 code is accepted).
COUNTRY_SUGGESTIONS = {
    "KHM": _("Cambodia"),
    "CHN": _("China"),
    "LAO": _("Laos"),
    "MMR": _("Myanmar"),
    "THA": _("Thailand"),
    "MYS": _("Malaysia"),
    "PHL": _("Philippines"),
    "IDN": _("Indonesia"),
    "SGP": _("Singapore"),
    "TWN": _("Taiwan"),
    "KOR": _("Republic of Korea"),
    "JPN": _("Japan"),
    "ARE": _("United Arab Emirates"),
    "SAU": _("Saudi Arabia"),
    "RUS": _("Russia"),
    "DEU": _("Germany"),
    "GBR": _("United Kingdom"),
    "FRA": _("France"),
    "USA": _("United States"),
    "VNM": _("Viet Nam"),
}


class CountryField(forms.CharField):
    """An ISO 3166-1 alpha-3 country code, e.g. KHM; suggestions come from a datalist."""

    default_error_messages = {"invalid": _("Enter a three-letter country code, for example KHM for Cambodia.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Three-letter code, e.g. KHM (Cambodia), CHN (China), LAO (Laos)."))
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "off", "list": "country-options", "spellcheck": "false", "class": "short"}
        )

    def clean(self, value):
        code = (super().clean(value) or "").strip().upper()
        if code and not (len(code) == 3 and code.isascii() and code.isalpha()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return code


def _checkboxes(choices, label, **kwargs):
    kwargs.setdefault("required", False)
    return forms.MultipleChoiceField(label=label, choices=choices, widget=forms.CheckboxSelectMultiple, **kwargs)


def _text(label, *, max_length=255, required=False, **kwargs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        **kwargs,
    )


def _blank(choices):
    return [("", "—"), *choices]


MAX_TEXT = 4_000
MAX_QUANTITY = 100_000


class ListedChoiceField(forms.ModelChoiceField):
    """A record chosen from a list; anything else (including a value that is not an id) is "not listed"."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_choice":
                raise
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


def _long_text(label, *, required=False, rows=3, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _count(label, *, required=True, max_value=MAX_QUANTITY, **kwargs):
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1,
        max_value=max_value,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "short"}),
        error_messages={
            "invalid": _("Enter a whole number, for example 10."),
            "min_value": _("Enter one or more."),
            "max_value": _("Enter at most %(limit_value)s."),
        },
        **kwargs,
    )


def _agency_choice(label, queryset, *, required=True, **kwargs):
    return ListedChoiceField(
        label=label,
        queryset=queryset,
        required=required,
        empty_label="—",
        error_messages={
            "invalid_choice": _("Choose an agency from the list."),
        },
        **kwargs,
    )


def _clean_texts(form: forms.Form, *names: str) -> None:
    for name in names:
        if name in form.cleaned_data:
            form.cleaned_data[name] = clean_text(form.cleaned_data[name])


def _row_id(kind: str, record) -> str | None:
    """auto_id for a form shown once per row of a list, so that its ids stay unique on the page."""
    return f"id_{kind}-{record.pk}_%s" if record is not None else None
