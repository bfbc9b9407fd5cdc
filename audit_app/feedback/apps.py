from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "audit_app.feedback"
    label = "feedback"
    verbose_name = "Feedback"
