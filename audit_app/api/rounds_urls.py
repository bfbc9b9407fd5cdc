"""API routes for case imports, rounds, selection and allocation, under /api/."""

urlpatterns: list = []
