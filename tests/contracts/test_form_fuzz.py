"""Forms fuzzed with hypothesis: any input gets a page (never a server error), and a refused
request (4xx) saves nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_app.accounts.models import ApiToken
from audit_app.audits.models import AuditRound, FindingTheme, Moderation, ModerationPolicy
from audit_app.models import Area, Role
from audit_app.months import add_months, current_month
from audit_app.rounds import services as rounds
from audit_app.rounds.models import SelectionSlot
from tests import factories
from tests.walk_helpers import allocated_audit, answer_everything, submit

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "2026-13", "99999999999999999999", "=cmd()", "\x00"]),
)


def form_data(fields: list[str]):
    """Known field names with hostile values, plus a stray field now and then."""
    return st.dictionaries(
        st.one_of(st.sampled_from(fields), st.text(min_size=1, max_size=12)), text, max_size=8
    ).map(lambda data: {k.replace("\x00", ""): v.replace("\x00", "") for k, v in data.items()})


def counts(*models) -> tuple[int, ...]:
    return tuple(model.objects.count() for model in models)


@pytest.fixture
def west(reference_data):
    return Area.objects.get(code="west")


@FUZZ
@given(data=form_data(["area", "month", "due_date", "force_interest_theme",
                       "force_interest_topic", "kind", "cases_per_theme"]))  # fmt: skip
def test_creating_a_round(client, west, data):
    manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    client.force_login(manager)
    before = counts(AuditRound)
    response = client.post(reverse("round_create"), data)
    assert response.status_code in (200, 302, 400, 403)
    if response.status_code >= 400:
        assert counts(AuditRound) == before


@FUZZ
@given(data=form_data(["action", "reason", "case", "month"]))
def test_changing_a_slot(client, west, data):
    manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    month = add_months(current_month(), 1)
    audit_round = AuditRound.objects.filter(area=west, month=month).first() or (
        rounds.round_create(area=west, month=month, due_date=add_months(month, 1), by=manager)
    )
    if not audit_round.slots.exists():
        rounds.round_select(audit_round=audit_round, by=manager, seed=1)
    slot = audit_round.slots.first()
    client.force_login(manager)
    before = list(SelectionSlot.objects.values_list("pk", "case_id", "empty_reason"))
    response = client.post(reverse("slot_change", args=[audit_round.pk, slot.pk]), data)
    assert response.status_code in (200, 302, 400, 403)
    if response.status_code >= 400:
        assert list(SelectionSlot.objects.values_list("pk", "case_id", "empty_reason")) == before


@FUZZ
@given(data=form_data(["decision", "agreed_grade", "reason", "comments", "revision", "themes",
                       "new_themes", "publicise_good_practice", "section_A"]))  # fmt: skip
def test_moderating(client, west, data):
    ModerationPolicy.objects.update_or_create(force=west.force, defaults={"blind_share_percent": 0})
    audit = allocated_audit()
    answer_everything(audit)
    submit(audit)
    moderator = factories.user_with_role(Role.MODERATOR, west)
    client.force_login(moderator)
    before = counts(Moderation)
    response = client.post(reverse("moderate_audit", args=[audit.pk]), data)
    assert response.status_code in (200, 302, 400, 403, 409)
    if response.status_code >= 400:
        assert counts(Moderation) == before


@FUZZ
@given(data=form_data(["name"]))
def test_making_a_token(client, west, data):
    client.force_login(factories.user_with_role(Role.SENIOR_LEADER, west))
    before = counts(ApiToken)
    response = client.post(reverse("api_tokens"), data)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert counts(ApiToken) == before


@FUZZ
@given(query=form_data(["area", "month_from", "month_to", "theme", "team_type", "basis"]))
def test_filtering_the_dashboard(client, west, query):
    client.force_login(factories.user_with_role(Role.SENIOR_LEADER, west))
    assert client.get(reverse("dashboard"), query).status_code in (200, 400)


@FUZZ
@given(data=form_data(["action", "theme", "blind_share_percent"]))
def test_changing_the_moderation_settings(client, west, data):
    if data.get("action") in (None, "share"):
        data["action"] = "retire"  # most draws would otherwise never reach the theme
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force))
    before = list(FindingTheme.objects.values_list("pk", "is_active", "is_controlled"))
    response = client.post(reverse("moderation_settings"), data)
    assert response.status_code in (200, 302, 400)
    if response.status_code == 400:
        assert list(FindingTheme.objects.values_list("pk", "is_active", "is_controlled")) == before


@pytest.mark.parametrize("theme", ["abc", "1.5", "", "9" * 30, "-1"])
def test_a_theme_that_is_not_an_id_is_refused_by_the_moderation_settings(client, west, theme):
    # Was a server error: the posted id went straight to the database lookup.
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force))
    response = client.post(reverse("moderation_settings"), {"action": "retire", "theme": theme})
    assert response.status_code == 400
    assert "Choose a theme from the list" in response.content.decode()


def test_an_impossible_record_id_is_an_invalid_choice_not_a_server_error(client, west):
    # Found by the fuzzing above on SQLite, where a 30-digit id overflowed the integer type.
    ModerationPolicy.objects.update_or_create(force=west.force, defaults={"blind_share_percent": 0})
    audit = allocated_audit()
    answer_everything(audit)
    submit(audit)
    client.force_login(factories.user_with_role(Role.MODERATOR, west))
    response = client.post(
        reverse("moderate_audit", args=[audit.pk]),
        {"decision": "agreed", "themes": ["9" * 30], "revision": "1"},
    )
    assert response.status_code == 400
    assert not Moderation.objects.filter(audit=audit).exists()
