"""Routes of the staff workspace and the citizen pages."""

from django.urls import path  # noqa: F401

app_name = "web"
urlpatterns: list = []
