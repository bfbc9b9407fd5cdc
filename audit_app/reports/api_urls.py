"""API routes for reports and meeting actions, included under /api/."""

from django.urls import include, path

from audit_app.api.routers import Router
from audit_app.reports.api import MeetingActionViewSet, ReportViewSet

router = Router()
router.register("reports", ReportViewSet, basename="api-report")
router.register("meeting-actions", MeetingActionViewSet, basename="api-meeting-action")

urlpatterns = [path("", include(router.urls))]
