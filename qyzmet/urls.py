from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path

from qyzmet.api.api import MOUNT, api


def healthz(request):
    """Liveness and database reachability, for load balancers and the demo."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path(MOUNT, api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/entitlements/", include("qyzmet.entitlements.urls")),
    path("staff/monitoring/", include("qyzmet.monitoring.urls")),
    path("staff/hall/", include("qyzmet.hall.urls")),
    path("", include("qyzmet.complaints.urls")),  # /staff/complaints/…, /my-application/complaints/…
    path("staff/", include("qyzmet.web.staff_urls")),
    path("notify/", include("qyzmet.notify.urls")),
    path("portal/", include("qyzmet.portal.urls")),
    path("portal/", include("qyzmet.payments.urls")),
    path("proactive/", include("qyzmet.proactive.urls")),
    path("", include("qyzmet.health.urls")),
    path("hiv/", include("qyzmet.health.urls_hiv")),
    path("", include("qyzmet.web.urls")),
]
