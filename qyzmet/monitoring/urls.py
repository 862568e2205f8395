"""URLs of qyzmet.monitoring (included from qyzmet/urls.py under /staff/monitoring/)."""

from django.urls import path

from qyzmet.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("violations/", views.violations, name="violations"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("export.xlsx", views.export_xlsx, name="export-xlsx"),
]
