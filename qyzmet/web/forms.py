"""Forms of the citizen pages and the staff sign-in.

Every message is our own (not Django's defaults) so that each one says what to do, GOV.UK-style
("Enter the IIN"), and is translated in our catalogue rather than depending on Django's.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qyzmet.core.iin import InvalidIdentifier, parse_iin
from qyzmet.web import throttle

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


class OnlineApplicationForm(forms.Form):
    """A citizen's application on the portal channel: who applies, in which category, which documents."""

    iin = ApplicationLookupForm.base_fields["iin"]
    name = forms.CharField(
        label=_("Your full name"), max_length=200,
        error_messages={"required": _("Enter your full name")},
        widget=forms.TextInput(attrs={"class": "q-input q-input--width-30", "autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"), help_text=_("For SMS notices, for example +7 701 234 56 78"), max_length=20,
        error_messages={"required": _("Enter your mobile phone number")},
        widget=forms.TextInput(attrs={"class": "q-input q-input--width-20", "type": "tel", "autocomplete": "tel"}),
    )

    clean_iin = ApplicationLookupForm.clean_iin

    def __init__(self, reg, lang: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if reg.categories:
            self.fields["category"] = forms.ChoiceField(
                label=_("Who applies"), choices=[(c.code, c.name.get(lang)) for c in reg.categories],
                widget=forms.RadioSelect, error_messages={"required": _("Choose who applies")},
            )
        # Only what some category's checklist asks for: the acts also list outputs (journals, messages)
        # among their documents, and those are nothing an applicant attaches.
        asked = dict.fromkeys(code for c in reg.categories for code in c.documents)
        # A document that may stand in for an asked one is asked too ("the IIN instead of the SIK certificate").
        asked.update(dict.fromkeys(d.code for d in reg.documents if any(c in asked for c in d.instead_of)))
        if asked:
            self.fields["documents"] = forms.MultipleChoiceField(
                label=_("Documents you attach"), required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(code, _apply_document_label(reg, code, lang)) for code in asked if reg.document(code)],
                help_text=_("Documents the state systems hold are fetched by your IIN; tick what you attach"),
            )


def _apply_document_label(reg, code: str, lang: str) -> str:
    """A document's name for the citizen's list, saying what it replaces and when it is needed at all."""
    from qyzmet.web.checklist_view import condition_label

    doc = reg.document(code)
    label = doc.name.get(lang)
    replaced = [reg.document(c).name.get(lang) for c in doc.instead_of if reg.document(c)]
    if replaced:
        label += " — " + _("instead of: %(name)s") % {"name": "; ".join(replaced)}
    conditions = dict.fromkeys(condition_label(cat.condition(code).when) for cat in reg.categories
                               if cat.condition(code))
    if conditions:
        label += f" ({'; '.join(conditions)})"
    if doc.provided_as == "shown":
        label += f" ({_('shown, returned (no copy kept)')})"
    return label


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Enter a correct username and password. Both are case-sensitive."),
        "inactive": _("This account is switched off. Ask your administrator."),
        "too_many_attempts": _("Too many unsuccessful sign-ins. Wait %(minutes)s minutes and try again, or ask "
                               "your administrator."),
    }

    def clean(self) -> dict:
        tries = throttle.sign_in(self.request, self.data.get("username", "")) if self.request else ()
        limit = throttle.blocked(tries)
        if limit is not None:
            # Checked before the password, so a locked-out guesser learns nothing, right password or not.
            raise ValidationError(self.error_messages["too_many_attempts"], code="too_many_attempts",
                                  params={"minutes": limit.window_seconds // 60})
        try:
            return super().clean()
        except ValidationError as exc:
            if exc.code == "invalid_login":
                throttle.record_failure(tries)
            raise

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
