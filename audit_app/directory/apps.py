from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "audit_app.directory"
    label = "directory"
    verbose_name = "Staff directory"
