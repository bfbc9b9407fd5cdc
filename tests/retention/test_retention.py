"""Retention: a dry run by default; erasing removes old rounds with everything they hold."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from audit_app.access_log.models import AccessLogEntry
from audit_app.audits.models import Answer, Audit, AuditRound, Case, Moderation
from audit_app.months import add_months
from audit_app.retention.services import retention_cutoff, retention_erase, retention_report

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def old_and_new(demo_logins):
    """Demo rounds, with one of them moved back eight years."""
    rounds = list(AuditRound.objects.order_by("month", "pk"))
    old = rounds[0]
    AuditRound.objects.filter(pk=old.pk).update(month=add_months(old.month, -96))
    old.refresh_from_db()
    return old, rounds[1:]


def test_the_default_is_a_dry_run_that_lists_what_is_due(old_and_new):
    old, _ = old_and_new
    before = (Audit.objects.count(), Case.objects.count())
    out = io.StringIO()
    call_command("retention", stdout=out)
    text = out.getvalue()
    assert "rounds: 1" in text and f"audits: {old.audits.count()}" in text
    assert "Dry run: nothing erased." in text
    assert (Audit.objects.count(), Case.objects.count()) == before


def test_confirming_erases_the_round_its_audits_cases_and_their_history(old_and_new):
    old, newer = old_and_new
    audit_ids = list(old.audits.values_list("pk", flat=True))
    case_ids = list(old.audits.values_list("case_id", flat=True))
    assert audit_ids and Moderation.objects.filter(audit_id__in=audit_ids).exists()
    kept_audits = Audit.objects.exclude(pk__in=audit_ids).count()
    report = retention_report()
    assert report.counts["rounds"] == 1

    out = io.StringIO()
    call_command("retention", "--confirm", "--by", "force.manager", stdout=out)
    assert "Erased" in out.getvalue()
    assert not AuditRound.objects.filter(pk=old.pk).exists()
    assert not Audit.objects.filter(pk__in=audit_ids).exists()
    assert not Answer.objects.filter(audit_id__in=audit_ids).exists()
    assert not Case.objects.filter(pk__in=case_ids).exists()
    assert not Audit.history.filter(id__in=audit_ids).exists(), "history holds content too"
    assert Audit.objects.count() == kept_audits
    assert all(AuditRound.objects.filter(pk=r.pk).exists() for r in newer)
    entry = AccessLogEntry.objects.get(action="erase", record_type="round")
    assert entry.record_id == str(old.pk) and entry.user.username == "force.manager"
    # Nothing left to erase: a second run changes nothing.
    assert not any(retention_erase().counts.values())


def test_the_cutoff_is_seven_years_from_the_round_month(settings):
    assert retention_cutoff(TODAY) == datetime.date(2019, 11, 1)
    settings.RETENTION_YEARS = 10
    assert retention_cutoff(TODAY) == datetime.date(2016, 11, 1)
