"""Choosing a place in a form, and the unit browser's filters.

`UnitField` is the one field for a unit, in every form: it takes a name with or without diacritics
("Thạch Thất", "thach that"), a name with its parents ("Xã Thạch Thất — Thành phố Hà Nội"), or a code,
and the form resolves it on the date the record is about with `resolve_unit_field` (through the one
name resolver, `places.resolver`). Without script it works on the server alone: a name that is not
sure gives a choice of units (radio buttons) on the next page, not an error about a code; with script
the vendored picker (`static/places/unit-picker.js`) suggests units as you type, for the record's
date, showing each unit's parent and what an old unit became. The text box opens the phone's normal
keyboard (names are letters).
"""

import re
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidang.common.forms import DayField
from haidang.common.text import clean_text, fold
from haidang.places import resolver
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.territory import Territory

MAX_TEXT = 200
CODE_SUFFIX = "__code"
CHOICE_SUFFIX = "__choice"


@dataclass(frozen=True)
class UnitInput:
    """What came in for a unit field: the text typed, and a code the picker or a choice gave."""

    text: str = ""
    code: str = ""
    choice: str = ""

    def __bool__(self) -> bool:
        return bool(self.text or self.code or self.choice)


class UnitPicker(forms.Widget):
    """A text box for a name or code, a hidden code the picker fills, and (after an unsure name) a choice."""

    template_name = "places/widgets/unit_picker.html"

    def __init__(self, attrs=None, *, date_field: str = "", levels=None):
        base = {"autocomplete": "off", "spellcheck": "false", "inputmode": "text", "maxlength": str(MAX_TEXT)}
        super().__init__(attrs={**base, **(attrs or {})})
        self.date_field = date_field
        self.levels = tuple(levels or ())
        # Set by `resolve_unit_field` for the next rendering: the unit found, or the units to choose from.
        self.resolved: resolver.Described | None = None
        self.alternatives: list[resolver.Described] = []

    def value_from_datadict(self, data, files, name):
        return UnitInput(
            text=str(data.get(name) or "")[:MAX_TEXT],
            code=str(data.get(name + CODE_SUFFIX) or "")[:10],
            choice=str(data.get(name + CHOICE_SUFFIX) or "")[:10],
        )

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + CODE_SUFFIX not in data and name + CHOICE_SUFFIX not in data

    def format_value(self, value):
        if isinstance(value, AdministrativeUnit):
            return resolver.label(value)
        if isinstance(value, UnitInput):
            return value.text
        return "" if value is None else str(value)

    def _code(self, value) -> str:
        if self.resolved is not None:
            return self.resolved.code
        if isinstance(value, AdministrativeUnit):
            return value.code
        if isinstance(value, UnitInput):
            return value.code
        return ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        if self.resolved is not None:
            widget["value"] = self.resolved.label
        widget["attrs"].update(
            {
                "data-suggest-url": reverse("places:suggest"),
                "data-date-field": self.date_field,
                "data-levels": ",".join(str(level) for level in self.levels),
            }
        )
        widget.update(
            code_name=name + CODE_SUFFIX,
            code=self._code(value),
            choice_name=name + CHOICE_SUFFIX,
            resolved=self.resolved,
            alternatives=self.alternatives,
            listbox_id=f"{widget['attrs'].get('id') or name}-suggestions",
        )
        return context


class UnitField(forms.Field):
    """A unit by name or code; which unit it is depends on the record's date, so the form resolves it in its
    `clean` with `resolve_unit_field(form, name, day)`. `date_field` names the form's date field that the
    picker reads to suggest units valid on that day; `levels` limits the kinds of unit."""

    widget = UnitPicker
    default_error_messages = {"required": _("Name the unit (a commune or province), or give its code.")}

    def __init__(self, *, date_field: str = "", levels=None, **kwargs):
        kwargs.setdefault("label", _("Unit"))
        kwargs.setdefault(
            "help_text", _("Type the name of the commune or province (with or without accents), or its code.")
        )
        super().__init__(**kwargs)
        self.levels = tuple(levels or ())
        self.widget.date_field = date_field
        self.widget.levels = self.levels

    def to_python(self, value):
        if isinstance(value, AdministrativeUnit):
            return UnitInput(text=resolver.label(value), code=value.code)
        if isinstance(value, UnitInput):
            return UnitInput(text=clean_text(value.text), code=value.code.strip(), choice=value.choice.strip())
        return UnitInput(text=clean_text(str(value or "")))

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        value = self.to_python(value)
        self.validate(value)
        return value if value else None

    def has_changed(self, initial, data):
        return self.to_python(initial).text != self.to_python(data).text


