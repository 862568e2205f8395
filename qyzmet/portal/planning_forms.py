"""The form of the "Activity plans" page: one service's plan for one year.

The form reads the input (a whole number, a sum); what the act allows (which services, which years, nothing
negative, tiyn at most) is :mod:`qyzmet.portal.planning`'s to say, with the clause, so the page and the API
give the same answer.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qyzmet.cases.workflow import Invalid
from qyzmet.portal import planning


class PlanForm(forms.Form):
    reg_id = forms.ChoiceField(
        label=_("Service"), widget=forms.Select(attrs={"class": "q-select"}),
        error_messages={"required": _("Choose the service"),
                        "invalid_choice": _("Choose one of the services of your office")})
    year = forms.TypedChoiceField(
        label=_("Planned year"), coerce=int, widget=forms.Select(attrs={"class": "q-select q-input--width-12"}),
        error_messages={"required": _("Choose the planned year"),
                        "invalid_choice": _("Choose one of the years in the list")})
    recipients = forms.IntegerField(
        label=_("Persons planned to be served"), help_text=_("A whole number, 0 or more"),
        widget=forms.NumberInput(attrs={"class": "q-input q-input--width-12", "inputmode": "numeric"}),
        error_messages={"required": _("Enter the number of persons planned to be served"),
                        "invalid": _("Enter the number of persons as a whole number, for example 40")})
    budget = forms.DecimalField(
        label=_("Planned budget, tenge"), required=False,
        help_text=_("Optional; at most 2 decimal places, for example 12500000.50"),
        widget=forms.NumberInput(attrs={"class": "q-input q-input--width-20", "step": "0.01"}),
        error_messages={"invalid": _("Enter the budget as a sum in tenge, for example 12500000.50")})
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "q-textarea"}))

    def __init__(self, *args, services: list[tuple[str, str]], years: list[int], **kwargs):
        """``services``: (regulation id, name) of the office's services; ``years``: the years one may plan."""
        super().__init__(*args, **kwargs)
        self.fields["reg_id"].choices = services
        self.fields["year"].choices = [(y, str(y)) for y in years]

    def clean(self) -> dict:
        """The act's limits on the figures, checked by the planning module with the clause, so every error
        is listed at once rather than the next one only after the first is corrected."""
        data = super().clean()
        cite = planning.cite_of(data.get("reg_id") or "") or planning.ALL_CITES
        for name, check in (("recipients", lambda v: planning.check_recipients(v, cite)),
                            ("budget", lambda v: planning.check_budget(v, cite)), ("note", planning.check_note)):
            if name in data:
                try:
                    data[name] = check(data[name])
                except Invalid as exc:
                    self.add_error(name, exc.message)
        return data
