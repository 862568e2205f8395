"""The anonymous examination's page for the code holder (mounted at /hiv/)."""

from django.urls import path

from qyzmet.health import hiv_views

app_name = "hiv"
urlpatterns = [path("result", hiv_views.result, name="result")]
