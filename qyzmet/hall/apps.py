from django.apps import AppConfig


class HallConfig(AppConfig):
    """The PSC hall's electronic queue: talons, calls to windows, service, each visit measured against the
    act's maximum waiting and service times."""

    name = "qyzmet.hall"
    default_auto_field = "django.db.models.BigAutoField"
