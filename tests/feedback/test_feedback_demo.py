"""The demo's feedback: earlier months given and mostly acknowledged, this month's owed, so the
loop can be shown in `make run` from the first sign-in."""

import pytest
from django.urls import reverse

from audit_app.audits.models import Audit, AuditState
from audit_app.demo.world import build_demo
from audit_app.feedback import selectors
from audit_app.feedback.models import Feedback, FeedbackState
from audit_app.models import User
from audit_app.months import current_month

pytestmark = pytest.mark.django_db


def test_the_demo_has_feedback_given_before_and_owed_now(demo_logins, client):
    earlier = Audit.objects.filter(state=AuditState.MODERATED, round__month__lt=current_month())
    assert earlier.exists()
    assert not earlier.filter(feedback__isnull=True).exists()
    states = set(Feedback.objects.values_list("state", flat=True))
    assert states == {FeedbackState.SENT, FeedbackState.ACKNOWLEDGED, FeedbackState.GIVEN}
    moderator = User.objects.get(username="west.moderator")
    owed = list(selectors.feedback_owed(moderator))
    assert owed and all(audit.round.month == current_month() for audit in owed)
    client.force_login(moderator)
    home = client.get(reverse("home")).content.decode()
    assert "Feedback still owed" in home and owed[0].case.reference in home
    # Building it again adds nothing.
    count = Feedback.objects.count()
    build_demo()
    assert Feedback.objects.count() == count