def _given_code(found: UnitInput, day: date, levels) -> AdministrativeUnit | None:
    """The unit of a choice or of the picker's code, when it still fits the text beside it."""
    code = found.choice or found.code
    if not code:
        return None
    chosen = resolver.resolve(code, day=day, levels=levels)
    if chosen.unit is None:
        return None
    if found.choice or not found.text:
        return chosen.unit
    text = fold(found.text)
    if text in {fold(resolver.label(chosen.unit)), fold(chosen.unit.name), fold(code)}:
        return chosen.unit
    return None  # the text was changed after the code was given: read the text


def _resolved(field: forms.Field, found: UnitInput, day: date, user=None) -> AdministrativeUnit:
    """The unit a field's input names on `day`, remembered by its widget for the next rendering; or a
    ValidationError saying why not, the widget then offering the units to choose from."""
    levels = getattr(field, "levels", ()) or None
    unit = _given_code(found, day, levels)
    if unit is None:
        prefer = resolver.home_paths(user)
        resolution = resolver.resolve(found.text or found.code, day=day, levels=levels, prefer=prefer)
        unit = resolution.unit
        if unit is None:
            if resolution.alternatives:
                field.widget.alternatives = resolver.describe(resolution.alternatives)
            raise ValidationError(resolution.message, code=resolution.status)
    field.widget.resolved = resolver.describe([resolver.Match(unit, 1.0)])[0]
    return unit


def resolve_unit_field(form: forms.Form, name: str, day: date | None, *, user=None) -> AdministrativeUnit | None:
    """Resolve the unit field `name` on `day` and return the unit (also left in `cleaned_data[name]`).

    When the text is not sure, the reason goes on the field and the widget offers the units to choose
    from on the next rendering; when it names no unit, the reason alone. Nothing when the field is empty
    or the day is not known (the date field has its own error then).
    """
    found = form.cleaned_data.get(name)
    form.cleaned_data[name] = None
    if not isinstance(found, UnitInput) or not found or day is None:
        return None
    try:
        unit = _resolved(form.fields[name], found, day, user)
    except ValidationError as error:
        form.add_error(name, error)
        return None
    form.cleaned_data[name] = unit
    return unit


class CurrentUnitField(UnitField):
    """A unit of today's map by name or code, resolved by the field itself (no record date to wait for):
    for the agencies and memberships of the access administration. Cleans to the unit (or None)."""

    default_error_messages = {"required": _("Name the unit, or give its code.")}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", _("A unit of today's map by name or code: the country (VN), a province or a commune.")
        )
        super().__init__(**kwargs)

    def clean(self, value):
        found = super().clean(value)
        if found is None:
            return None
        return _resolved(self, found, timezone.localdate())


# --- Several units -----------------------------------------------------------------------------------

_LIST_SPLIT = re.compile(r"[\n;]+")
_CODES_ONLY = re.compile(r"^[\dA-Za-z]{1,5}(?:[\s,]+[\dA-Za-z]{1,5})+$")


