"""What the case forms share: the country and ethnic-group fields and the names they offer, a record
chosen from a list, and small builders of fields (units are chosen with `places.forms.UnitField`)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from haidang.common.countries import country_choices, resolve_country
from haidang.common.ethnicities import ethnicity_choices, resolve_ethnicity
from haidang.common.text import clean_text


def country_options() -> list[tuple[str, str]]:
    """(name, code) of every country in the page's language, for the field's suggestions."""
    return [(name, code) for code, name in country_choices(get_language() or "vi")]


class CountryField(forms.CharField):
    """A country by its name ("Campuchia", with or without diacritics) or its ISO 3166-1 alpha-3
    code (KHM); cleaned to the code. Suggestions come from a datalist of names."""

    default_error_messages = {
        "invalid": _("“%(value)s” is not a country: type its name (Campuchia) or its code (KHM)."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("The country's name (Campuchia, Trung Quốc, Lào) or its code (KHM)."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "list": "country-options", "spellcheck": "false"})

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return ""
        code = resolve_country(text)
        if code is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": text})
        return code


class EthnicityField(forms.ChoiceField):
    """One of the 54 ethnic groups, stored as its code; a name typed or sent ("Mông", "H'Mông") is
    taken as its group."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=[("", "—"), *ethnicity_choices()], **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        return resolve_ethnicity(text) or text


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
