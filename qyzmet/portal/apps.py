from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The Social Services Portal: E-Sobes queue, suppliers, the recipient's cabinet and orders."""

    name = "qyzmet.portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from qyzmet.cases import services
        from qyzmet.notify import worker
        from qyzmet.portal import workflow

        # A positive result issued puts the case in the E-Sobes queue and sends the supplier-choice SMS.
        if workflow.on_transition not in services.transition_listeners:
            services.transition_listeners.append(workflow.on_transition)
        if workflow.sweep not in worker.sweeps:
            worker.sweeps.append(workflow.sweep)
