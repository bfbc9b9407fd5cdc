"""The demo's meeting actions: made once, shown in this month's reports."""

import pytest
from django.utils import timezone

from audit_app.models import Force
from audit_app.months import current_month
from audit_app.reports.demo import build_reports_demo
from audit_app.reports.models import MeetingAction
from audit_app.reports.selectors import report_content

pytestmark = pytest.mark.django_db


def test_demo_actions_are_made_once_and_appear_in_this_months_reports(demo_logins):
    force = Force.objects.get(code="lancashire")
    first = build_reports_demo(force)
    again = build_reports_demo(force)
    assert len(first) == 3
    assert [a.pk for a in again] == [a.pk for a in first]
    assert MeetingAction.objects.count() == 3
    west = force.areas.get(code="west")
    content = report_content(force=force, area=west, month=current_month(), cutoff=timezone.now())
    assert len(content["actions"]) == 2
    assert {a["state"] for a in content["actions"]} == {"in_progress", "done"}
    central = report_content(force=force, area=None, month=current_month(), cutoff=timezone.now())
    # The central chair's report has the central meeting's actions first, then the areas'.
    assert [a["meeting"] for a in central["actions"]] == [
        "Central meeting",
        "West area meeting",
        "West area meeting",
    ]
    assert central["actions"][0]["recommendation"] == "Recommendation 1"
