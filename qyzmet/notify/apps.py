from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """The SMS the acts prescribe: queued with their transition, sent by ``qyzmet worker``."""

    name = "qyzmet.notify"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from qyzmet.cases import services
        from qyzmet.notify import outbox

        services.transition_listeners.append(outbox.on_transition)