@dataclass(frozen=True)
class UnitListInput:
    """The lines typed for a list of units, and the choices made for lines that were not sure."""

    lines: tuple[str, ...] = ()
    choices: tuple[tuple[int, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.lines)


def _lines(text: str) -> list[str]:
    lines = []
    for part in _LIST_SPLIT.split(text or ""):
        part = clean_text(part)
        if _CODES_ONLY.match(part) and any(ch.isdigit() for ch in part):  # "01, 31 79": codes as before
            lines.extend(code for code in re.split(r"[\s,]+", part) if code)
        elif part:
            lines.append(part)
    return lines


class UnitListPicker(forms.Textarea):
    """One unit per line (name or code); with script, a picker box adds chosen units as lines."""

    template_name = "places/widgets/unit_list_picker.html"

    def __init__(self, attrs=None, *, date_field: str = "", levels=None):
        super().__init__(attrs={"rows": 3, "spellcheck": "false", **(attrs or {})})
        self.date_field = date_field
        self.levels = tuple(levels or ())
        self.resolved: list[str] = []
        self.unsure: list[tuple[int, str, list[resolver.Described]]] = []

    def value_from_datadict(self, data, files, name):
        prefix = name + CHOICE_SUFFIX + "_"
        choices = tuple(
            (int(key[len(prefix) :]), str(value)[:10])
            for key, value in data.items()
            if key.startswith(prefix) and key[len(prefix) :].isdigit() and value
        )
        return UnitListInput(lines=tuple(_lines(str(data.get(name) or "")[:8000])), choices=choices)

    def format_value(self, value):
        if isinstance(value, UnitListInput):
            return "\n".join(value.lines)
        if isinstance(value, list | tuple):
            return "\n".join(
                resolver.label(item) if isinstance(item, AdministrativeUnit) else str(item) for item in value
            )
        return "" if value is None else str(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        if self.resolved:
            widget["value"] = "\n".join(self.resolved)
        widget.update(
            suggest_url=reverse("places:suggest"),
            date_field=self.date_field,
            levels=",".join(str(level) for level in self.levels),
            choice_prefix=name + CHOICE_SUFFIX + "_",
            unsure=self.unsure,
        )
        return context


class UnitListField(forms.Field):
    """Several units, one per line, by name or code; resolved on the record's date by the form with
    `resolve_unit_list_field`. A line that is not sure gives a choice, like `UnitField`."""

    widget = UnitListPicker

    def __init__(self, *, date_field: str = "", levels=None, max_units: int = 200, **kwargs):
        super().__init__(**kwargs)
        self.levels = tuple(levels or ())
        self.max_units = max_units
        self.widget.date_field = date_field
        self.widget.levels = self.levels

    def to_python(self, value):
        if isinstance(value, UnitListInput):
            return value
        if isinstance(value, list | tuple):
            return UnitListInput(lines=tuple(getattr(item, "code", str(item)) for item in value))
        return UnitListInput(lines=tuple(_lines(str(value or ""))))

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value.lines) > self.max_units:
            raise ValidationError(_("Name at most %(count)s units.") % {"count": self.max_units}, code="too_many")

    def clean(self, value):
        value = self.to_python(value)
        self.validate(value)
        return value


def resolve_unit_list_field(form: forms.Form, name: str, day: date | None, *, user=None) -> list[AdministrativeUnit]:
    """Resolve every line of the list field `name` on `day`; the units (no repeats) are left in
    `cleaned_data[name]`. A line that is not sure puts its reason on the field and a choice on the widget."""
    field = form.fields[name]
    found = form.cleaned_data.get(name)
    form.cleaned_data[name] = []
    if not isinstance(found, UnitListInput) or not found or day is None:
        return []
    levels = getattr(field, "levels", ()) or None
    chosen = dict(found.choices)
    units: dict[int, AdministrativeUnit] = {}
    labels, problems = [], []
    for index, line in enumerate(found.lines):
        resolution = resolver.resolve(
            chosen.get(index) or line, day=day, levels=levels, prefer=resolver.home_paths(user)
        )
        if resolution.unit is None and chosen.get(index):
            resolution = resolver.resolve(line, day=day, levels=levels)
        if resolution.unit is not None:
            units.setdefault(resolution.unit.pk, resolution.unit)
            labels.append(resolver.label(resolution.unit))
            continue
        labels.append(line)
        problems.append(_("Line %(line)s: %(message)s") % {"line": index + 1, "message": resolution.message})
        if resolution.alternatives:
            field.widget.unsure.append((index, line, resolver.describe(resolution.alternatives)))
    field.widget.resolved = labels
    if problems:
        form.add_error(name, problems)
        return []
    form.cleaned_data[name] = list(units.values())
    return form.cleaned_data[name]


def unit_in_data(data, name: str, day: date) -> AdministrativeUnit | None:
    """The unit a submitted (not yet cleaned) unit field names on `day`, or None: for choices that depend on
    it, such as the agencies of a receiving unit."""
    if not data:
        return None
    found = UnitPicker().value_from_datadict(data, None, name)
    if not found:
        return None
    unit = _given_code(found, day, None)
    return unit if unit is not None else resolver.resolve(found.text, day=day).unit


def map_date_field(**kwargs) -> DayField:
    """The map date of a unit filter: the unit is read as it was on this day (empty: today's map)."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("label", _("Units as on"))
    kwargs.setdefault("help_text", _("dd/mm/yyyy, for a unit before 01/07/2025; empty for today's map."))
    return DayField(**kwargs)


def filter_unit_field(**kwargs) -> UnitField:
    """The unit of a list's filters, read on the map date of the form's `as_of` field."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("date_field", "as_of")
    kwargs.setdefault(
        "help_text",
        _("A province or commune by name or code: its records, and those of the old units that went into it."),
    )
    return UnitField(**kwargs)


def resolve_filter_territory(form: forms.Form, *, start=None, end=None, user=None) -> Territory | None:
    """The territory of a filter form's `unit` on its `as_of` day (default today), checked against the period
    from `start` to `end` (`places.territory`); the reason goes on the `unit` field when it cannot answer."""
    day = form.cleaned_data.get("as_of") or timezone.localdate()
    unit = resolve_unit_field(form, "unit", day, user=user)
    if unit is None:
        return None
    territory = Territory(unit=unit, as_of=day)
    problem = territory.period_error(start, end)
    if problem:
        form.add_error("unit", problem)
        return None
    return territory


class UnitDateForm(forms.Form):
    as_of = DayField(required=False, label=_("On date"), help_text=_("dd/mm/yyyy; empty for today"))


class UnitFilterForm(UnitDateForm):
    q = forms.CharField(
        required=False,
        max_length=100,
        label=_("Name or code"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. Thạch Thất or thach that")}),
    )
    level = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=_("Level"),
        choices=[
            ("", _("All levels")),
            (UnitLevel.PROVINCE, _("Provinces")),
            (UnitLevel.DISTRICT, _("Districts (until 30/06/2025)")),
            (UnitLevel.COMMUNE, _("Communes")),
        ],
    )

    field_order = ["q", "level", "as_of"]
