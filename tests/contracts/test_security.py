"""Sign-in protection, sessions, two-factor sign-in and security headers."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit_app.accounts.middleware import SIGNED_IN_AT, TOUCHED_AT
from audit_app.models import Area, Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(reference_data):
    return factories.user_with_role(Role.SENIOR_LEADER, Area.objects.get(code="west"))


def sign_in(client, username: str, password: str = factories.TEST_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_pages_carry_a_strict_content_security_policy_and_headers(client, leader):
    client.force_login(leader)
    response = client.get(reverse("home"), secure=True)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response["Strict-Transport-Security"]
    docs = client.get(reverse("api-docs"), secure=True)
    assert "style-src 'self' 'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "script-src 'self'" in docs["Content-Security-Policy"]


def test_session_and_csrf_cookies_are_http_only_and_the_session_is_short(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_MAX_AGE_HOURS == 10


def test_repeated_failures_lock_the_account_for_the_cool_off(client, leader):
    for _ in range(4):
        response = sign_in(client, leader.username, "wrong password")
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    assert sign_in(client, leader.username, "wrong password").status_code == 429  # the fifth
    locked = sign_in(client, leader.username)  # now even the right password
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()
    assert not client.session.get("_auth_user_id")
    # After the cool-off the right password works again.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time.replace(year=2000)
    )
    assert sign_in(client, leader.username).status_code == 302


def test_signing_in_rotates_the_session_key(client, leader):
    client.get(reverse("login"))
    client.session["probe"] = 1
    before = client.session.session_key
    sign_in(client, leader.username)
    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(leader.pk)


def test_activity_renews_the_session_at_most_once_a_minute(client, leader):
    def stored_expiry():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    sign_in(client, leader.username)
    first_expiry = stored_expiry()
    time.sleep(1)
    client.get(reverse("home"))
    assert stored_expiry() == first_expiry, "no write within the minute"
    session = client.session
    session[TOUCHED_AT] = int(time.time()) - 120
    session.save()
    before = stored_expiry()
    time.sleep(1)
    client.get(reverse("home"))
    assert stored_expiry() > before


def test_a_session_ends_ten_hours_after_sign_in_however_active(client, leader):
    sign_in(client, leader.username)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 10 * 3600 - 5
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302, "signed out, not just redirected"


def test_two_factor_setup_then_every_sign_in_asks_for_a_code(client, leader):
    sign_in(client, leader.username)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200 and b"data:image/svg+xml;base64," in page.content
    device = TOTPDevice.objects.get(user=leader, confirmed=False)
    wrong = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert wrong.status_code == 400 and "The code is not right" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows guessing after a wrong code
    client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed

    client.logout()
    sign_in(client, leader.username)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_verify"))
    bad = client.post(reverse("two_factor_verify"), {"code": "12", "next": "/dashboard/"})
    assert bad.status_code == 400 and "Enter the 6-digit code" in bad.content.decode()
    device.refresh_from_db()
    device.last_t = -1  # the setup code may be the current one: allow it again here
    device.save()
    ok = client.post(
        reverse("two_factor_verify"), {"code": code_for(device), "next": "/dashboard/"}
    )
    assert ok.status_code == 302 and ok.url == "/dashboard/"
    assert client.get(reverse("dashboard")).status_code == 200


def test_two_factor_can_be_made_compulsory(client, leader, settings):
    settings.REQUIRE_TWO_FACTOR = True
    sign_in(client, leader.username)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("two_factor_setup")


def test_the_admin_is_for_staff_only(client, leader):
    client.force_login(leader)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_password_validators_refuse_weak_passwords(leader):
    for weak in ("short1", "password12345", leader.username + "2026"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=leader)
    validate_password("correct horse battery staple 2026", user=leader)


def test_a_nul_inside_a_json_body_is_refused_with_the_reason(client, reference_data):
    manager = factories.user_with_role(Role.AUDIT_MANAGER, Area.objects.get(code="west"))
    client.force_login(manager)
    url = reverse("api-round-list")
    for body in (
        '{"area": 1, "month": "2030-01\\u0000"}',  # the escape decodes to NUL
        '{"area\\u0000": 1}',  # in a key
        '{"area": 1, "notes": ["ok", {"deep": "a\\u0000b"}]}',  # nested
        '{"area": 1, "month": "2030-01\x00"}',  # raw, which is not even JSON
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.json() == {"detail": "The request holds a NUL character."}
    for method in (client.patch, client.put):
        response = method(url, '{"x": "\\u0000"}', content_type="application/json")
        assert response.status_code == 400 and "NUL" in response.json()["detail"]
    # A backslash followed by "u0000" is text, not a NUL: the view answers it on its merits.
    literal = client.post(url, '{"area": 1, "month": "\\\\u0000"}', content_type="application/json")
    assert literal.status_code == 400 and "NUL" not in str(literal.json())
