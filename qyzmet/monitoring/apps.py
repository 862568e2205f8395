from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Compliance monitoring for heads and regulators: cases in term and overdue, late steps, time per step
    against the step's norm, per office, service, route, step and staff member, with every violation
    traceable to its case, step, norm and clause."""

    name = "qyzmet.monitoring"
    default_auto_field = "django.db.models.BigAutoField"
