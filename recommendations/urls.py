from django.urls import path

from recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:recommendation_id>/", views.detail, name="detail"),
]
