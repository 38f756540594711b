"""Follow-up visits."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.cases.forms._common import _clean_texts, _long_text
from haidang.common.forms import DayField


class VisitForm(forms.Form):
    visit_date = DayField(label=_("Visit date"))
    situation = _long_text(
        _("Situation"), required=True, help_text=_("How the person is doing: health, family, work or school, safety.")
    )
    needs = _long_text(_("Needs"), rows=2)
    next_visit_on = DayField(label=_("Next visit"), required=False)

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "situation", "needs")
        return cleaned
