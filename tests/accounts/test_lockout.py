"""Sign-in lockout: the client's address behind trusted proxies, and a limit per account.

Five failures for one username from one address lock that pair (django-axes). Many failures for one
account from any addresses limit its password to browsers holding the known-device cookie that an
earlier successful sign-in set (audit_app.sign_in). The force-wide audit manager sees both and
can lift them.
"""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessFailureLog
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit_app.access_log.models import AccessAction, AccessLogEntry
from audit_app.accounts.lockout import KNOWN_DEVICE_COOKIE, client_ip
from audit_app.models import Area, Role
from tests import factories

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture
def west(reference_data) -> Area:
    return Area.objects.get(code="west")


@pytest.fixture
def leader(west):
    return factories.user_with_role(Role.SENIOR_LEADER, west)


def sign_in(client: Client, username: str, password: str = factories.TEST_PASSWORD, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def through_proxy(client_address: str, claimed: str = "") -> dict:
    """What the app sees of a request through one proxy: the proxy's address, and the client's
    appended to whatever X-Forwarded-For the client sent."""
    forwarded = f"{claimed}, {client_address}" if claimed else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def table(page, table_id: str) -> str:
    return page.text.split(f'id="{table_id}"')[1].split("</table>")[0]


def refused(response) -> bool:
    return response.status_code == 429 and "Too many attempts" in response.text


# --- The client's address -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "1.1.1.1"}, "203.0.113.9"),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "203.0.113.9"),
        # Whatever the client wrote itself is to the left of what the proxy appended.
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.9"}, "203.0.113.9"),
        (
            2,
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.9, 10.0.0.1"},
            "203.0.113.9",
        ),
        # Fewer addresses than trusted proxies, or nonsense: only the peer is known.
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, PROXY),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "not-an-address"}, PROXY),
        (1, {"REMOTE_ADDR": PROXY}, PROXY),
    ],
)
def test_the_client_address_comes_from_the_trusted_proxies(settings, proxies, meta, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(RequestFactory().get("/", **meta)) == expected


# --- Lockouts per address -------------------------------------------------------------------------


def test_behind_the_proxy_a_strangers_failures_do_not_lock_out_the_real_user(settings, leader):
    settings.TRUSTED_PROXY_COUNT = 1
    stranger = Client()
    for _ in range(4):
        assert (
            sign_in(stranger, leader.username, "guess", **through_proxy("198.51.100.7")).status_code
            == 200
        )
    assert refused(sign_in(stranger, leader.username, "guess", **through_proxy("198.51.100.7")))
    # The stranger cannot get out of it by claiming another address either.
    assert refused(
        sign_in(stranger, leader.username, **through_proxy("198.51.100.7", claimed="192.0.2.1"))
    )
    real = sign_in(Client(), leader.username, **through_proxy("203.0.113.20"))
    assert real.status_code == 302 and real["Location"] == reverse("home")


# --- The limit per account ------------------------------------------------------------------------


def test_guessing_from_thirty_addresses_is_stopped(settings, leader):
    """30 addresses x 4 guesses: only SIGN_IN_ACCOUNT_FAILURE_LIMIT passwords are ever tried."""
    attacker = Client()
    tried = stopped = 0
    for address in range(30):
        for _ in range(4):
            response = sign_in(attacker, leader.username, "guess", REMOTE_ADDR=f"192.0.2.{address}")
            if response.status_code == 200:
                tried += 1
            else:
                assert refused(response)
                assert "a device you have used before" in response.text
                stopped += 1
    assert tried == settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT == 10
    assert stopped == 120 - tried
    # Even the right password, from a browser the account never signed in from, is not tried.
    assert refused(sign_in(Client(), leader.username, REMOTE_ADDR="192.0.2.200"))


def test_the_real_user_on_a_known_device_still_signs_in(leader):
    browser = Client()
    assert sign_in(browser, leader.username, REMOTE_ADDR="203.0.113.20").status_code == 302
    assert KNOWN_DEVICE_COOKIE in browser.cookies
    browser.post(reverse("logout"))
    attacker = Client()
    for address in range(15):
        sign_in(attacker, leader.username, "guess", REMOTE_ADDR=f"192.0.2.{address}")
    # From another address (a different network), the same browser is still known.
    again = sign_in(browser, leader.username, REMOTE_ADDR="198.51.100.40")
    assert again.status_code == 302 and again["Location"] == reverse("home")
    # A forged or copied-for-another-account cookie does not count.
    other = factories.user_with_role(Role.SENIOR_LEADER, leader.role_assignments.get().area)
    other_browser = Client()
    assert sign_in(other_browser, other.username).status_code == 302
    forged = Client()
    forged.cookies[KNOWN_DEVICE_COOKIE] = other_browser.cookies[KNOWN_DEVICE_COOKIE].value
    assert refused(sign_in(forged, leader.username, REMOTE_ADDR="198.51.100.41"))
    forged.cookies[KNOWN_DEVICE_COOKIE] = f"[{leader.pk}]:forged"
    assert refused(sign_in(forged, leader.username, REMOTE_ADDR="198.51.100.41"))


def test_the_known_device_cookie_is_http_only_and_long_lived(leader):
    browser = Client()
    sign_in(browser, leader.username)
    cookie = browser.cookies[KNOWN_DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 90 * 86400


# --- What the audit manager sees ------------------------------------------------------------------


def test_the_audit_manager_sees_lockouts_and_throttles_and_unlocks(west, leader):
    attacker = Client()
    for address in range(3):
        for _ in range(5):
            sign_in(attacker, leader.username, "guess", REMOTE_ADDR=f"192.0.2.{address}")
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force)
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("sign_in_security"))
    assert page.status_code == 200
    lockouts, throttles = table(page, "lockouts"), table(page, "throttles")
    assert leader.username in lockouts and "192.0.2.0" in lockouts
    # Ten failures from two addresses; the third address's attempts were refused untried.
    cells = [cell.split("<")[0] for cell in throttles.split('govuk-table__cell">')[1:3]]
    assert leader.username in throttles and cells == ["10", "2"]

    area_manager = Client()
    area_manager.force_login(factories.user_with_role(Role.AUDIT_MANAGER, west))
    assert area_manager.get(reverse("sign_in_security")).status_code == 403
    response = area_manager.post(reverse("sign_in_security"), {"username": leader.username})
    assert response.status_code == 403

    response = client.post(reverse("sign_in_security"), {"username": leader.username})
    assert response.status_code == 302
    entry = AccessLogEntry.objects.get(record_type="user", detail__what="sign-in unlocked")
    assert entry.user == manager and entry.action == AccessAction.CHANGE
    assert entry.record_id == str(leader.pk)
    page = client.get(reverse("sign_in_security"))
    assert leader.username not in table(page, "lockouts") + table(page, "throttles")
    assert sign_in(Client(), leader.username, REMOTE_ADDR="192.0.2.0").status_code == 302


