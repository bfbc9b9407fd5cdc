"""Session lifetime and two-factor sign-in, enforced on every request."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

logger = logging.getLogger(__name__)

SIGNED_IN_AT = "signed_in_at"
TOUCHED_AT = "touched_at"
# The idle limit slides on activity; saving the session at most this often keeps a page view
# from becoming a database write, at the cost of a minute's precision.
TOUCH_EVERY_SECONDS = 60


HAS_TWO_FACTOR_DEVICE = "has_two_factor_device"


@receiver(user_logged_in)
def _remember_sign_in(sender, request, user, **kwargs) -> None:
    """Start the session's clock, and note once whether the user has an authenticator app."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[TOUCHED_AT] = int(time.time())
        request.session[HAS_TWO_FACTOR_DEVICE] = user_has_device(user, confirmed=True)


class SessionLifetimeMiddleware:
    """Ends a session after SESSION_COOKIE_AGE idle (30 minutes), and 10 hours after sign-in."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None:
                # A session from before this limit existed: its clock starts now.
                request.session[SIGNED_IN_AT] = signed_in_at = int(time.time())
            now = time.time()
            if now - signed_in_at > settings.SESSION_MAX_AGE_HOURS * 3600:
                logger.info("session of user %s ended at its maximum age", user.pk)
                logout(request)
                if not request.path.startswith("/api/"):
                    return redirect(f"{reverse('login')}?next={request.path}")
            elif now - request.session.get(TOUCHED_AT, 0) > TOUCH_EVERY_SECONDS:
                request.session[TOUCHED_AT] = int(now)  # saved, so the idle limit restarts
        return self.get_response(request)


class TwoFactorMiddleware:
    """Sends a signed-in user who has (or must have) a TOTP device to verify it first."""

    EXEMPT_URL_NAMES = {"two_factor_verify", "two_factor_setup", "logout", "healthz", "login"}

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        # API requests with a personal token are authenticated by DRF, not by the session.
        if request.path.startswith(("/api/", "/static/")):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.EXEMPT_URL_NAMES:
            return None
        has_device = request.session.get(HAS_TWO_FACTOR_DEVICE)
        if has_device is None:
            has_device = request.session[HAS_TWO_FACTOR_DEVICE] = user_has_device(
                user, confirmed=True
            )
        if has_device:
            return redirect(f"{reverse('two_factor_verify')}?next={request.path}")
        if settings.REQUIRE_TWO_FACTOR:
            return redirect("two_factor_setup")
        return None


class RefuseNulMiddleware:
    """Refuses a request whose query or form holds a NUL character, before anything reads it.

    No legitimate input contains one, and PostgreSQL cannot store it in text: without this, it
    would surface as a database error deep in a view.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw_query = request.META.get("QUERY_STRING", "")
        if "\x00" in raw_query or "%00" in raw_query.upper() or "\x00" in request.path:
            return self._refuse(request)
        if (
            request.method == "POST"
            and request.content_type
            in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            )
            and any("\x00" in key or "\x00" in value for key, value in _pairs(request.POST))
        ):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        logger.warning("refused a request to %s holding a NUL character", request.path[:100])
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "The request holds a NUL character."}, status=400)
        return HttpResponse("Bad request: the request holds a NUL character.", status=400)


def _pairs(query) -> list[tuple[str, str]]:
    return [(key, value) for key, values in query.lists() for value in values]
