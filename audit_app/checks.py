"""Deployment checks: with DEBUG off, `manage.py check --deploy` refuses the embedded defaults.

The embedded default (SQLite, tasks run inside the web request, email to the console, a local
address in links) serves `make run`; none of it is fit for a force's deployment, so each is an
error there rather than something to remember.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - names, not a bind
DEVELOPMENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@register(Tags.security, deploy=True)
def embedded_defaults_check(app_configs, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    errors = []
    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        errors.append(
            Error(
                "The database is SQLite, the embedded default.",
                hint="Set DATABASE_URL to the PostgreSQL database.",
                id="case_audit.E001",
            )
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        errors.append(
            Error(
                "Tasks would run inside web requests (no broker is set).",
                hint="Set CELERY_BROKER_URL to the Redis broker the workers consume.",
                id="case_audit.E002",
            )
        )
    if settings.EMAIL_BACKEND in DEVELOPMENT_EMAIL_BACKENDS:
        errors.append(
            Error(
                f"Email goes to {settings.EMAIL_BACKEND.rsplit('.', 2)[-2]}, not to people.",
                hint="Set EMAIL_BACKEND to django.core.mail.backends.smtp.EmailBackend and "
                "EMAIL_HOST to the force's relay.",
                id="case_audit.E003",
            )
        )
    site = urlsplit(settings.SITE_URL)
    if site.scheme != "https" or (site.hostname or "") in LOCAL_HOSTS:
        errors.append(
            Error(
                f"SITE_URL ({settings.SITE_URL}) is not the service's public https address: "
                "links in emails would lead nowhere.",
                hint="Set SITE_URL to https://<the service's host>.",
                id="case_audit.E004",
            )
        )
    return errors
