from django.conf import settings
from django.http import HttpRequest

from audit_app.navigation import navigation_for


def service(request: HttpRequest) -> dict:
    return {
        "service_name": settings.SERVICE_NAME,
        "force_name": settings.FORCE_NAME,
        "navigation": navigation_for(request),
    }
