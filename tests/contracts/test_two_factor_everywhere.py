"""Two-factor sign-in holds on every path: a password alone reaches only the account views.

The walk requests every URL pattern the resolver knows (pages, API and the admin), with every
method the route takes, from a session that has not passed the second factor. The middleware must
refuse before any view runs, so the URL's ids can be anything. A personal API token is a factor
of its own and still works; a session cannot lean on a token header to skip the check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from audit_app.access_log.models import AccessAction, AccessLogEntry
from audit_app.accounts import tokens
from audit_app.accounts.models import ApiToken
from audit_app.models import Area, Role
from tests import factories

pytestmark = pytest.mark.django_db

# Reachable before the second factor (the set-up page too, while a compulsory app is missing),
# and the public feedback acknowledgement, whose emailed single-use link is its own credential.
ACCOUNT_VIEWS = {"login", "logout", "two_factor_verify", "healthz", "feedback_acknowledge"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


# --- Every URL pattern, as a path that resolves to it ---------------------------------------------

_GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")


def _regex_sample(regex: str) -> str:
    """A path matching a regex pattern: the first choice of a group of literals, else "1"."""

    def group(match: re.Match) -> str:
        body = match.group(2)
        return body.split("|")[0] if re.fullmatch(r"[\w|]+", body) else "1"

    sample = _GROUP.sub(group, regex.lstrip("^").rstrip("$"))
    return sample.replace("/?", "/").replace("\\.", ".").replace("\\Z", "")


def _sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?\w+>", "1", str(pattern._route))
    if isinstance(pattern, RegexPattern):
        return _regex_sample(pattern._regex)
    return ""


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        path = prefix + _sample(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, path)
        else:
            yield "/" + path, entry


def _methods(callback) -> list[str]:
    """The methods a route takes, HEAD aside: a DRF view says; a plain Django view is asked GET
    and POST."""
    actions = getattr(callback, "actions", None)
    if actions:  # DRF adds "head" once the route has answered a GET: it is the GET, bodiless
        return sorted(method.upper() for method in actions if method != "head")
    view_class = getattr(callback, "cls", None)
    if view_class is not None and hasattr(view_class, "http_method_names"):
        return sorted(
            m.upper()
            for m in view_class.http_method_names
            if hasattr(view_class, m) and m != "head"
        )
    return ["GET", "POST"]


def every_route() -> list[tuple[str, str, str]]:
    """(view name, path, method) for every URL pattern and method."""
    routes = []
    for path, pattern in _walk(get_resolver().url_patterns):
        match = resolve(path)
        assert match.func == pattern.callback, f"{path} resolves to {match.view_name}"
        routes += [(match.view_name, path, method) for method in _methods(pattern.callback)]
    return routes


def test_the_walk_covers_every_pattern_and_the_api():
    routes = every_route()
    assert len({path for _, path, _ in routes}) == len(list(_walk(get_resolver().url_patterns)))
    assert any(path.startswith("/api/") and method in UNSAFE for _, path, method in routes)
    assert any(path.startswith("/admin/") for _, path, _ in routes)


# --- People ---------------------------------------------------------------------------------------


@pytest.fixture
def west(reference_data) -> Area:
    return Area.objects.get(code="west")


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The device's code now, or `steps_ahead` 30-second steps later (accepted within drift)."""
    t0 = device.t0 - steps_ahead * device.step
    return f"{totp(device.bin_key, step=device.step, t0=t0, digits=device.digits):06d}"


