"""API routes for reports and meeting actions, included under /api/."""

from rest_framework.routers import DefaultRouter

from audit_app.reports.api import MeetingActionViewSet, ReportViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("reports", ReportViewSet, basename="api-report")
router.register("meeting-actions", MeetingActionViewSet, basename="api-meeting-action")

urlpatterns = router.urls
