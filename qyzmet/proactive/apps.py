from django.apps import AppConfig


class ProactiveConfig(AppConfig):
    """The proactive channel of the mlsp-2021 services: IPR data in, the consent request out, the answer."""

    name = "qyzmet.proactive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from qyzmet.notify import inbound, worker
        from qyzmet.proactive import workflow

        # Expire unanswered requests on the legal calendar, and read any answer the webhook left unread.
        if workflow.sweep not in worker.sweeps:
            worker.sweeps.append(workflow.sweep)
        if workflow.on_inbound not in inbound.handlers:
            inbound.handlers.append(workflow.on_inbound)
