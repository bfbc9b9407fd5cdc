"""The force-wide audit manager's sign-in security page: lockouts, account throttles and resetting
a user's two-factor sign-in. Every change is recorded in the access log."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit_app.access_log.models import AccessAction
from audit_app.access_log.services import access_record
from audit_app.accounts import lockout as sign_in
from audit_app.models import Role, User
from audit_app.permissions import role_required, user_scope

logger = logging.getLogger(__name__)

USER_RECORD = "user"


def _force_ids(request: HttpRequest) -> frozenset[int]:
    force_ids = user_scope(request.user).force_wide.get(Role.AUDIT_MANAGER)
    if not force_ids:
        raise PermissionDenied("Only a force-wide audit manager manages sign-in security.")
    return force_ids


def _users_of(force_ids: frozenset[int]) -> QuerySet[User]:
    """People holding any role in the manager's force(s)."""
    return User.objects.filter(role_assignments__force_id__in=force_ids).distinct()


def _username_filter(force_ids: frozenset[int]) -> Q:
    """Sign-in records the manager may see: of their force's people, or of usernames nobody has
    (guesses belong to no force)."""
    return Q(username__in=_users_of(force_ids).values("username")) | ~Q(
        username__in=User.objects.values("username")
    )


@role_required(Role.AUDIT_MANAGER)
@require_http_methods(["GET", "POST"])
def sign_in_security(request: HttpRequest) -> HttpResponse:
    force_ids = _force_ids(request)
    visible = _username_filter(force_ids)
    if request.method == "POST":
        return _unlock(request, force_ids, visible)
    devices = TOTPDevice.objects.filter(
        confirmed=True, user__in=_users_of(force_ids)
    ).select_related("user")
    return render(
        request,
        "accounts/sign_in_security.html",
        {
            "lockouts": sign_in.current_lockouts(visible),
            "throttles": sign_in.current_throttles(visible),
            "two_factor_users": sorted({device.user for device in devices}, key=str),
        },
    )


def _unlock(request: HttpRequest, force_ids: frozenset[int], visible: Q) -> HttpResponse:
    username = request.POST.get("username", "")
    locked = {lockout.username for lockout in sign_in.current_lockouts(visible)}
    locked |= {throttle.username for throttle in sign_in.current_throttles(visible)}
    if username not in locked:
        raise Http404("No lockout of that username.")
    user = User.objects.filter(username=username).first()
    cleared = sign_in.sign_in_unlock(username=username)
    access_record(
        user=request.user,
        action=AccessAction.CHANGE,
        record_type=USER_RECORD,
        record_id=user.pk if user is not None else "",
        request=request,
        status=302,
        detail={"what": "sign-in unlocked", "records_cleared": cleared},
    )
    logger.info("user %s unlocked sign-in for user %s", request.user.pk, getattr(user, "pk", "-"))
    messages.success(request, f"Signing in as {username} is unlocked.")
    return redirect("sign_in_security")


@role_required(Role.AUDIT_MANAGER)
@require_http_methods(["GET", "POST"])
def two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Remove a user's authenticator app, for someone who lost theirs: at their next sign-in they
    set up a new one (or sign in with the password alone, where two-factor is optional)."""
    force_ids = _force_ids(request)
    person = get_object_or_404(_users_of(force_ids), pk=user_id)
    if request.method == "POST":
        removed, _ = TOTPDevice.objects.filter(user=person).delete()
        access_record(
            user=request.user,
            action=AccessAction.CHANGE,
            record_type=USER_RECORD,
            record_id=person.pk,
            request=request,
            status=302,
            detail={"what": "two-factor sign-in reset", "devices_removed": removed},
        )
        logger.info("user %s reset two-factor sign-in of user %s", request.user.pk, person.pk)
        messages.success(request, f"Two-factor sign-in is reset for {person.display_name}.")
        return redirect("sign_in_security")
    has_device = TOTPDevice.objects.filter(user=person, confirmed=True).exists()
    return render(
        request, "accounts/two_factor_reset.html", {"person": person, "has_device": has_device}
    )
