"""The JSON API: /api/v1, documented at /api/v1/docs, described by /api/v1/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from qyzmet.api import (
    errors,
    routes_cases,
    routes_catalog,
    routes_complaints,
    routes_decisions,
    routes_documents,
    routes_entitlements,
    routes_hall,
    routes_health,
    routes_monitoring,
    routes_payments,
    routes_planning,
    routes_portal,
    routes_proactive,
    routes_registries,
    routes_tasks,
)
from qyzmet.api.auth import AUTH

MOUNT = "api/v1/"


class Utf8JSONRenderer(JSONRenderer):
    # Names and grounds are Kazakh and Russian: keep them readable in curl output and logs.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Qyzmet API", version="1", urls_namespace="api-v1", docs_url="/docs", auth=AUTH, renderer=Utf8JSONRenderer(),
    description="Kazakhstan's state services, run as their legal regulations prescribe. Staff endpoints take "
                "a bearer token (`qyzmet token create USERNAME`) or the staff UI's session with its CSRF token. "
                "Errors are `{\"error\": {\"code\", \"message\", \"field\"}}`; see docs/api.md.",
)
errors.install(api)
api.add_router("/catalog", routes_catalog.router)
api.add_router("/cases", routes_cases.router)
api.add_router("/cases", routes_complaints.cases_router)  # /cases/{number}/complaints
api.add_router("/complaints", routes_complaints.router)
api.add_router("/documents", routes_documents.router)
api.add_router("/tasks", routes_tasks.router)
api.add_router("/registries", routes_registries.router)
api.add_router("/decisions", routes_decisions.router)
# Before "/portal": Django tries the patterns in order, so a path under /portal/plans/ reaches this router even
# if "/portal" someday gets a catch-all path (today none of its paths starts with "plans").
api.add_router("/portal/plans", routes_planning.router)
api.add_router("/portal", routes_portal.router)
api.add_router("/payments", routes_payments.router)
api.add_router("/proactive", routes_proactive.router)
api.add_router("/recipients", routes_entitlements.router)
api.add_router("/hall", routes_hall.router)
api.add_router("/health", routes_health.router)
api.add_router("/monitoring", routes_monitoring.router)
