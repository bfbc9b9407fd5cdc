"""API routes for inspections, recommendations, action plans and assessments, under /api/."""

from django.urls import include, path

from audit_app.api.routers import Router
from recommendations.api import (
    ActionViewSet,
    AssessmentViewSet,
    InspectionViewSet,
    RecommendationViewSet,
)

router = Router()
router.register("inspections", InspectionViewSet, basename="api-inspection")
router.register("recommendations", RecommendationViewSet, basename="api-recommendation")
router.register("recommendation-actions", ActionViewSet, basename="api-recommendation-action")
router.register("assessments", AssessmentViewSet, basename="api-assessment")

urlpatterns = [path("", include(router.urls))]
