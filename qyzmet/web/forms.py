"""Forms of the citizen pages and the staff sign-in.

Every message is our own (not Django's defaults) so that each one says what to do, GOV.UK-style
("Enter the IIN"), and is translated in our catalogue rather than depending on Django's.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from qyzmet.core.iin import InvalidIdentifier, parse_iin

_TEXT = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}


class ApplicationLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Application number"),
        help_text=_("As written on your receipt, for example Q2025-0000123"),
        max_length=32,
        error_messages={
            "required": _("Enter the application number"),
            "max_length": _("The application number is at most %(limit_value)d characters long"),
        },
        widget=forms.TextInput(attrs={**_TEXT, "class": "q-input q-input--width-20", "autocapitalize": "characters"}),
    )
    iin = forms.CharField(
        label=_("IIN"),
        help_text=_("Individual identification number: 12 digits"),
        # Longer than 12 on purpose: people paste "850321 400908"; the spaces are removed in clean_iin.
        max_length=32,
        error_messages={
            "required": _("Enter the IIN"),
            "max_length": _("The IIN must be 12 digits"),
        },
        widget=forms.TextInput(attrs={**_TEXT, "class": "q-input q-input--width-12", "inputmode": "numeric"}),
    )

    def clean_number(self) -> str:
        # Numbers are printed upper-case ("Q2025-0000123"); people type them in any case, with stray spaces.
        return "".join(self.cleaned_data["number"].split()).upper()

    def clean_iin(self) -> str:
        iin = "".join(self.cleaned_data["iin"].split())
        if not iin.isascii() or not iin.isdigit():
            raise forms.ValidationError(_("The IIN must contain only digits"), code="digits")
        if len(iin) != 12:
            raise forms.ValidationError(_("The IIN must be 12 digits"), code="length")
        try:
            parse_iin(iin)
        except InvalidIdentifier:
            # parse_iin's reasons (check digit, impossible birth date) are English and technical; the
            # applicant only needs to know the number as typed cannot be anyone's.
            raise forms.ValidationError(
                _("This IIN is not valid: check the digits against your identity document"), code="invalid"
            ) from None
        return iin


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Enter a correct username and password. Both are case-sensitive."),
        "inactive": _("This account is switched off. Ask your administrator."),
    }

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        username, password = self.fields["username"], self.fields["password"]
        username.label = _("Username")
        username.error_messages["required"] = _("Enter your username")
        username.widget.attrs.update({"class": "q-input q-input--width-20", "spellcheck": "false",
                                      "autocapitalize": "none"})
        password.label = _("Password")
        password.error_messages["required"] = _("Enter your password")
        password.widget.attrs.update({"class": "q-input q-input--width-20"})
