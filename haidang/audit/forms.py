"""The auditor's filters, shared by the page and the API so both read the same way."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.audit.selectors import parse_moment

MOMENT_HELP = _("dd/mm/yyyy, or dd/mm/yyyy HH:MM")


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    unit = forms.CharField(
        label=_("Unit code"), required=False, max_length=16, help_text=_("Includes the units below it.")
    )
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
                _("Enter a real date as dd/mm/yyyy, optionally with a time as HH:MM."), code="invalid_date"
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
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for `selectors.filter_entries` (call after is_valid())."""
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

    def as_record(self) -> dict:
        """The filters as typed, for the audit entry that records this reading of the log."""
        return {name: self.data.get(name, "")[:64] for name in self.fields if self.data.get(name)}
