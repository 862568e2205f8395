"""Forms of the Portal pages; every message is our own and says what to do."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qyzmet.portal.models import Order
from qyzmet.portal.rules import RULES

_TEXT = {"autocomplete": "off", "spellcheck": "false"}


class OrderFormFields(forms.Form):
    supplier = forms.TypedChoiceField(label=_("Supplier"), coerce=int, widget=forms.RadioSelect,
                                      error_messages={"required": _("Choose a supplier")})
    sl_format = forms.ChoiceField(label=_("Format of the sign-language service"), required=False,
                                  widget=forms.RadioSelect,
                                  choices=[("offline", _("Face to face")), ("online", _("Remote, online"))])
    receipt_method = forms.ChoiceField(label=_("How to receive it"), required=False, widget=forms.RadioSelect,
                                       choices=[("delivery", _("Delivery")), ("self-pickup", _("Self-pickup"))])
    arrival_date = forms.DateField(label=_("Arrival date"), required=False, help_text=_("For example 2025-04-14"),
                                   widget=forms.DateInput(attrs={"type": "date", "class": "q-input q-input--width-10"}),
                                   error_messages={"invalid": _("Enter the date as year-month-day")})
    departure_date = forms.DateField(label=_("Departure date"), required=False,
                                     help_text=_("At most 14 calendar days, counting both days"),
                                     widget=forms.DateInput(attrs={"type": "date",
                                                                   "class": "q-input q-input--width-10"}),
                                     error_messages={"invalid": _("Enter the date as year-month-day")})

    quantity = forms.IntegerField(label=_("How many from this supplier"), required=False, min_value=1,
                                  help_text=_("Within what is left of the year's norm"),
                                  widget=forms.NumberInput(attrs={"class": "q-input q-input--width-10"}),
                                  error_messages={"invalid": _("Enter a whole number"),
                                                  "min_value": _("Enter a whole number from 1")})

    def __init__(self, *args, suppliers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = [(s.pk, s.label) for s in suppliers]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Your answer"), widget=forms.RadioSelect,
                                 choices=[("accept", _("Accept the order")), ("refuse", _("Refuse the order"))],
                                 error_messages={"required": _("Choose whether you accept or refuse the order")})
    reasons = forms.CharField(label=_("Reasons for the refusal"), required=False,
                              help_text=_("Required when you refuse: the recipient reads them in the cabinet"),
                              widget=forms.Textarea(attrs={"rows": 3, "class": "q-textarea"}))
    # Sanatorium: the blanks of the bed notice (annex 2, annex 7) the acceptance sends; all may stay blank.
    check_in = forms.TimeField(label=_("Check-in time"), required=False, help_text=_("For example 14:00"),
                               widget=forms.TimeInput(attrs={"type": "time", "class": "q-input q-input--width-5"}),
                               error_messages={"invalid": _("Enter the time as hours and minutes, for example 14:00")})
    check_out = forms.TimeField(label=_("Check-out time"), required=False, help_text=_("For example 12:00"),
                                widget=forms.TimeInput(attrs={"type": "time", "class": "q-input q-input--width-5"}),
                                error_messages={"invalid": _("Enter the time as hours and minutes, for example "
                                                             "12:00")})
    meals = forms.CharField(label=_("Meals"), required=False, max_length=1000,
                            widget=forms.TextInput(attrs={"class": "q-input"}))
    treatment = forms.CharField(label=_("Diagnostic, treatment and health procedures"), required=False,
                                max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "class": "q-textarea"}))
    accommodation = forms.CharField(label=_("Accommodation: bed-place, bed, floor, room"), required=False,
                                    max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "class": "q-textarea"}))
    accessibility = forms.CharField(label=_("Conditions for persons with disabilities"), required=False,
                                    max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "class": "q-textarea"}))

    STAY_FIELDS = ("check_in", "check_out", "meals", "treatment", "accommodation", "accessibility")

    def bed_notice(self) -> dict[str, str]:
        data = self.cleaned_data
        return {k: (data[k].strftime("%H:%M") if hasattr(data[k], "strftime") else data[k] or "")
                for k in self.STAY_FIELDS}


class SupplierCancelForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for cancelling"), widget=forms.RadioSelect, choices=[
        (Order.CancelReason.EXCLUDED, _("We applied to leave the register of suppliers")),
        (Order.CancelReason.FORCE_MAJEURE, _("Force majeure (emergency, natural disaster, military action)"))],
        error_messages={"required": _("Choose the reason")})
    note = forms.CharField(label=_("Details"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "q-textarea"}))


class SupplierEditForm(forms.Form):
    name_kk = forms.CharField(label=_("Name in Kazakh"), max_length=300,
                              widget=forms.TextInput(attrs={**_TEXT, "class": "q-input"}),
                              error_messages={"required": _("Enter the name in Kazakh")})
    name_ru = forms.CharField(label=_("Name in Russian"), max_length=300,
                              widget=forms.TextInput(attrs={**_TEXT, "class": "q-input"}),
                              error_messages={"required": _("Enter the name in Russian")})
    bin = forms.CharField(label=_("BIN"), help_text=_("Business identification number: 12 digits"), max_length=32,
                          widget=forms.TextInput(attrs={**_TEXT, "class": "q-input q-input--width-12",
                                                        "inputmode": "numeric"}),
                          error_messages={"required": _("Enter the BIN")})
    region = forms.CharField(label=_("Region it serves"), required=False, max_length=200,
                             widget=forms.TextInput(attrs={"class": "q-input"}))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"class": "q-input q-input--width-20", "inputmode": "tel"}))
    address = forms.CharField(label=_("Address"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "q-textarea"}))
    in_register = forms.BooleanField(label=_("In the register of suppliers"), required=False, initial=True)
    exclusion_reason = forms.CharField(label=_("Why it left the register"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2, "class": "q-textarea"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One price / capacity / profile field per Portal service.
        for n, reg_id in enumerate(RULES):
            self.fields[f"price_{n}"] = forms.DecimalField(
                label=_("Unit price, tenge: %(service)s") % {"service": reg_id}, required=False, min_value=0,
                max_digits=12, decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "q-input q-input--width-10", "step": "0.01"}),
                error_messages={"invalid": _("Enter a sum in tenge"),
                                "min_value": _("The price cannot be negative")})
            self.fields[f"capacity_{n}"] = forms.IntegerField(
                label=_("Capacity (orders at once; sanatorium: beds): %(service)s") % {"service": reg_id},
                required=False, min_value=0,
                widget=forms.NumberInput(attrs={"class": "q-input q-input--width-5"}),
                error_messages={"invalid": _("Enter a whole number"),
                                "min_value": _("The capacity cannot be negative")})
        self.fields["profile"] = forms.CharField(label=_("Sanatorium profile"), required=False, max_length=200,
                                                 widget=forms.TextInput(attrs={"class": "q-input"}))

    def offer_fields(self):
        return [(reg_id, self[f"price_{n}"], self[f"capacity_{n}"]) for n, reg_id in enumerate(RULES)]


class LegacyForm(forms.Form):
    """The department records a PA / SL recipient served outside the Portal (annex 1 cl. 35)."""

    entry = forms.TypedChoiceField(label=_("Recipient in the queue"), coerce=int,
                                   error_messages={"required": _("Choose the recipient")})
    supplier = forms.TypedChoiceField(label=_("Supplier that served the recipient"), coerce=int,
                                      error_messages={"required": _("Choose the supplier")})
    since = forms.DateField(label=_("Served since"), help_text=_("For example 2020-09-01"),
                            widget=forms.DateInput(attrs={"type": "date", "class": "q-input q-input--width-10"}),
                            error_messages={"required": _("Enter the date the service began"),
                                            "invalid": _("Enter the date as year-month-day")})

    def __init__(self, *args, entries=(), suppliers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "—"), *entries]
        self.fields["supplier"].choices = [("", "—"), *suppliers]
        for name in ("entry", "supplier"):
            self.fields[name].widget.attrs["class"] = "q-input"


class StopForm(forms.Form):
    """The department stops the PA / SL service for a period (annex 1 cl. 41)."""

    reason = forms.ChoiceField(label=_("Why the service stops"), widget=forms.RadioSelect, choices=[
        ("inpatient", _("Inpatient treatment (personal assistant only)")),
        ("full-state-support", _("A stay under full state support"))],
        error_messages={"required": _("Choose why the service stops")})
    start = forms.DateField(label=_("First day"), help_text=_("For example 2025-04-14"),
                            widget=forms.DateInput(attrs={"type": "date", "class": "q-input q-input--width-10"}),
                            error_messages={"required": _("Enter the first day"),
                                            "invalid": _("Enter the date as year-month-day")})
    end = forms.DateField(label=_("Last day"), required=False, help_text=_("Leave blank while it lasts"),
                          widget=forms.DateInput(attrs={"type": "date", "class": "q-input q-input--width-10"}),
                          error_messages={"invalid": _("Enter the date as year-month-day")})
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "q-textarea"}))


class CloseStopForm(forms.Form):
    stop = forms.IntegerField(widget=forms.HiddenInput)
    end = forms.DateField(label=_("Last day"), help_text=_("For example 2025-04-20"),
                          widget=forms.DateInput(attrs={"type": "date", "class": "q-input q-input--width-10"}),
                          error_messages={"required": _("Enter the last day"),
                                          "invalid": _("Enter the date as year-month-day")})
