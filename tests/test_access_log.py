"""The access log: consultations, downloads, exports and changes recorded; append-only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit_app.access_log import access_record
from audit_app.models import AccessAction, AccessLogEntry, Area, Force, Grade, Role
from tests import factories
from tests.test_analytics_api import graded_audit, token_client
from tests.walk_helpers import allocated_audit

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


def test_api_reads_exports_and_changes_are_logged(client, reference_data):
    west = Area.objects.get(code="west")
    audit = graded_audit(west, Grade.GOOD, Grade.GOOD)
    manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    api = token_client(manager)
    api.get(reverse("api-audit-result-detail", args=[audit.pk]))
    api.get(reverse("api-audit-result-list"), {"theme": "DA"})
    response = api.get(reverse("api-export", args=["csv"]), {"area": "west", "theme": "DA"})
    b"".join(response.streaming_content)
    logged = AccessLogEntry.objects.filter(user=manager).order_by("pk")
    assert [(e.action, e.record_type, e.record_id) for e in logged] == [
        ("view", "audit result", str(audit.pk)),
        ("view", "audit result list", ""),
        ("export", "export", ""),
    ]
    assert logged[1].detail["filter"] == {"theme": ["DA"]}
    assert logged[2].detail["filter"] == {"area": ["west"], "theme": ["DA"]}

    client.force_login(manager)
    client.post(reverse("api_tokens"), {"name": "Another"})
    assert AccessLogEntry.objects.filter(user=manager, action=AccessAction.CHANGE).exists()


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
    from audit_app.history import change_history
    from tests.walk_helpers import answer_everything, submit

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
