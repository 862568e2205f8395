"""Month names for dates written in running text ("2025 жылғы 19 наурыз", "19 марта 2025 г.").

Django's ``E`` date format character takes these "alt. month" names from the translation catalogue.
Django's own Kazakh catalogue gives them capitalised ("Наурыз"), but Kazakh writes month names in
lower case, so our catalogue (``qyzmet/locale``) overrides them; our catalogue is read after Django's
and wins.  Nothing imports this module at run time: it exists so ``scripts/messages.py extract``
puts these entries into the .po files, where they are checked like every other string.
"""

from django.utils.translation import pgettext_lazy

ALT_MONTHS = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
