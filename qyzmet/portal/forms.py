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
