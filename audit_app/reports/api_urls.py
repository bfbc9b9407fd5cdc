"""API routes for reports and meeting actions, included under /api/."""

urlpatterns: list = []
