from django.urls import path

from recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:recommendation_id>/", views.detail, name="detail"),
    path("<int:recommendation_id>/actions/new/", views.action_new, name="action_new"),
    path(
        "<int:recommendation_id>/actions/<int:action_id>/",
        views.action_edit,
        name="action_edit",
    ),
    path(
        "<int:recommendation_id>/assessments/<str:kind>/new/",
        views.assessment_new,
        name="assessment_new",
    ),
]
