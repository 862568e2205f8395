from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    """Complaints about a case, as each act's ``complaints:`` levels give them: registered with an incoming
    number, considered within the act's term on the legal calendar, answered with a paper, escalated."""

    name = "qyzmet.complaints"
    default_auto_field = "django.db.models.BigAutoField"
