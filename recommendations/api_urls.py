"""API routes for inspections, recommendations, action plans and assessments, under /api/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from recommendations.api import (
    ActionViewSet,
    AssessmentViewSet,
    InspectionViewSet,
    RecommendationViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("inspections", InspectionViewSet, basename="api-inspection")
router.register("recommendations", RecommendationViewSet, basename="api-recommendation")
router.register("recommendation-actions", ActionViewSet, basename="api-recommendation-action")
router.register("assessments", AssessmentViewSet, basename="api-assessment")

urlpatterns = [path("", include(router.urls))]
