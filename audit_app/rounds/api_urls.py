"""API routes for case imports, rounds, selection and allocation, under /api/."""

from django.urls import include, path

from audit_app.api.routers import Router
from audit_app.rounds.api import CaseImportViewSet, RoundViewSet, SelectionSlotViewSet

router = Router()
router.register("case-imports", CaseImportViewSet, basename="api-case-import")
router.register("rounds", RoundViewSet, basename="api-round")
router.register("selection-slots", SelectionSlotViewSet, basename="api-selection-slot")

urlpatterns = [path("", include(router.urls))]
