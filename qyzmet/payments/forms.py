"""Forms of the journal, act and payment pages; every message is our own and says what to do."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

_DATE = {"type": "date", "class": "q-input q-input--width-10"}
_TIME = {"type": "time", "class": "q-input q-input--width-5"}


class JournalDayForm(forms.Form):
    day = forms.DateField(label=_("Day of the service"), help_text=_("For example 2026-03-02"),
                          widget=forms.DateInput(attrs=_DATE),
                          error_messages={"required": _("Enter the day of the service"),
                                          "invalid": _("Enter the date as year-month-day")})
    hours = forms.DecimalField(label=_("Hours"), required=False, min_value=0, max_digits=5, decimal_places=2,
                               help_text=_("Or give the start and end time and leave this empty"),
                               widget=forms.NumberInput(attrs={"class": "q-input q-input--width-5", "step": "0.25"}),
                               error_messages={"invalid": _("Enter the hours as a number, for example 2.5"),
                                               "min_value": _("The hours cannot be negative")})
    started = forms.TimeField(label=_("Start time"), required=False, widget=forms.TimeInput(attrs=_TIME),
                              error_messages={"invalid": _("Enter the time as hours:minutes")})
    ended = forms.TimeField(label=_("End time"), required=False, widget=forms.TimeInput(attrs=_TIME),
                            error_messages={"invalid": _("Enter the time as hours:minutes")})
    places = forms.CharField(label=_("Facilities visited with the assistant"), required=False,
                             help_text=_("Annex 9: the list of facilities the person visited accompanied by the "
                                         "personal assistant"),
                             widget=forms.Textarea(attrs={"rows": 2, "class": "q-textarea"}))
    sl_format = forms.ChoiceField(label=_("How the service was given"), required=False, widget=forms.RadioSelect,
                                  choices=[("offline", _("Offline, face to face")), ("online", _("Online"))])
    recipient_pays = forms.BooleanField(
        label=_("The recipient pays the hours above 60 a year from own funds (annex 1, cl. 44)"), required=False)
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "q-textarea"}))

    def __init__(self, *args, sign_language: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if sign_language:
            del self.fields["places"]
        else:
            del self.fields["sl_format"]
            del self.fields["recipient_pays"]


class ActMonthForm(forms.Form):
    month = forms.CharField(label=_("Month of the act"), help_text=_("Year and month, for example 2026-03"),
                            max_length=7, widget=forms.TextInput(attrs={"type": "month",
                                                                        "class": "q-input q-input--width-10"}),
                            error_messages={"required": _("Enter the month of the act")})


class PaymentForm(forms.Form):
    reference = forms.CharField(label=_("Payment order number"), required=False, max_length=120,
                                widget=forms.TextInput(attrs={"class": "q-input q-input--width-20"}))
