from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.access.models import Agency, AgencyType
from haidang.access.roles import Role
from haidang.common.forms import DayField
from haidang.common.text import clean_text
from haidang.places.forms import CurrentUnitField


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OneTimeCodeForm(forms.Form):
    otp = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=8,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_otp(self):
        value = self.cleaned_data["otp"].replace(" ", "")
        if not value.isdigit():
            raise forms.ValidationError(_("Enter the digits shown by your authenticator app."))
        return value


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    agency_type = forms.ChoiceField(label=_("Agency type"), choices=AgencyType.choices)
    unit = CurrentUnitField(label=_("Unit"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    valid_from = DayField(label=_("Exists from"), required=False, help_text=_("Empty: not known."))
    valid_to = DayField(label=_("Exists until"), required=False, help_text=_("Empty: still exists."))

    def clean_name(self):
        return clean_text(self.cleaned_data["name"])


class UserForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters. Leave empty to keep the current password."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            self.fields["password"].required = True
            self.fields["password"].help_text = _("At least 10 characters.")
        else:
            self.fields["username"].disabled = True


class MembershipForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    unit = CurrentUnitField(
        label=_("Unit"), required=False, help_text=_("By name or code; leave empty for the agency's own unit.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies
