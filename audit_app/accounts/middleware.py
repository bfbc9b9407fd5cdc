"""Rules enforced on every request: session lifetime, two-factor sign-in, no caching of what a
signed-in user sees, and no NUL characters in input."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from audit_app.accounts.authentication import ApiTokenAuthentication
from audit_app.middleware import is_api_request

logger = logging.getLogger(__name__)


SIGNED_IN_AT = "signed_in_at"


TOUCHED_AT = "touched_at"


# The idle limit slides on activity; saving the session at most this often keeps a page view
# from becoming a database write, at the cost of a minute's precision.
TOUCH_EVERY_SECONDS = 60


@receiver(user_logged_in)
def _remember_sign_in(sender, request, user, **kwargs) -> None:
    """Start the session's clock."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[TOUCHED_AT] = int(time.time())


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
                if not is_api_request(request):
                    return redirect_to_login(request.get_full_path())
            elif now - request.session.get(TOUCHED_AT, 0) > TOUCH_EVERY_SECONDS:
                request.session[TOUCHED_AT] = int(now)  # saved, so the idle limit restarts
        return self.get_response(request)


class TwoFactorMiddleware:
    """Holds a session that has not passed the second factor at the verify page, on every path.

    Where the user has a confirmed authenticator app, or two-factor sign-in is compulsory, a
    password-only session reaches sign-in, sign-out, the verify page and the health check, and
    (only while a compulsory app is still to be set up) the set-up page. Everything else,
    pages and API alike, is refused here before any view runs: a page redirects to the verify (or
    set-up) page, the API answers 403 with the reason. Requests that carry a personal API token
    are let through to DRF, which authenticates them by the token alone (a second factor in
    itself) and never by the session.
    """

    # The feedback acknowledgement is public (its single-use link is the credential).
    ALWAYS_ALLOWED = frozenset(
        {"login", "logout", "two_factor_verify", "healthz", "feedback_acknowledge"}
    )
    ENROL = "two_factor_setup"

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        if authenticates_by_token(request, view_func):
            return None
        match = request.resolver_match
        view_name = match.view_name if match is not None else ""
        if view_name in self.ALWAYS_ALLOWED:
            return None
        # Asked on every request, not remembered at sign-in: a device confirmed in another
        # session must hold this one too.
        if user_has_device(user, confirmed=True):
            return self._refuse(request, "two_factor_verify")
        if settings.REQUIRE_TWO_FACTOR:
            return None if view_name == self.ENROL else self._refuse(request, self.ENROL)
        return None

    @staticmethod
    def _refuse(request: HttpRequest, step: str) -> HttpResponse:
        if is_api_request(request):
            if step == "two_factor_verify":
                detail = (
                    "Verify your second factor first: enter the code from your authenticator "
                    f"app at {reverse(step)}, or send a personal API token."
                )
            else:
                detail = (
                    "Two-factor sign-in is compulsory: set up an authenticator app at "
                    f"{reverse(step)} first."
                )
            return JsonResponse({"detail": detail}, status=403)
        if step == "two_factor_verify":
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return redirect(step)


def authenticates_by_token(request: HttpRequest, view_func) -> bool:
    """Whether DRF will authenticate this request by its bearer token, never by the session.

    True only for a DRF view whose first authentication class is the token's: given a Bearer
    header, that class either authenticates the token or refuses the request (401).
    """
    scheme = request.headers.get("Authorization", "").split(" ", 1)[0]
    if scheme.lower() != ApiTokenAuthentication.keyword.lower():
        return False
    view_class = getattr(view_func, "cls", None)
    classes = getattr(view_class, "authentication_classes", None) or ()
    return bool(classes) and issubclass(classes[0], ApiTokenAuthentication)
