"""Key messages: written by the area's moderator or an audit manager, printed on the summary."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit_app.models import Area, Role
from audit_app.months import add_months, current_month
from audit_app.reports.models import KEY_MESSAGES_MAX_LENGTH, KeyMessages
from audit_app.reports.rendering import render_report_html
from audit_app.reports.selectors import report_content
from tests import factories

pytestmark = pytest.mark.django_db

MONTH = add_months(current_month(), -1)


def edit_url(area: Area | None, force=None, month: datetime.date = MONTH) -> str:
    meeting = f"area-{area.pk}" if area else f"force-{force.pk}"
    return reverse("reports:key_messages_edit", args=[meeting, f"{month:%Y-%m}"])


@pytest.fixture
def west(reference_data):
    return Area.objects.get(code="west")


def test_the_moderator_writes_and_they_appear_on_the_summary_page(client, west):
    moderator = factories.user_with_role(Role.MODERATOR, west)
    client.force_login(moderator)
    text = "Record the child's voice.\nSupervisors: check strategy discussions."
    response = client.post(edit_url(west), {"text": text})
    assert response.status_code == 302
    saved = KeyMessages.objects.get(area=west, month=MONTH)
    assert saved.text == text and saved.written_by == moderator
    content = report_content(force=west.force, area=west, month=MONTH, cutoff=timezone.now())
    html = render_report_html(content, number=1, generated_at=timezone.now(), for_pdf=False)
    summary = html[html.index('id="summary"') : html.index('id="escalations"')]
    assert "Record the child&#x27;s voice." in summary
    assert "Supervisors: check strategy discussions." in summary
    # A second draft replaces the first; the history keeps both.
    client.post(edit_url(west), {"text": "Second draft."})
    saved.refresh_from_db()
    assert saved.text == "Second draft." and saved.history.count() == 2


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("   ", "Enter the key messages"),
        ("x" * (KEY_MESSAGES_MAX_LENGTH + 1), "characters or fewer"),
    ],
)
def test_bad_input_shows_the_error_summary_and_loses_nothing(client, west, text, error):
    client.force_login(factories.user_with_role(Role.MODERATOR, west))
    response = client.post(edit_url(west), {"text": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and error in page
    assert text.strip() in page  # what was typed is still in the box
    assert not KeyMessages.objects.exists()


def test_another_areas_moderator_gets_404(client, west):
    east = Area.objects.exclude(pk=west.pk).filter(force=west.force).first()
    client.force_login(factories.user_with_role(Role.MODERATOR, east))
    assert client.get(edit_url(west)).status_code == 404
    assert client.post(edit_url(west), {"text": "Not mine."}).status_code == 404
    assert not KeyMessages.objects.exists()


def test_only_audit_managers_write_the_force_wide_ones(client, west):
    client.force_login(factories.user_with_role(Role.MODERATOR, west))
    assert client.get(edit_url(None, west.force)).status_code == 404
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, west.force)
    client.force_login(manager)
    response = client.post(edit_url(None, west.force), {"text": "Force-wide."})
    assert response.status_code == 302
    content = report_content(force=west.force, area=None, month=MONTH, cutoff=timezone.now())
    assert content["key_messages"]["text"] == "Force-wide."


def test_the_list_links_to_the_page_and_a_month_outside_the_window_is_404(client, west):
    client.force_login(factories.user_with_role(Role.MODERATOR, west))
    response = client.get(
        reverse("reports:key_messages"), {"meeting": f"area-{west.pk}", "month": f"{MONTH:%Y-%m}"}
    )
    assert response.status_code == 302 and response["Location"] == edit_url(west)
    assert client.get(edit_url(west, month=add_months(current_month(), 2))).status_code == 404
