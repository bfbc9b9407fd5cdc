"""The auditor's open work, in the order they should do it."""

import datetime

import pytest
from django.utils import timezone

from audit_app.audits import selectors
from audit_app.audits.models import AuditState, Grade, RoundState
from audit_app.months import add_months
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 14)
THIS_MONTH = datetime.date(2026, 5, 1)


@pytest.fixture
def auditor():
    return factories.UserFactory()


def _round(area, month, due_day=28, state=RoundState.OPEN):
    return factories.AuditRoundFactory(
        area=area, month=month, due_date=month.replace(day=due_day), state=state
    )


def test_current_audits_put_this_month_first_then_returned_in_progress_not_started(auditor):
    area = factories.AreaFactory()
    this_round = _round(area, THIS_MONTH)
    earlier_round = _round(factories.AreaFactory(), add_months(THIS_MONTH, -1), due_day=20)
    later_due_round = _round(factories.AreaFactory(), THIS_MONTH, due_day=10)

    def audit(round_, state, **kwargs):
        return factories.AuditFactory(round=round_, auditor=auditor, state=state, **kwargs)

    submitted = audit(
        this_round, AuditState.SUBMITTED, grade=Grade.GOOD, submitted_at=timezone.now()
    )
    not_started = audit(this_round, AuditState.NOT_STARTED)
    in_progress = audit(this_round, AuditState.IN_PROGRESS)
    returned = audit(this_round, AuditState.RETURNED)
    not_started_due_sooner = audit(later_due_round, AuditState.NOT_STARTED)
    earlier_month = audit(earlier_round, AuditState.RETURNED)

    shown = list(selectors.auditor_current_audits(auditor, today=TODAY))

    assert shown == [
        returned,
        in_progress,
        not_started_due_sooner,
        not_started,
        submitted,
        earlier_month,
    ]


def test_next_months_audits_are_kept_apart(auditor):
    area = factories.AreaFactory()
    this_month = factories.AuditFactory(round=_round(area, THIS_MONTH), auditor=auditor)
    next_month = factories.AuditFactory(
        round=_round(area, add_months(THIS_MONTH, 1)), auditor=auditor
    )
    factories.AuditFactory(
        round=_round(area, add_months(THIS_MONTH, 2), state=RoundState.DRAFT), auditor=auditor
    )

    assert list(selectors.auditor_current_audits(auditor, today=TODAY)) == [this_month]
    assert list(selectors.auditor_next_audits(auditor, today=TODAY)) == [next_month]
