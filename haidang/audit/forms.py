"""The auditor's filters, shared by the page and the API so both read the same way."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.audit.selectors import moment_error, parse_moment
from haidang.places.forms import filter_unit_field, map_date_field, resolve_filter_territory

MOMENT_HELP = _("dd/mm/yyyy, or dd/mm/yyyy HH:MM")


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    unit = filter_unit_field(
        label=_("Unit"),
        help_text=_("By name or code: its entries and those of the units below it (old units placed in it)."),
    )
    as_of = map_date_field()
    object_type = forms.CharField(
        label=_("Object type"), required=False, max_length=100, help_text=_("For example cases.case")
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    action = forms.CharField(
        label=_("Action"), required=False, max_length=64, help_text=_("End with a dot for a group, e.g. access.")
    )
    since = forms.CharField(label=_("From"), required=False, max_length=40, help_text=MOMENT_HELP)
    until = forms.CharField(label=_("To"), required=False, max_length=40, help_text=MOMENT_HELP)

    def _clean_moment(self, name: str):
        text = self.cleaned_data.get(name, "")
        if not text:
            return None
        moment = parse_moment(text)
        if moment is None:
            raise forms.ValidationError(
                moment_error(text) or _("Enter a real date as dd/mm/yyyy, optionally with a time as HH:MM."),
                code="invalid_date",
            )
        return moment

    def clean_since(self):
        return self._clean_moment("since")

    def clean_until(self):
        return self._clean_moment("until")

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since is not None and until is not None and until.end <= since.start:
            self.add_error("until", _("The end must come after the start."))
        cleaned["territory"] = resolve_filter_territory(
            self,
            start=since.start.date() if since is not None else None,
            end=(until.end - timedelta(microseconds=1)).date() if until is not None else None,
        )
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for `selectors.filter_entries` (call after is_valid())."""
        skip = {"unit", "as_of"}  # they are `territory`
        return {
            name: value for name, value in self.cleaned_data.items() if value not in ("", None) and name not in skip
        }

    def as_record(self) -> dict:
        """The filters as typed, for the audit entry that records this reading of the log."""
        return {name: self.data.get(name, "")[:64] for name in self.fields if self.data.get(name)}
