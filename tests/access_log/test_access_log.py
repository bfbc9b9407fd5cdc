"""The access log: consultations, downloads, exports and changes recorded; append-only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit_app.access_log.models import AccessAction, AccessLogEntry
from audit_app.access_log.services import access_record
from audit_app.models import Area, Force, Role
from tests import factories
from tests.walk_helpers import allocated_audit, answer_everything, submit

pytestmark = pytest.mark.django_db


def entries(**filters) -> list[tuple]:
    return list(
        AccessLogEntry.objects.filter(**filters)
        .order_by("pk")
        .values_list("user_id", "action", "record_type", "record_id")
    )


def test_viewing_an_audit_is_logged_with_who_and_what(client, reference_data):
    audit = allocated_audit()
    client.force_login(audit.auditor)
    client.get(reverse("audit_overview", args=[audit.pk]))
    assert entries() == [(audit.auditor.pk, "view", "audit", str(audit.pk))]
    entry = AccessLogEntry.objects.get()
    assert entry.status == 200 and entry.path == f"/audits/{audit.pk}/"

    stranger = factories.user_with_role(Role.AUDITOR, Area.objects.get(code="east"))
    client.force_login(stranger)
    assert client.get(reverse("audit_overview", args=[audit.pk])).status_code == 404
    assert AccessLogEntry.objects.filter(user=stranger, status=404).count() == 1


def _submitted_audit():
    """A West audit answered and submitted through the services, so every reader sees it."""
    audit = allocated_audit()
    answer_everything(audit)
    submit(audit)
    audit.refresh_from_db()
    return audit


def test_api_reads_exports_and_changes_are_logged(client, reference_data):
    audit = _submitted_audit()
    manager = factories.user_with_role(Role.AUDIT_MANAGER, audit.round.area)
    client.force_login(manager)
    client.get(reverse("api-audit-result-detail", args=[audit.pk]))
    client.get(reverse("api-audit-result-list"), {"theme": "DA"})
    response = client.get(reverse("api-export", args=["csv"]), {"area": "west", "theme": "DA"})
    b"".join(response.streaming_content)
    logged = AccessLogEntry.objects.filter(user=manager).order_by("pk")
    # One record type per model: the results API, the export and the pages all read "audit".
    assert [(e.action, e.record_type, e.record_id) for e in logged] == [
        ("view", "audit", str(audit.pk)),
        ("view", "audit", ""),
        ("export", "audit", ""),
    ]
    assert logged[1].detail["filter"] == {"theme": ["DA"]}
    assert logged[2].detail["filter"] == {"area": ["west"], "theme": ["DA"]}

    client.post(reverse("api_tokens"), {"name": "Another"})
    assert AccessLogEntry.objects.filter(user=manager, action=AccessAction.CHANGE).exists()


def test_one_audit_is_one_record_whichever_page_or_endpoint_reads_it(client, reference_data):
    audit = _submitted_audit()
    west = audit.round.area
    moderator = factories.user_with_role(Role.MODERATOR, west)
    readers = [
        (audit.auditor, f"/audits/{audit.pk}/"),
        (audit.auditor, f"/api/audits/{audit.pk}/"),
        (factories.user_with_role(Role.AUDIT_MANAGER, west), f"/api/audit-results/{audit.pk}/"),
        (moderator, f"/api/moderation/audits/{audit.pk}/"),
        (moderator, f"/moderation/audits/{audit.pk}/"),
    ]
    for user, path in readers:
        client.force_login(user)
        assert client.get(path).status_code == 200, path
    logged = list(
        AccessLogEntry.objects.order_by("pk").values_list("path", "record_type", "record_id")
    )
    assert logged == [(path, "audit", str(audit.pk)) for _, path in readers]


def test_ids_are_logged_canonical_and_found_however_typed(client, reference_data):
    audit = _submitted_audit()
    client.force_login(audit.auditor)
    assert client.get(f"/api/audits/000{audit.pk}/").status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.record_type, entry.record_id) == ("audit", str(audit.pk))
    assert entry.path == f"/api/audits/000{audit.pk}/"  # the request itself as it came

    force = Force.objects.get()
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, None, force=force))
    for record_type, record_id in (("audit", str(audit.pk)), ("Audit", f"00{audit.pk}")):
        page = client.get(
            reverse("access_log"), {"record_type": record_type, "record_id": record_id}
        ).content.decode()
        table = page[page.index('id="access-entries"') :]
        assert f"/api/audits/000{audit.pk}/" in table, (record_type, record_id)
    access_record(user=None, action=AccessAction.ERASE, record_type="round", record_id="0042")
    assert AccessLogEntry.objects.filter(record_type="round", record_id="42").exists()
    # A model's name finds its label: "audit round" is logged as "round".
    page = client.get(reverse("access_log"), {"record_type": "audit round"}).content.decode()
    assert "/api/audits/" not in page[page.index('id="access-entries"') :]
    assert "Erased" in page[page.index('id="access-entries"') :]


def test_every_api_list_is_logged_and_the_schema_is_not(client, reference_data):
    west = Area.objects.get(code="west")
    manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    client.force_login(manager)
    lists = {
        "/api/rounds/": "round",
        "/api/case-imports/": "case import",
        "/api/reports/": "report version",
        "/api/meeting-actions/": "meeting action",
        "/api/recommendation-actions/": "recommendation action",
        "/api/assessments/": "assessment",
        "/api/aggregates/": "audit",
    }
    for path in lists:
        assert client.get(path).status_code == 200, path
    client.get("/api/schema/")
    logged = dict(AccessLogEntry.objects.values_list("path", "record_type"))
    assert logged == lists


def test_the_log_is_append_only(reference_data):
    entry = access_record(user=None, action=AccessAction.ERASE, record_type="round", record_id="1")
    entry.record_id = "2"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AccessLogEntry.objects.filter(pk=entry.pk).update(record_id="3")
    with pytest.raises(PermissionDenied):
        AccessLogEntry.objects.all().delete()
    # The database itself refuses, even to raw SQL.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_app_accesslogentry SET record_id = '4' WHERE id = %s", [entry.pk]
        )
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_app_accesslogentry WHERE id = %s", [entry.pk])
    assert AccessLogEntry.objects.get(pk=entry.pk).record_id == "1"


def test_the_force_audit_manager_searches_the_log(client, reference_data):
    force = Force.objects.get()
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=force)
    someone = factories.user_with_role(Role.SENIOR_LEADER, None, force=force)
    access_record(user=someone, action=AccessAction.EXPORT, record_type="export")
    access_record(user=manager, action=AccessAction.VIEW, record_type="audit", record_id="7")
    client.force_login(manager)
    page = client.get(reverse("access_log"), {"user": someone.username}).content.decode()
    table = page[page.index('id="access-entries"') :]
    assert someone.username in table and "Exported" in table and "Viewed" not in table
    bad = client.get(reverse("access_log"), {"from": "yesterday"})
    assert bad.status_code == 400 and "Enter the &#x27;from&#x27; date" in bad.content.decode()
    area_manager = factories.user_with_role(Role.AUDIT_MANAGER, Area.objects.get(code="west"))
    client.force_login(area_manager)
    assert client.get(reverse("access_log")).status_code == 403
    assert b"Access log" not in client.get(reverse("home")).content


def test_change_history_is_kept_and_shown_on_the_audit(client, reference_data):
    from audit_app.audits.history import change_history

    audit = allocated_audit()
    answer_everything(audit)
    submit(audit)
    rows = change_history(audit)
    assert rows[0].kind == "Changed" and "grade" in rows[0].fields and "state" in rows[0].fields
    assert rows[-1].kind == "Created"
    client.force_login(audit.auditor)
    page = client.get(reverse("audit_overview", args=[audit.pk])).content.decode()
    history = page[page.index('id="change-history"') :]
    assert "Changed" in history and "grade" in history
