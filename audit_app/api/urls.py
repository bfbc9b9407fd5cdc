from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from audit_app.api.moderation import FindingThemeViewSet, ModerationViewSet
from audit_app.api.views import AuditViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("audits", AuditViewSet, basename="api-audit")
router.register("moderation/audits", ModerationViewSet, basename="api-moderation")
router.register("themes", FindingThemeViewSet, basename="api-theme")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include(router.urls)),
    path("", include("audit_app.api.rounds_urls")),
    path("", include("audit_app.reports.api_urls")),
    path("", include("recommendations.api_urls")),
]
