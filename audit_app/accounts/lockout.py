"""Sign-in protection: the client's address, lockouts per address, and a throttle per account.

django-axes locks a username at one address after AXES_FAILURE_LIMIT failures (the cool-off is
AXES_COOLOFF_TIME). That alone does not stop guessing spread over many addresses, so this module
adds a limit per account across every address: after SIGN_IN_ACCOUNT_FAILURE_LIMIT failures in
SIGN_IN_ACCOUNT_WINDOW_HOURS, the account's password is tried only from a browser holding a signed
"known device" cookie, which a successful sign-in to that account set (the OWASP device-cookie
design). Everyone else is refused without the password being tried, so a stranger cannot lock the
real user out of the devices they use, and cannot keep guessing from new addresses either.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit_app.models import User

logger = logging.getLogger(__name__)

KNOWN_DEVICE_COOKIE = "case_audit_device"
KNOWN_DEVICE_SALT = "audit_app.accounts.lockout.known-device"
KNOWN_DEVICE_DAYS = 180
# The accounts one browser remembers (a shared office computer).
KNOWN_DEVICE_ACCOUNTS = 5


# --- The client's address -------------------------------------------------------------------------


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost trusted proxy saw, from X-Forwarded-For.

    Each proxy appends the address it received the request from, so with N trusted proxies the
    client is the N-th entry from the right; anything to the left of it the client wrote itself.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return _valid_ip(remote) or remote or None
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if len(forwarded) < count:
        # The request did not come through every trusted proxy: only the peer is known.
        logger.warning(
            "a request to %s has %d forwarded addresses, fewer than the %d trusted proxies",
            request.path[:100],
            len(forwarded),
            count,
        )
        return _valid_ip(remote) or remote or None
    return _valid_ip(forwarded[-count]) or _valid_ip(remote) or remote or None


# --- The known-device cookie ----------------------------------------------------------------------


def known_device_user_ids(request: HttpRequest) -> list[int]:
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return []
    try:
        ids = signing.loads(raw, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return []
    if not isinstance(ids, list):
        return []
    return [value for value in ids if isinstance(value, int)]


def remember_device(request: HttpRequest, response: HttpResponse, user: User) -> None:
    """Mark this browser as one the user signed in from (after a successful password sign-in)."""
    ids = [user.pk, *(pk for pk in known_device_user_ids(request) if pk != user.pk)]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps(ids[:KNOWN_DEVICE_ACCOUNTS], salt=KNOWN_DEVICE_SALT),
        max_age=KNOWN_DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _is_known_device(request: HttpRequest, username: str | None) -> bool:
    ids = known_device_user_ids(request)
    if not ids or not username:
        return False
    return User.objects.filter(pk__in=ids, username=username).exists()


# --- The throttle per account ---------------------------------------------------------------------


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=settings.SIGN_IN_ACCOUNT_WINDOW_HOURS)


def account_failures(username: str) -> int:
    """Password failures for the username from every address within the window."""
    return AccessFailureLog.objects.filter(
        username=username, attempt_time__gte=_window_start()
    ).count()


def account_is_throttled(username: str | None) -> bool:
    if not username:
        return False
    return account_failures(username) >= settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT


class SignInHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus the limit per account for browsers it does not know."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        if account_is_throttled(username) and not _is_known_device(request, username):
            logger.warning(
                "refused a password sign-in from an unknown browser: the account has had "
                "%d or more failures in %d hours",
                settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT,
                settings.SIGN_IN_ACCOUNT_WINDOW_HOURS,
            )
            request.sign_in_account_throttled = True  # the lockout page explains this case
            return True
        return False

    def remove_out_of_limit_failure_logs(self, *, username: str, limit: int | None = None) -> int:
        """Keep the newest AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT failures of a username.

        django-axes' own version deletes the first rows past the limit in no stated order; if
        those were the newest, a much-guessed account's new failures would escape the count.
        """
        if limit is None:
            limit = settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT
        failures = AccessFailureLog.objects.filter(username=username)
        older = list(failures.order_by("-attempt_time", "-pk").values_list("pk", flat=True)[limit:])
        if not older:
            return 0
        count, _ = AccessFailureLog.objects.filter(pk__in=older).delete()
        return count


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page for a refused sign-in (AXES_LOCKOUT_CALLABLE): which limit, and what to do."""
    return render(
        request,
        "accounts/locked_out.html",
        {
            "account_throttled": getattr(request, "sign_in_account_throttled", False),
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )


# --- What the audit manager sees and clears -------------------------------------------------------


@dataclass(frozen=True)
class Lockout:
    """A username locked at one address until `until`."""

    username: str
    ip_address: str | None
    failures: int
    last_attempt: datetime.datetime
    until: datetime.datetime


@dataclass(frozen=True)
class AccountThrottle:
    """An account whose password is tried only from known browsers, for now."""

    username: str
    failures: int
    addresses: int
    last_attempt: datetime.datetime
    until: datetime.datetime


def _visible(usernames: Q | None) -> Q:
    return Q() if usernames is None else usernames


def current_lockouts(username_filter: Q | None = None) -> list[Lockout]:
    cool_off = settings.AXES_COOLOFF_TIME
    since = timezone.now() - cool_off
    attempts = AccessAttempt.objects.filter(
        _visible(username_filter),
        attempt_time__gte=since,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    ).order_by("-attempt_time")
    return [
        Lockout(
            username=attempt.username or "",
            ip_address=attempt.ip_address,
            failures=attempt.failures_since_start,
            last_attempt=attempt.attempt_time,
            until=attempt.attempt_time + cool_off,
        )
        for attempt in attempts
    ]


def current_throttles(username_filter: Q | None = None) -> list[AccountThrottle]:
    window = datetime.timedelta(hours=settings.SIGN_IN_ACCOUNT_WINDOW_HOURS)
    rows = (
        AccessFailureLog.objects.filter(
            _visible(username_filter), attempt_time__gte=timezone.now() - window
        )
        .values("username")
        .annotate(
            failures=Count("id"),
            addresses=Count("ip_address", distinct=True),
            last_attempt=Max("attempt_time"),
        )
        .filter(failures__gte=settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT)
        .order_by("-last_attempt")
    )
    rows = list(rows)
    # A throttle lifts when enough of the failures have left the window: from the limit-th newest.
    times: dict[str, list[datetime.datetime]] = {}
    for username, attempt_time in (
        AccessFailureLog.objects.filter(
            username__in=[row["username"] for row in rows],
            attempt_time__gte=timezone.now() - window,
        )
        .order_by("username", "-attempt_time")
        .values_list("username", "attempt_time")
    ):
        times.setdefault(username, []).append(attempt_time)
    throttles = []
    for row in rows:
        oldest_counted = times[row["username"]][settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT - 1]
        throttles.append(
            AccountThrottle(
                username=row["username"] or "",
                failures=row["failures"],
                addresses=row["addresses"],
                last_attempt=row["last_attempt"],
                until=oldest_counted + window,
            )
        )
    return throttles


def sign_in_unlock(*, username: str) -> int:
    """Lift every lockout and the account throttle of a username. Returns the records cleared.

    The failure records inside the window go (older ones no longer count). The caller records who
    lifted them in the access log.
    """
    with transaction.atomic():
        attempts, _ = AccessAttempt.objects.filter(username=username).delete()
        failures, _ = AccessFailureLog.objects.filter(
            username=username, attempt_time__gte=_window_start()
        ).delete()
    return attempts + failures
