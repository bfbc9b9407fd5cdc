"""Each role's home page, and the rule: another role's page is 403, another area's record 404."""

import pytest
from django.urls import reverse

from audit_app.audits.models import AuditRound, AuditState
from audit_app.models import Area, User
from tests import factories

pytestmark = pytest.mark.django_db


def sign_in(client, username: str) -> None:
    client.force_login(User.objects.get(username=username))


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("west.auditor", "Your audits this month"),
        ("west.moderator", "Audits waiting for moderation"),
        ("west.leader", "PVP meeting reports"),
        ("west.manager", "Rounds open now"),
        ("force.manager", "Rounds open now"),
        ("hmicfrs.inspector", "Inspection recommendations"),
    ],
)
def test_each_role_sees_what_it_does_next(client, demo_logins, username, expected):
    sign_in(client, username)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_auditor_home_lists_only_their_own_current_audits(client, demo_logins):
    sign_in(client, "west.auditor")
    me = User.objects.get(username="west.auditor")
    response = client.get(reverse("home"))
    shown = response.context["my_audits"]
    assert shown
    assert all(audit.auditor == me and audit.round.state == "open" for audit in shown)
    other = User.objects.get(username="west.auditor2").audits.filter(round__state="open").first()
    assert other.case.reference not in response.content.decode()


def test_moderator_sees_open_escalations_of_their_area_only(client, demo_logins):
    sign_in(client, "west.moderator")
    assert len(client.get(reverse("home")).context["open_escalations"]) == 1
    sign_in(client, "east.moderator")
    assert client.get(reverse("home")).context["open_escalations"] == []


def test_moderation_queue_counts_submitted_audits_of_the_area(client, demo_logins):
    sign_in(client, "south.moderator")
    response = client.get(reverse("home"))
    submitted = AuditRound.objects.get(area__code="south", state="open").audits.filter(
        state=AuditState.SUBMITTED
    )
    assert response.context["awaiting_moderation_count"] == submitted.count()
    assert {a.pk for a in response.context["awaiting_moderation"]} == {a.pk for a in submitted}


def test_area_manager_sees_own_area_rounds_and_force_manager_sees_all(client, demo_logins):
    sign_in(client, "west.manager")
    rows = client.get(reverse("home")).context["round_progress"]
    assert {row.round.area.code for row in rows} == {"west"}
    assert rows[0].total == 10
    sign_in(client, "force.manager")
    rows = client.get(reverse("home")).context["round_progress"]
    assert {row.round.area.code for row in rows} == {"west", "south", "east"}


def test_round_page_of_another_area_is_404(client, demo_logins):
    sign_in(client, "west.manager")
    west = AuditRound.objects.filter(area__code="west").first()
    east = AuditRound.objects.filter(area__code="east").first()
    assert client.get(reverse("round_detail", args=[west.pk])).status_code == 200
    assert client.get(reverse("round_detail", args=[east.pk])).status_code == 404
    assert client.get(reverse("round_detail", args=[999999])).status_code == 404


def test_rounds_pages_are_403_for_an_auditor(client, demo_logins):
    sign_in(client, "west.auditor")
    west = AuditRound.objects.filter(area__code="west").first()
    assert client.get(reverse("rounds")).status_code == 403
    assert client.get(reverse("round_detail", args=[west.pk])).status_code == 403


def test_my_audits_is_403_for_other_roles(client, demo_logins):
    sign_in(client, "west.moderator")
    assert client.get(reverse("my_audits")).status_code == 403


def test_user_without_a_role_is_told_so(client):
    client.force_login(factories.UserFactory())
    response = client.get(reverse("home"))
    assert "You have no role" in response.content.decode()


def test_admin_is_for_staff_only(client, demo_logins):
    sign_in(client, "force.manager")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _add_audits(area: Area, count: int) -> None:
    audit_round = AuditRound.objects.get(area=area, state="open")
    auditor = User.objects.get(username=f"{area.code}.auditor")
    question_set = audit_round.audits.first().question_set
    for _ in range(count):
        factories.AuditFactory(
            round=audit_round,
            auditor=auditor,
            question_set=question_set,
            case__area=area,
        )


@pytest.mark.parametrize(
    "username",
    ["west.auditor", "west.moderator", "west.manager", "force.leader", "hmicfrs.inspector"],
)
def test_home_page_queries_do_not_grow_with_data(client, demo_logins, username):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, username)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    _add_audits(Area.objects.get(code="west"), 200)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert len(large) == len(small), f"{len(small)} queries became {len(large)}"
