from django.apps import AppConfig


class EntitlementsConfig(AppConfig):
    """Entitlement norms applied to people: the ledger of what each recipient received, the item an
    application asks for, the replacement check at intake and on the Portal order."""

    name = "qyzmet.entitlements"
    default_auto_field = "django.db.models.BigAutoField"
