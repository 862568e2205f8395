from django.apps import AppConfig


class RecomputeConfig(AppConfig):
    name = "qyzmet.recompute"
    label = "recompute"
    verbose_name = "deadlines recomputed on calendar changes; regulation versions"
