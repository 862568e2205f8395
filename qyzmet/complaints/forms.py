"""The complaint forms: register (counter or online), answer, escalate.  Labels above inputs, our own messages,
rendered with ``web/includes/field.html`` so each input is described by its hint and error."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qyzmet.complaints.workflow import NAME_MAX, TEXT_MAX


class ComplaintForm(forms.Form):
    to = forms.ChoiceField(label=_("To whom the complaint is addressed"), choices=(),
                           error_messages={"required": _("Choose whom the complaint is addressed to."),
                                           "invalid_choice": _("Choose whom the complaint is addressed to.")},
                           widget=forms.Select(attrs={"class": "q-select"}))
    complainant = forms.CharField(label=_("Complainant"), required=False, max_length=NAME_MAX,
                                  help_text=_("Full name; leave empty for the applicant of the case."),
                                  error_messages={
                                      "max_length": _("The name is at most %(limit_value)d characters long.")},
                                  widget=forms.TextInput(attrs={"class": "q-input q-input--width-30"}))
    text = forms.CharField(label=_("The complaint"), max_length=TEXT_MAX,
                           help_text=_("What was done or not done, by whom, and what is asked."),
                           error_messages={"required": _("Write what the complaint is about."),
                                           "max_length": _("The text is at most %(limit_value)d characters long.")},
                           widget=forms.Textarea(attrs={"class": "q-textarea", "rows": 6}))

    def __init__(self, *args, options: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = options
        if len(options) == 1:
            self.fields["to"].initial = options[0][0]


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Answer"), choices=(
        ("", _("Choose…")), ("upheld", _("upheld")), ("partly", _("partly upheld")), ("rejected", _("rejected"))),
        error_messages={"required": _("Choose the answer: upheld, partly upheld or rejected."),
                        "invalid_choice": _("Choose the answer: upheld, partly upheld or rejected.")},
        widget=forms.Select(attrs={"class": "q-select"}))
    answer = forms.CharField(label=_("The answer and its reasons"), max_length=TEXT_MAX,
                             error_messages={"required": _("Write the answer and its reasons."),
                                               "max_length": _("The text is at most %(limit_value)d characters long.")},
                             widget=forms.Textarea(attrs={"class": "q-textarea", "rows": 6}))


class EscalateForm(forms.Form):
    text = forms.CharField(label=_("The complaint to the next level"), max_length=TEXT_MAX,
                           help_text=_("Why the applicant disagrees, or that no answer came within the term."),
                           error_messages={"required": _("Write what the complaint is about."),
                                           "max_length": _("The text is at most %(limit_value)d characters long.")},
                           widget=forms.Textarea(attrs={"class": "q-textarea", "rows": 5}))
