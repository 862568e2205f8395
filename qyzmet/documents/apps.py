from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """The papers the acts' annexes prescribe, issued with the transitions that produce them."""

    name = "qyzmet.documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from qyzmet.cases import services
        from qyzmet.documents import issue

        services.transition_listeners.append(issue.on_transition)
