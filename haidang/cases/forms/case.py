"""One form per allowed transition of the case."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.cases import timelimits, workflow
from haidang.cases.forms._common import _blank, _checkboxes, _text
from haidang.cases.models import CaseStatus, ConfirmingDocument
from haidang.common.forms import DayField
from haidang.common.text import clean_text

MAX_NOTE = 5_000


# Documents confirming victim status (Law 53/2024 Art. 33(1)): the code list of the model.
IDENTIFICATION_DOCUMENT_TYPES = tuple(ConfirmingDocument.choices)


class TransitionForm(forms.Form):
    """One step of the transition table. `version` and `target` keep their plain names (the page
    has one form per step, the other fields carry the step's prefix so their ids stay unique)."""

    PLAIN_FIELDS = ("version", "target")

    version = forms.IntegerField(
        label=_("Version"),
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form was incomplete; reload the case and try again."),
            "invalid": _("The form was incomplete; reload the case and try again."),
            "min_value": _("The form was incomplete; reload the case and try again."),
        },
    )
    target = forms.CharField(
        label=_("Step"),
        max_length=30,
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose one of the steps offered on this page.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
    event_date = DayField(
        label=_("Date it happened"),
        required=False,
        help_text=_("Leave empty for today. Not in the future, not before the previous step."),
    )
    late_reason = forms.CharField(
        label=_("Why it is recorded late"),
        required=False,
        max_length=MAX_NOTE,
        help_text=_("Needed when the step happened more than %(days)s days ago."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, step: workflow.Transition | None = None, target: str = "", **kwargs):
        self.step = step
        self.step_target = step.target if step is not None else target
        kwargs.setdefault("prefix", f"step-{self.step_target or 'unknown'}")
        super().__init__(*args, **kwargs)
        for name in self.PLAIN_FIELDS:
            self.fields[name].widget.attrs["id"] = f"id_{self.prefix}-{name}"
        requires = step.requires if step is not None else ()
        self.fields["late_reason"].help_text = self.fields["late_reason"].help_text % {
            "days": timelimits.backdate_days_without_reason()
        }
        if step is not None and step.target in (CaseStatus.RECEIVED, CaseStatus.IDENTIFIED):
            # Dated by the reception date, or by the decision date.
            del self.fields["event_date"]
        if step is not None and step.needs_note:
            note = self.fields["note"]
            note.required = True
            note.label = _("Reason")
            note.error_messages["required"] = _("Give the reason.")
        if "decision_date" in requires:
            self.fields["decision_date"] = DayField(label=_("Decision date"))
            self.fields["evidence_sources"] = _checkboxes(
                list(workflow.EVIDENCE_SOURCES.items()),
                _("Evidence relied on (Art. 32)"),
                required=True,
                error_messages={"required": _("Tick at least one source of evidence.")},
            )
            self.fields["document_type"] = forms.ChoiceField(
                label=_("Confirming document"), choices=_blank(IDENTIFICATION_DOCUMENT_TYPES)
            )
            self.fields["document_issuer"] = _text(_("Issued by"), required=True)
            self.fields["document_number"] = _text(_("Document number"), max_length=60, required=True)
            self.fields["document_date"] = DayField(label=_("Document date"))
        if "closure_reasons" in requires:
            self.fields["closure_reasons"] = _checkboxes(
                list(workflow.CLOSURE_REASONS.items()),
                _("Reasons for closing"),
                required=True,
                error_messages={"required": _("Tick at least one reason for closing.")},
            )
        # The note and the dates last, after what the step needs.
        tail = ("note", "event_date", "late_reason")
        self.order_fields(
            [*self.PLAIN_FIELDS, *(n for n in self.fields if n not in (*self.PLAIN_FIELDS, *tail)), *tail]
        )

    def add_prefix(self, field_name):
        return field_name if field_name in self.PLAIN_FIELDS else super().add_prefix(field_name)

    def clean_note(self):
        return clean_text(self.cleaned_data.get("note"))

    def clean_late_reason(self):
        return clean_text(self.cleaned_data.get("late_reason"))

    def clean(self):
        cleaned = super().clean()
        for name in ("document_issuer", "document_number"):
            if name in cleaned:
                cleaned[name] = clean_text(cleaned[name])
        return cleaned

    @property
    def visible_names(self) -> set[str]:
        return {name for name, field in self.fields.items() if not field.widget.is_hidden}

    def transition_data(self) -> dict:
        requires = self.step.requires if self.step is not None else ()
        return {name: self.cleaned_data.get(name) for name in requires if name in self.fields}


class ReturnForm(forms.Form):
    """A person found abroad came back to Vietnam: the day and the border gate (or airport)."""

    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": _("The form was incomplete; reload the case and try again.")},
    )
    returned_on = DayField(label=_("Returned to Vietnam on"))
    border_gate = _text(_("Border gate of return"), max_length=120, required=True, help_text=_("Or the airport."))
    late_reason = forms.CharField(
        label=_("Why it is recorded late"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_return_%s")
        super().__init__(*args, **kwargs)

    def clean_border_gate(self):
        return clean_text(self.cleaned_data.get("border_gate"))

    def clean_late_reason(self):
        return clean_text(self.cleaned_data.get("late_reason"))
