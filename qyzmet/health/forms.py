"""The forms of the registry and of the citizen's pages: the journal's fields (annex 1 and annex 2, cl. 8).

The forms only collect text; every rule (the IIN, the phone, the address of a home call) is checked by
:func:`qyzmet.health.booking.check_patient`, whose :class:`Invalid` names the field the form shows it at.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qyzmet.health.models import Booking

_TEXT = {"autocomplete": "off", "spellcheck": "false"}


class PatientForm(forms.Form):
    iin = forms.CharField(
        label=_("IIN"), help_text=_("Individual identification number: 12 digits. It gives the age and sex."),
        max_length=32, error_messages={"required": _("Enter the IIN")},
        widget=forms.TextInput(attrs={**_TEXT, "class": "q-input q-input--width-12", "inputmode": "numeric"}))
    surname = forms.CharField(label=_("Surname"), max_length=100, error_messages={"required": _("Enter the surname")},
                              widget=forms.TextInput(attrs={"class": "q-input q-input--width-20",
                                                            "autocomplete": "family-name"}))
    first_name = forms.CharField(label=_("First name"), max_length=100,
                                 error_messages={"required": _("Enter the first name")},
                                 widget=forms.TextInput(attrs={"class": "q-input q-input--width-20",
                                                               "autocomplete": "given-name"}))
    patronymic = forms.CharField(label=_("Patronymic (if any)"), max_length=100, required=False,
                                 widget=forms.TextInput(attrs={"class": "q-input q-input--width-20",
                                                               "autocomplete": "additional-name"}))
    condition = forms.CharField(
        label=_("Condition and brief information on the illness or accident"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"class": "q-textarea", "rows": 3}))
    address = forms.CharField(label=_("Actual address"), max_length=500, required=False,
                              widget=forms.TextInput(attrs={"class": "q-input q-input--width-30",
                                                            "autocomplete": "street-address"}))
    phone = forms.CharField(label=_("Contact phone"), help_text=_("For example +7 701 234 56 78"), max_length=20,
                            required=False,
                            widget=forms.TextInput(attrs={"class": "q-input q-input--width-20", "type": "tel",
                                                          "autocomplete": "tel"}))

    def __init__(self, *args, home_call: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if home_call:
            # The doctor goes to the address and may need to call: both are needed for a home call.
            self.fields["address"].required = True
            self.fields["address"].error_messages["required"] = _("Enter the actual address the doctor is to come to")
            self.fields["phone"].required = True
            self.fields["phone"].error_messages["required"] = _("Enter a contact phone number")


class CounterForm(PatientForm):
    """At the registry: also how the patient applied, and the language of the answer."""

    channel = forms.ChoiceField(
        label=_("How the patient applied"), widget=forms.RadioSelect,
        choices=[(Booking.Channel.REGISTRY, _("In person at the registry")), (Booking.Channel.PHONE, _("By phone"))],
        initial=Booking.Channel.REGISTRY, error_messages={"required": _("Choose how the patient applied")})
    language = forms.ChoiceField(label=_("Language of service"), choices=[("kk", "қазақ тілі"), ("ru", "русский язык")],
                                 widget=forms.Select(attrs={"class": "q-select"}))


def apply_error(form: forms.Form, field: str, message: str) -> None:
    """Put the workflow's error at the form's field: ``patient.iin`` → ``iin``; unknown names at the top."""
    name = field.removeprefix("patient.").removeprefix("applicant.")
    form.add_error(name if name in form.fields else None, message)


def patient_of(data: dict, language: str = ""):
    from qyzmet.health.booking import Patient

    return Patient(iin=data["iin"], surname=data["surname"], first_name=data["first_name"],
                   patronymic=data.get("patronymic", ""), condition=data.get("condition", ""),
                   address=data.get("address", ""), phone=data.get("phone", ""),
                   language=data.get("language") or language)


class AttachmentForm(forms.Form):
    """The electronic request for attachment (annex 3, cl. 7.2): the organisation chosen and the applicant."""

    office = forms.ChoiceField(label=_("Organisation"), widget=forms.RadioSelect,
                               error_messages={"required": _("Choose the organisation you want to be attached to"),
                                               "invalid_choice": _("Choose the organisation you want to be "
                                                                   "attached to")})
    iin = forms.CharField(
        label=_("IIN"), help_text=_("Individual identification number: 12 digits"), max_length=32,
        error_messages={"required": _("Enter the IIN")},
        widget=forms.TextInput(attrs={**_TEXT, "class": "q-input q-input--width-12", "inputmode": "numeric"}))
    name = forms.CharField(label=_("Surname, name and patronymic"), max_length=200,
                           error_messages={"required": _("Enter your surname, name and patronymic")},
                           widget=forms.TextInput(attrs={"class": "q-input q-input--width-30", "autocomplete": "name"}))
    phone = forms.CharField(label=_("Mobile phone (optional)"), help_text=_("For example +7 701 234 56 78"),
                            max_length=20, required=False,
                            widget=forms.TextInput(attrs={"class": "q-input q-input--width-20", "type": "tel",
                                                          "autocomplete": "tel"}))

    def __init__(self, *args, offices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = list(offices)
