"""Forms of the proactive pages: the citizen's answer, and the IPR data a specialist enters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qyzmet.web.forms import ApplicationLookupForm

_TEXT = {"autocomplete": "off", "spellcheck": "false"}


class AnswerForm(forms.Form):
    iin = ApplicationLookupForm.base_fields["iin"]
    code = forms.CharField(
        label=_("Code from the SMS"), max_length=12,
        help_text=_("Six digits: the consent code to agree, the refusal code to refuse"),
        error_messages={"required": _("Enter the code from the SMS")},
        widget=forms.TextInput(attrs={**_TEXT, "class": "q-input q-input--width-12", "inputmode": "numeric",
                                      "autocomplete": "one-time-code"}),
    )

    clean_iin = ApplicationLookupForm.clean_iin

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("The code is six digits"), code="digits")
        return code


class IprForm(forms.Form):
    regulation = forms.ChoiceField(label=_("Service"), error_messages={"required": _("Choose the service")},
                                   widget=forms.Select(attrs={"class": "q-input"}))
    iin = ApplicationLookupForm.base_fields["iin"]
    name = forms.CharField(label=_("Recipient's full name"), max_length=200,
                           error_messages={"required": _("Enter the recipient's full name")})
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, help_text=_("For example +7 701 234 56 78"),
                            error_messages={"required": _("Enter the mobile number the request goes to")},
                            widget=forms.TextInput(attrs={"class": "q-input q-input--width-20", "type": "tel",
                                                          "autocomplete": "off"}))
    language = forms.ChoiceField(label=_("Language of service"), widget=forms.RadioSelect, initial="kk",
                                 choices=[("kk", "Қазақ тілі"), ("ru", "Русский язык")])
    disability_group = forms.ChoiceField(label=_("Disability group"), required=False,
                                         choices=[("", "—"), ("I", "I"), ("II", "II"), ("III", "III")],
                                         widget=forms.Select(attrs={"class": "q-input q-input--width-12"}))
    disability_until = forms.DateField(label=_("Disability period ends"), required=False,
                                       help_text=_("Leave empty if indefinite"),
                                       widget=forms.DateInput(attrs={"type": "date",
                                                                     "class": "q-input q-input--width-10"}),
                                       error_messages={"invalid": _("Enter the date as year-month-day")})
    measures = forms.CharField(label=_("IPR measures for this service"),
                               error_messages={"required": _("Enter the IPR measures")},
                               widget=forms.Textarea(attrs={"rows": 3, "class": "q-textarea"}))
    source = forms.CharField(label=_("Source record"), max_length=200,
                             help_text=_("The IPR's number and date in the data bank"),
                             error_messages={"required": _("Enter the IPR's number and date")})
    send = forms.BooleanField(label=_("Send the SMS request now"), required=False, initial=True)

    clean_iin = ApplicationLookupForm.clean_iin

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regulation"].choices = [("", "—"), *services]
