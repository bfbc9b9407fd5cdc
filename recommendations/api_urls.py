"""API routes for inspections, recommendations, action plans and assessments, under /api/."""

urlpatterns: list = []
