"""URLs of qyzmet.entitlements (included from qyzmet/urls.py under /staff/entitlements/)."""

from django.urls import path

from qyzmet.entitlements import views

app_name = "entitlements"
urlpatterns = [
    path("", views.recipient, name="recipient"),
    path("cases/<int:pk>/findings/", views.case_findings, name="case-findings"),
]
