"""Form 07 applications and their decisions."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haidang.cases.forms._common import _blank, _checkboxes, _clean_texts, _long_text, _row_id, _text
from haidang.cases.models import ApplicantKind, ApplicationStatus, ReintegrationRegime, SubmissionChannel
from haidang.common.forms import DayField


class ApplicationForm(forms.Form):
    """A Form 07 application, recorded on receipt."""

    beneficiary = forms.ChoiceField(label=_("Victim"))
    applicant = forms.ChoiceField(label=_("Filed by"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON)
    applicant_name = _text(_("Name of the family member who filed"), help_text=_("When the family files."))
    submitted_via = forms.ChoiceField(
        label=pgettext_lazy("submission channel", "Submitted"),
        choices=SubmissionChannel.choices,
        initial=SubmissionChannel.IN_PERSON,
    )
    received_on = DayField(label=_("Received on"))
    regimes = _checkboxes(
        ReintegrationRegime.choices,
        _("Support requested"),
        required=True,
        error_messages={"required": _("Choose at least one kind of support.")},
    )

    def __init__(self, *args, beneficiaries=(), **kwargs):
        kwargs.setdefault("auto_id", "id_application_%s")
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].choices = list(beneficiaries)

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "applicant_name")
        return cleaned


APPLICATION_DECISIONS = (
    (ApplicationStatus.APPROVED, _("Approved")),
    (ApplicationStatus.REFUSED, _("Refused")),
)


class ApplicationDecisionForm(forms.Form):
    status = forms.ChoiceField(label=_("Decision"), choices=_blank(APPLICATION_DECISIONS))
    decided_on = DayField(label=_("Decided on"))
    decision_number = _text(_("Decision number"), max_length=60, help_text=_("Needed for an approval."))
    approved_regimes = _checkboxes(
        ReintegrationRegime.choices, _("Support approved"), help_text=_("Leave empty to approve all requested.")
    )
    reason = _long_text(_("Reason"), rows=2, help_text=_("Needed for a refusal."))

    def __init__(self, *args, application=None, **kwargs):
        kwargs.setdefault("auto_id", _row_id("decide", application))
        super().__init__(*args, **kwargs)
        if application is not None:
            labels = dict(ReintegrationRegime.choices)
            self.fields["approved_regimes"].choices = [(code, labels.get(code, code)) for code in application.regimes]

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "decision_number", "reason")
        return cleaned
