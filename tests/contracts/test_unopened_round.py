"""An auditor cannot open an audit allocated to them in a round that has not been opened.

Every URL pattern that takes an audit (from the URL resolver) and every API operation on one (from
the OpenAPI schema) is requested, GET and POST, for two audits of the same auditor: one in an open
round (the control) and one in a draft round. Wherever the control is not refused for the role
(403) or the method (405), the draft round's audit must be a 404, so the page, the API and every
sub-page agree with the lists, which leave it out.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from audit_app.audits import selectors
from audit_app.audits.models import Audit, RoundState
from audit_app.models import Area, Role
from audit_app.months import add_months
from tests import factories
from tests.url_world import url_entries
from tests.walk_helpers import allocated_audit

pytestmark = pytest.mark.django_db

REFUSED_BEFORE_THE_AUDIT = {403, 405}
# The API's collections whose {id} is an audit, and those whose {id} is the audit's round.
AUDIT_COLLECTIONS = ("/api/audits/", "/api/moderation/audits/", "/api/audit-results/")
ROUND_COLLECTIONS = ("/api/rounds/",)


def page_urls(audit: Audit) -> list[str]:
    """Every page URL pattern that takes an audit, filled for `audit`."""
    fill = {
        "audit_id": audit.pk,
        "round_id": audit.round_id,
        "section_code": selectors.audit_walk(audit).sections[0].section.code,
    }
    urls = []
    for entry in url_entries():
        if "audit_id" not in entry.kwargs or entry.route.startswith("api/"):
            continue
        missing = set(entry.kwargs) - set(fill)
        assert not missing, f"say what fills {missing} of {entry.route}"
        kwargs = {arg: fill[arg] for arg in entry.kwargs}
        urls.append(reverse(entry.view_name, kwargs=kwargs))
    return urls


def api_operations(audit: Audit) -> list[tuple[str, str]]:
    """Every API operation on one audit, as (method, URL)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        on_audit = path.startswith(AUDIT_COLLECTIONS) and "{id}" in path
        if not on_audit and "{audit_id}" not in path:
            continue
        url = path.replace("{audit_id}", str(audit.pk))
        if path.startswith(ROUND_COLLECTIONS):
            url = url.replace("{id}", str(audit.round_id))
        url = url.replace("{id}", str(audit.pk))
        operations += [(method.upper(), url) for method in methods if method in ("get", "post")]
    return operations


def outcome(client: Client, method: str, url: str, is_api: bool) -> int:
    if method == "GET":
        return client.get(url).status_code
    with transaction.atomic():
        if is_api:
            status = client.post(url, data={}, content_type="application/json").status_code
        else:
            status = client.post(url, data={}).status_code
        transaction.set_rollback(True)
    return status


@pytest.fixture
def audits(reference_data):
    """The same auditor's audit in an open round and one in a draft round of the next month."""
    west = Area.objects.get(code="west")
    auditor = factories.user_with_role(Role.AUDITOR, west)
    opened = allocated_audit(auditor=auditor)
    draft_round = factories.AuditRoundFactory(
        area=west, month=add_months(opened.round.month, 1), state=RoundState.DRAFT
    )
    unopened = allocated_audit(auditor=auditor, round=draft_round)
    return auditor, opened, unopened


def test_every_route_to_an_audit_of_an_unopened_round_is_a_404(client, audits):
    cache.clear()
    auditor, opened, unopened = audits
    client.force_login(auditor)
    served, problems = 0, []

    def routes(audit: Audit) -> list[tuple[str, str, bool]]:
        pages = [(method, url, False) for url in page_urls(audit) for method in ("GET", "POST")]
        return pages + [(method, url, True) for method, url in api_operations(audit)]

    for (method, url, is_api), (_, draft_url, _) in zip(
        routes(opened), routes(unopened), strict=True
    ):
        control = outcome(client, method, url, is_api)
        if control in REFUSED_BEFORE_THE_AUDIT:
            continue
        served += 1
        got = outcome(client, method, draft_url, is_api)
        if got != 404:
            problems.append(f"{method} {draft_url}: {got} (the open round's audit: {control})")
    assert served >= 10, f"only {served} routes served the open round's audit: the walk is broken"
    assert not problems, "an audit of an unopened round is served:\n" + "\n".join(problems)


def test_lists_leave_out_an_audit_of_an_unopened_round(client, audits):
    auditor, opened, unopened = audits
    client.force_login(auditor)
    listed = [row["id"] for row in client.get("/api/audits/").json()["results"]]
    assert opened.pk in listed and unopened.pk not in listed
    page = client.get(reverse("my_audits")).content.decode()
    assert opened.case.reference in page and unopened.case.reference not in page


def test_the_audit_manager_still_reads_an_audit_of_a_draft_round(client, audits):
    """The manager prepares the round: the read-only pages stay theirs."""
    _, _, unopened = audits
    manager = factories.user_with_role(Role.AUDIT_MANAGER, unopened.round.area)
    client.force_login(manager)
    assert client.get(reverse("audit_overview", args=[unopened.pk])).status_code == 200
