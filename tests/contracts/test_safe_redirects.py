"""Redirects and Back links taken from the request lead to this site only.

`test_no_route_sends_the_user_off_site` walks every URL pattern from the resolver, as a user the
permission matrix says may open it, with hostile `next`, `back`, `return_to`... parameters, and
posts to every page that takes a POST with the same fields: no `Location` header, no link, form
action or hidden return field may lead to another site or run script. The other tests pin the one
helper, `audit_app.urls_safety.safe_return_url`, and the flows that redirect to a given target.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from audit_app.urls_safety import safe_return_url
from tests import factories
from tests.factories import TEST_PASSWORD
from tests.permission_matrix import ROWS
from tests.url_world import World, client_for, routes, url_for, users_who_may, world_fixture

# Every name a view might read a return address from.
RETURN_KEYS = ("next", "back", "return_to", "return", "redirect", "redirect_to", "from", "url")
HOSTILE = [
    "https://evil.example/",
    "javascript:alert(1)",
    "//evil.example/",
    "\\\\evil.example",
    "/\\evil.example",
    " JavaScript:alert(1)",
    "https:evil.example",
    "java\tscript:alert(1)",
]
# Each key gets a different hostile value, so every kind is tried across the keys.
HOSTILE_QUERY = {key: HOSTILE[i % len(HOSTILE)] for i, key in enumerate(RETURN_KEYS)}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    yield from world_fixture(django_db_setup, django_db_blocker, tmp_path_factory)


def leads_off_site(target: str) -> bool:
    """Whether a link or redirect target runs script or names the hostile host (in its scheme,
    host or path; a hostile value inside our own URL's query string leads nowhere)."""
    squeezed = "".join(ch for ch in target if ch.isprintable() and not ch.isspace()).lower()
    if squeezed.startswith(("javascript:", "vbscript:")):
        return True
    return "evil.example" in squeezed.split("?", 1)[0].split("#", 1)[0]


class _Targets(HTMLParser):
    """Every URL a page offers to follow: links, form actions, sources, refreshes, and the
    values of hidden fields that carry a return address to the next request."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name in ("href", "action", "formaction", "src"):
            if named.get(name):
                self.found.append(named[name])
        hidden = (named.get("type") or "").lower() == "hidden"
        if tag == "input" and hidden and named.get("name") in RETURN_KEYS and named.get("value"):
            self.found.append(named["value"])
        if tag == "meta" and (named.get("http-equiv") or "").lower() == "refresh":
            self.found.append((named.get("content") or "").partition("url=")[2])


def off_site_targets(response) -> list[str]:
    found = []
    if response.has_header("Location"):
        found.append(response["Location"])
    if "html" in response.get("Content-Type", "") and not getattr(response, "streaming", False):
        parser = _Targets()
        parser.feed(response.content.decode(errors="replace"))
        found += parser.found
    return [target for target in found if leads_off_site(target)]


def _client(world: World, kind: str) -> Client:
    return client_for(world.users[kind])


@pytest.mark.django_db
def test_no_route_sends_the_user_off_site(world):
    problems: list[str] = []
    visited = posted = 0
    unfilled: list[str] = []
    signed_in = reached = 0
    query = urlencode(HOSTILE_QUERY)
    for route in routes():
        try:
            url = url_for(route, world.records)
        except LookupError:
            unfilled.append(route.key)
            continue
        readers = users_who_may(route, "GET") or users_who_may(route, "POST")
        for kind in (readers[:1] or ["force.manager", "west.auditor"]) + ["anonymous"]:
            response = _client(world, kind).get(f"{url}?{query}")
            visited += 1
            if kind != "anonymous":
                signed_in += 1
                reached += response.status_code < 400
            if response.status_code >= 500:
                problems.append(f"GET {url} as {kind}: {response.status_code}")
            problems += [f"GET {url} as {kind}: {t!r}" for t in off_site_targets(response)]
        writers = users_who_may(route, "POST")
        if route.is_api or not writers:
            continue
        row = ROWS[route.key]
        body = {**(row.body(world.records) if row.body else {}), **HOSTILE_QUERY}
        with transaction.atomic():
            response = _client(world, writers[0]).post(f"{url}?{query}", body)
            transaction.set_rollback(True)
        posted += 1
        problems += [f"POST {url} as {writers[0]}: {t!r}" for t in off_site_targets(response)]
    print(f"safe redirects: {visited} GETs, {posted} POSTs")
    assert not unfilled, f"routes the walk could not fill, so never tried: {unfilled}"
    assert posted > 10, "the walk posted to too few pages to mean anything"
    # Many routes take only POST (405 to a GET): a third of the signed-in GETs must get through.
    assert reached >= signed_in // 3, f"only {reached} of {signed_in} GETs passed permissions"
    assert not problems, "\n".join(problems)


def test_the_walk_sees_a_hostile_back_link_where_one_is_rendered():
    """The detector itself: what the escalation page used to render is caught."""
    assert leads_off_site("javascript:alert(1)")
    assert leads_off_site(" JAVA\tSCRIPT:alert(1)")
    assert leads_off_site("//evil.example/")
    assert leads_off_site("\\\\evil.example")
    assert leads_off_site("https:evil.example")
    assert not leads_off_site("/rounds/?next=https://evil.example/&page=2")
    assert not leads_off_site("/audits/12/")


# --- The helper -----------------------------------------------------------------------------------


@pytest.mark.parametrize("candidate", [*HOSTILE, "", None, "http://testserver.evil.example/"])
def test_safe_return_url_refuses_anything_but_this_site(candidate):
    request = RequestFactory().get("/")
    assert safe_return_url(request, candidate, fallback="/home/") == "/home/"


@pytest.mark.parametrize(
    "candidate", ["/audits/12/", "/audits/12/sections/A/?x=1", "http://testserver/rounds/"]
)
def test_safe_return_url_keeps_this_sites_addresses(candidate):
    request = RequestFactory().get("/")
    assert safe_return_url(request, candidate, fallback="/") == candidate


def test_safe_return_url_refuses_plain_http_from_a_secure_page():
    request = RequestFactory().get("/", secure=True)
    assert safe_return_url(request, "http://testserver/", fallback="/") == "/"
    assert safe_return_url(request, "https://testserver/", fallback="/") == "https://testserver/"


# --- Flows that redirect to a target given in the request ---------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("back", HOSTILE)
def test_the_safeguarding_concern_page_never_offers_or_follows_an_outside_back_link(world, back):
    client = _client(world, "west.auditor")
    audit = world.records["audit"]
    url = reverse("escalation_new", args=[audit])
    page = client.get(url, {"back": back})
    assert page.status_code == 200
    assert off_site_targets(page) == []
    assert f'href="{reverse("audit_overview", args=[audit])}" class="govuk-back-link"' in (
        page.content.decode()
    )
    with transaction.atomic():
        sent = client.post(f"{url}?{urlencode({'back': back})}", {"concern": "C", "back": back})
        transaction.set_rollback(True)
    assert sent.status_code == 302
    assert sent["Location"] == reverse("audit_overview", args=[audit])


@pytest.mark.django_db
def test_the_safeguarding_concern_page_goes_back_to_the_page_it_was_raised_from(world):
    client = _client(world, "west.auditor")
    audit = world.records["audit"]
    back = reverse("audit_section", args=[audit, world.records["section"]])
    page = client.get(reverse("escalation_new", args=[audit]), {"back": back})
    assert f'href="{back}" class="govuk-back-link"' in page.content.decode()
    with transaction.atomic():
        sent = client.post(reverse("escalation_new", args=[audit]), {"concern": "C", "back": back})
        transaction.set_rollback(True)
    assert sent["Location"] == back


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE[:3])
def test_signing_in_and_out_never_redirects_off_site(world, target):
    user = factories.UserFactory()
    client = Client()
    signed_in = client.post(
        f"{reverse('login')}?next={target}",
        {"username": user.username, "password": TEST_PASSWORD, "next": target},
    )
    assert signed_in.status_code == 302
    assert not leads_off_site(signed_in["Location"])
    signed_out = client.post(f"{reverse('logout')}?next={target}", {"next": target})
    assert signed_out.status_code == 302
    assert not leads_off_site(signed_out["Location"])
