from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "qyzmet.directory"
    label = "directory"
    verbose_name = "Directory: organisations, offices, staff, calendars"
    default_auto_field = "django.db.models.BigAutoField"
