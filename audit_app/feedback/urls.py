from django.urls import path

from audit_app.feedback import views

urlpatterns = [
    path("moderation/audits/<int:audit_id>/feedback/", views.feedback, name="audit_feedback"),
    path(
        "moderation/audits/<int:audit_id>/feedback/sheet/",
        views.feedback_sheet,
        name="audit_feedback_sheet",
    ),
    path(
        "feedback/acknowledge/<str:token>/",
        views.acknowledge,
        name="feedback_acknowledge",
    ),
]
