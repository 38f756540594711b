"""Files kept with a case."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.cases.forms._common import _blank
from haidang.cases.models import AttachmentKind


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=_blank(AttachmentKind.choices))
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, image (PNG, JPEG, GIF, WebP) or office document."),
        error_messages={
            "required": _("Choose a file."),
            "empty": _("The file is empty."),
            "invalid": _("Choose a file."),
            "missing": _("Choose a file."),
        },
    )
