from django.urls import path

from audit_app.access_log import views

urlpatterns = [
    path("access-log/", views.access_log, name="access_log"),
]
