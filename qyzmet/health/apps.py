from django.apps import AppConfig


class HealthConfig(AppConfig):
    """Doctors' weekly templates and the slots generated from them on the office's legal calendar, the
    pre-registration journal (appointments) and the home-call registration journal of the Mangystau 2015
    acts (annex 2 and annex 1 of the polyclinic services); the Register of Attached Population written when
    an attachment to a PHC organisation is issued (annex 3)."""

    name = "qyzmet.health"
    label = "health"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from qyzmet.cases import services
        from qyzmet.health import attachment

        # The register line is written in the transaction that issues the notification of attachment.
        services.transition_listeners.append(attachment.on_transition)
