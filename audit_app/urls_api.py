from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from audit_app.analytics.api import (
    AggregatesView,
    AuditResultViewSet,
    CaseResultViewSet,
    ExportView,
    ModerationRecordViewSet,
)
from audit_app.api.routers import Router
from audit_app.audits.api.moderation import FindingThemeViewSet, ModerationViewSet
from audit_app.audits.api.walk import AuditViewSet

router = Router()
router.register("audits", AuditViewSet, basename="api-audit")
router.register("moderation/audits", ModerationViewSet, basename="api-moderation")
router.register("themes", FindingThemeViewSet, basename="api-theme")
router.register("audit-results", AuditResultViewSet, basename="api-audit-result")
router.register("cases", CaseResultViewSet, basename="api-case")
router.register("moderations", ModerationRecordViewSet, basename="api-moderation-record")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        # Redoc styles itself inline and parses in a web worker: allowed on this page only.
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-docs",
    ),
    path("aggregates/", AggregatesView.as_view(), name="api-aggregates"),
    re_path(
        r"^exports/audits\.(?P<file_format>csv|xlsx)$", ExportView.as_view(), name="api-export"
    ),
    path("", include(router.urls)),
    path("", include("audit_app.rounds.api_urls")),
    path("", include("audit_app.reports.api_urls")),
    path("", include("recommendations.api_urls")),
]
