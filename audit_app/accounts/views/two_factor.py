"""Two-factor sign-in with an authenticator app (TOTP, django-otp): set up, then verify."""

from __future__ import annotations

import base64
import io
import logging

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit_app.urls_safety import safe_return_url

logger = logging.getLogger(__name__)


def _code_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=6,
        min_length=6,
        error_messages={
            "required": "Enter the 6-digit code",
            "min_length": "Enter the 6-digit code",
            "max_length": "Enter the 6-digit code",
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CodeForm(forms.Form):
    code = _code_field("Code from your authenticator app", "The 6 digits it shows now.")


class ReplaceForm(forms.Form):
    """Setting up a new app while one is on: a fresh code from each."""

    current_code = _code_field(
        "Code from your current authenticator app",
        "A new code: the one you signed in with works only once.",
    )
    code = _code_field("Code from the new authenticator app", "The 6 digits it shows now.")


class RemoveForm(forms.Form):
    current_code = _code_field(
        "Code from your current authenticator app",
        "A new code: the one you signed in with works only once.",
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return safe_return_url(request, target, fallback="/")


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST) if request.method == "POST" else CodeForm()
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is None:
            form.add_error("code", "The code is not right, or has expired. Try the new one.")
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


WRONG_CURRENT_CODE = (
    "The code from your current app is not right, or was used already. Enter the next one."
)
WRONG_NEW_CODE = "The code is not right. Check the time on your phone and try again."


def _current_code_matches(user, code: str) -> bool:
    """A fresh code from one of the user's confirmed devices (each code is accepted once)."""
    return match_token(user, code) is not None


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app; replace or remove the current one.

    TwoFactorMiddleware lets a session that has not passed the second factor reach this page only
    while a compulsory app is still to be set up. Replacing or removing a confirmed app also takes
    a fresh code from it; without the app, the force-wide audit manager resets it (logged).
    """
    user = request.user
    has_device = user_has_device(user, confirmed=True)
    if has_device and not user.is_verified():
        return redirect(f"{reverse('two_factor_verify')}?next={reverse('two_factor_setup')}")
    if request.method == "POST" and request.POST.get("action") == "remove":
        return _remove(request, has_device)
    device = _pending_device(user)
    form_class = ReplaceForm if has_device else CodeForm
    form = form_class(request.POST) if request.method == "POST" else form_class()
    if request.method == "POST" and form.is_valid():
        if not device.verify_token(form.cleaned_data["code"]):
            form.add_error("code", WRONG_NEW_CODE)
        elif has_device and not _current_code_matches(user, form.cleaned_data["current_code"]):
            form.add_error("current_code", WRONG_CURRENT_CODE)
        else:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            otp_login(request, device)
            what = "replaced the app for" if has_device else "set up"
            logger.info("user %s %s two-factor sign-in", user.pk, what)
            messages.success(request, "Two-factor sign-in is on for your account.")
            return redirect("home")
    return _setup_page(request, device, form, RemoveForm(prefix="remove"), has_device)


def _remove(request: HttpRequest, has_device: bool) -> HttpResponse:
    user = request.user
    form = RemoveForm(request.POST, prefix="remove")
    if not has_device:
        return redirect("two_factor_setup")
    if form.is_valid():
        if settings.REQUIRE_TWO_FACTOR:
            form.add_error(
                "current_code", "Two-factor sign-in is compulsory here: replace the app instead."
            )
        elif not _current_code_matches(user, form.cleaned_data["current_code"]):
            form.add_error("current_code", WRONG_CURRENT_CODE)
        else:
            TOTPDevice.objects.filter(user=user).delete()
            logger.info("user %s turned off two-factor sign-in", user.pk)
            messages.success(request, "Two-factor sign-in is off for your account.")
            return redirect("home")
    device = _pending_device(user)
    return _setup_page(request, device, ReplaceForm(), form, has_device)


def _pending_device(user) -> TOTPDevice:
    """The app being set up: kept until confirmed, so reloading the page keeps its QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def _setup_page(
    request: HttpRequest,
    device: TOTPDevice,
    form: forms.Form,
    remove_form: RemoveForm,
    has_device: bool,
) -> HttpResponse:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "remove_form": remove_form,
            "qr": _qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "has_device": has_device,
            "can_remove": has_device and not settings.REQUIRE_TWO_FACTOR,
        },
        status=400 if form.errors or remove_form.errors else 200,
    )
