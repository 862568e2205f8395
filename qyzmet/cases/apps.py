from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "qyzmet.cases"
    label = "cases"
    verbose_name = "Cases: applications, steps, events"
    default_auto_field = "django.db.models.BigAutoField"