def with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def password_only(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def verified(user, device: TOTPDevice) -> Client:
    client = password_only(user)
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert response.status_code == 302, "the code should verify the session"
    return client


def send(client: Client, method: str, path: str, **extra):
    if path.startswith("/api/"):
        return getattr(client, method.lower())(
            path, data={}, content_type="application/json", **extra
        )
    return getattr(client, method.lower())(path, **extra)


def walk_refusals(client: Client, expect_page: str, api_detail: str, **extra) -> list[str]:
    """Every route except the account views, and what it answered when not refused."""
    problems = []
    for view_name, path, method in every_route():
        if view_name in ACCOUNT_VIEWS or (
            view_name == "two_factor_setup" and expect_page == "two_factor_setup"
        ):
            continue
        response = send(client, method, path, **extra)
        if path.startswith("/api/"):
            try:
                detail = response.json().get("detail", "")
            except ValueError:
                detail = ""
            if response.status_code not in (401, 403) or api_detail not in detail:
                problems.append(f"{method} {path}: {response.status_code} {response.content[:80]}")
        elif response.status_code != 302 or not response["Location"].startswith(
            reverse(expect_page)
        ):
            problems.append(f"{method} {path}: {response.status_code} {response.get('Location')}")
    return problems


# --- The walk -------------------------------------------------------------------------------------


def test_a_password_alone_reaches_nothing_when_the_user_has_an_app(west):
    manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    with_app(manager)
    client = password_only(manager)
    problems = walk_refusals(client, "two_factor_verify", "Verify your second factor")
    assert not problems, "reached without the second factor:\n" + "\n".join(problems)
    # What it may reach: the verify page and signing out.
    assert client.get(reverse("two_factor_verify")).status_code == 200
    assert client.get(reverse("two_factor_setup")).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_a_compulsory_app_not_yet_set_up_reaches_only_the_set_up_page(west, settings):
    settings.REQUIRE_TWO_FACTOR = True
    client = password_only(factories.user_with_role(Role.AUDIT_MANAGER, west))
    problems = walk_refusals(client, "two_factor_setup", "Two-factor sign-in is compulsory")
    assert not problems, "reached without setting up the app:\n" + "\n".join(problems)
    assert client.get(reverse("two_factor_setup")).status_code == 200


def test_a_token_header_does_not_let_a_password_only_session_through(west):
    """The token is checked instead of the session, never beside it: a bad token is a 401 on the
    API, and pages (which never read tokens) still send the session to verify."""
    manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    with_app(manager)
    client = password_only(manager)
    bogus = {"HTTP_AUTHORIZATION": "Bearer ca_0000_not-a-token"}
    for path in ("/api/rounds/", "/api/exports/audits.csv", reverse("api-schema")):
        response = client.get(path, **bogus)
        assert response.status_code == 401, path
    response = client.get(reverse("api_tokens"), **bogus)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_a_personal_token_is_a_factor_of_its_own(west):
    auditor = factories.user_with_role(Role.AUDITOR, west)
    with_app(auditor)
    _, key = tokens.token_create(user=auditor, name="BI")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(reverse("api-audit-list")).status_code == 200
    # Also beside a password-only session cookie of the same person.
    client = password_only(auditor)
    assert client.get(reverse("api-audit-list")).status_code == 403
    response = client.get(reverse("api-audit-list"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_after_the_code_everything_opens(west):
    manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    client = verified(manager, with_app(manager))
    assert client.get(reverse("rounds")).status_code == 200
    assert client.get(reverse("api-round-list")).status_code == 200


def test_a_session_from_before_the_app_was_set_up_is_held_too(west):
    """Whether the user has an app is asked on each request, not remembered at sign-in."""
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    earlier = password_only(leader)
    assert earlier.get(reverse("dashboard")).status_code == 200
    with_app(leader)
    assert earlier.get(reverse("dashboard")).status_code == 302
    assert earlier.get(reverse("api-round-list")).status_code == 403


# --- Tokens are made only from a verified session -------------------------------------------------


def test_tokens_are_made_only_after_the_second_factor(west):
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    device = with_app(leader)
    client = password_only(leader)
    response = client.post(reverse("api_tokens"), {"name": "BI"})
    assert response.status_code == 302 and not ApiToken.objects.exists()
    client = verified(leader, device)
    assert client.post(reverse("api_tokens"), {"name": "BI"}).status_code == 200
    assert ApiToken.objects.filter(user=leader).count() == 1


# --- Changing or removing the app -----------------------------------------------------------------


def test_the_set_up_page_will_not_replace_an_app_from_a_password_only_session(west):
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    device = with_app(leader)
    client = password_only(leader)
    assert client.get(reverse("two_factor_setup")).status_code == 302
    # The attacker's own app: never made, never confirmed.
    response = client.post(reverse("two_factor_setup"), {"code": "123456"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert list(TOTPDevice.objects.filter(user=leader)) == [device]
    assert client.post(reverse("two_factor_setup"), {"action": "remove"}).status_code == 302
    assert TOTPDevice.objects.filter(user=leader, confirmed=True).count() == 1


def test_replacing_the_app_takes_a_fresh_code_from_the_current_one(west):
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    device = with_app(leader)
    client = verified(leader, device)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200 and "Code from your current authenticator app" in page.text
    new = TOTPDevice.objects.get(user=leader, confirmed=False)

    # The new app's code alone is not enough.
    refused = client.post(reverse("two_factor_setup"), {"code": code_for(new)})
    assert refused.status_code == 400 and "Enter the 6-digit code" in refused.text
    # The code the session was verified with is spent.
    new.refresh_from_db()
    new.throttle_reset()
    spent = client.post(
        reverse("two_factor_setup"),
        {"current_code": code_for(device), "code": code_for(new, steps_ahead=1)},
    )
    assert spent.status_code == 400 and "was used already" in spent.text
    device.refresh_from_db()
    assert device.confirmed and TOTPDevice.objects.filter(user=leader, confirmed=True).count() == 1

    new.refresh_from_db()
    new.last_t = -1
    new.save()
    new.throttle_reset()
    device.refresh_from_db()
    device.throttle_reset()
    done = client.post(
        reverse("two_factor_setup"),
        {"current_code": code_for(device, steps_ahead=1), "code": code_for(new)},
    )
    assert done.status_code == 302
    assert list(TOTPDevice.objects.filter(user=leader)) == [new]
    new.refresh_from_db()
    assert new.confirmed


def test_turning_the_app_off_takes_a_fresh_code(west, settings):
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    device = with_app(leader)
    client = verified(leader, device)
    wrong = client.post(
        reverse("two_factor_setup"), {"action": "remove", "remove-current_code": "000000"}
    )
    assert wrong.status_code == 400 and TOTPDevice.objects.filter(confirmed=True).exists()
    device.refresh_from_db()
    device.throttle_reset()
    settings.REQUIRE_TWO_FACTOR = True
    compulsory = client.post(
        reverse("two_factor_setup"),
        {"action": "remove", "remove-current_code": code_for(device, steps_ahead=1)},
    )
    assert compulsory.status_code == 400 and "compulsory" in compulsory.text
    settings.REQUIRE_TWO_FACTOR = False
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    done = client.post(
        reverse("two_factor_setup"),
        {"action": "remove", "remove-current_code": code_for(device, steps_ahead=1)},
    )
    assert done.status_code == 302 and not TOTPDevice.objects.filter(user=leader).exists()


# --- The audit manager's reset --------------------------------------------------------------------


def test_the_force_wide_audit_manager_resets_a_lost_app_and_it_is_logged(west):
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    with_app(leader)
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force)
    client = password_only(manager)
    page = client.get(reverse("sign_in_security"))
    assert page.status_code == 200
    assert reverse("two_factor_reset", args=[leader.pk]) in page.text

    area_manager = password_only(factories.user_with_role(Role.AUDIT_MANAGER, west))
    assert area_manager.post(reverse("two_factor_reset", args=[leader.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=leader).exists()

    response = client.post(reverse("two_factor_reset", args=[leader.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("sign_in_security")
    assert not TOTPDevice.objects.filter(user=leader).exists()
    entry = AccessLogEntry.objects.get(record_type="user", detail__what="two-factor sign-in reset")
    assert entry.user == manager and entry.action == AccessAction.CHANGE
    assert entry.record_id == str(leader.pk)


def test_another_forces_people_cannot_be_reset(west):
    other_area = factories.AreaFactory()
    stranger = factories.user_with_role(Role.SENIOR_LEADER, other_area)
    with_app(stranger)
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force)
    client = password_only(manager)
    assert client.post(reverse("two_factor_reset", args=[stranger.pk])).status_code == 404
    assert TOTPDevice.objects.filter(user=stranger).exists()
