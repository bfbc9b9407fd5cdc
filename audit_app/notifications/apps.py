from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "audit_app.notifications"
    label = "notifications"
    verbose_name = "Notifications"
