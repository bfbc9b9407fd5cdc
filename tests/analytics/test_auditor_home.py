"""The auditor's home page: this month's work in the order to do it, next month's apart."""

import pytest
from django.urls import reverse

from audit_app.audits.models import AuditState
from audit_app.models import Role
from audit_app.months import add_months, current_month
from tests import factories

pytestmark = pytest.mark.django_db


def test_home_lists_this_month_in_working_order_and_next_month_apart(client):
    area = factories.AreaFactory()
    auditor = factories.user_with_role(Role.AUDITOR, area)
    this_round = factories.AuditRoundFactory(area=area, month=current_month())
    next_month = add_months(current_month(), 1)
    next_round = factories.AuditRoundFactory(area=area, month=next_month)

    def audit(round_, state, reference):
        return factories.AuditFactory(
            round=round_, auditor=auditor, state=state, case__reference=reference
        )

    audit(this_round, AuditState.NOT_STARTED, "WE-0001")
    audit(this_round, AuditState.RETURNED, "WE-0002")
    audit(this_round, AuditState.IN_PROGRESS, "WE-0003")
    audit(next_round, AuditState.NOT_STARTED, "WE-0009")
    client.force_login(auditor)

    page = client.get(reverse("home")).content.decode()

    order = [page.index(f"Case {ref}") for ref in ("WE-0002", "WE-0003", "WE-0001")]
    assert order == sorted(order)
    next_heading = page.index(f"Your audits for {next_month:%B %Y}")
    assert page.index("Your audits this month") < order[0] < order[-1] < next_heading
    assert page.index("Case WE-0009") > next_heading