def test_another_forces_people_are_not_listed(west):
    elsewhere = factories.user_with_role(Role.SENIOR_LEADER, factories.AreaFactory())
    for _ in range(5):
        sign_in(Client(), elsewhere.username, "guess", REMOTE_ADDR="192.0.2.1")
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force)
    client = Client()
    client.force_login(manager)
    assert elsewhere.username not in client.get(reverse("sign_in_security")).text
    assert (
        client.post(reverse("sign_in_security"), {"username": elsewhere.username}).status_code
        == 404
    )


def test_an_account_guessed_for_months_is_still_counted(settings, leader):
    """Old failures past the per-user cap give way to new ones, never the other way round."""
    cap = settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT
    AccessFailureLog.objects.bulk_create(
        AccessFailureLog(username=leader.username, ip_address="192.0.2.99") for _ in range(cap)
    )
    long_ago = timezone.now() - datetime.timedelta(days=90)
    AccessFailureLog.objects.update(attempt_time=long_ago)  # auto_now_add set them to now
    for address in range(10):
        sign_in(Client(), leader.username, "guess", REMOTE_ADDR=f"198.51.100.{address}")
    assert refused(sign_in(Client(), leader.username, REMOTE_ADDR="198.51.100.200"))
    assert AccessFailureLog.objects.filter(username=leader.username).count() == cap
    assert AccessFailureLog.objects.filter(attempt_time=long_ago).count() == cap - 10


def test_the_lockout_page_says_how_long(leader):
    browser = Client()
    for _ in range(5):
        response = sign_in(browser, leader.username, "guess")
    assert refused(response) and "locked for 15 minutes" in response.text
