from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """The journal of rendered services, the monthly act and its payment (mlsp-2021 annex 1 cl. 40-45)."""

    name = "qyzmet.payments"
    default_auto_field = "django.db.models.BigAutoField"
