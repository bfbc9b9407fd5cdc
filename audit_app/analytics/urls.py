from django.urls import path

from audit_app.analytics.views import dashboard, home

urlpatterns = [
    path("", home.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
]
