from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "audit_app.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Connects the sign-in signal that starts each session's ten-hour clock.
        from audit_app.accounts import middleware  # noqa: F401
