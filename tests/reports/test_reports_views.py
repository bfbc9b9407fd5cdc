"""Report pages: who may list, generate, preview and download, and the meeting actions form."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit_app.audits.models import Grade
from audit_app.models import Area, Force, Role
from audit_app.months import add_months, current_month
from audit_app.reports import services
from audit_app.reports.models import (
    DownloadLog,
    MeetingAction,
    PvpReport,
    PvpReportVersion,
    ReportState,
)
from audit_app.reports.selectors import report_content
from tests import factories
from tests.builders import Planned, build_month, people_for, ready_version

# The form offers the last thirteen months, so the tests use last month.
MONTH = add_months(current_month(), -1)
FORM_MONTH = f"{MONTH:%Y-%m}"

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference_data):
    force = Force.objects.get(code="lancashire")
    west, south = Area.objects.get(code="west"), Area.objects.get(code="south")
    users = {
        "west_leader": factories.user_with_role(Role.SENIOR_LEADER, west),
        "force_leader": factories.user_with_role(Role.SENIOR_LEADER, None, force=force),
        "west_manager": factories.user_with_role(Role.AUDIT_MANAGER, west),
        "force_manager": factories.user_with_role(Role.AUDIT_MANAGER, None, force=force),
        "west_moderator": factories.user_with_role(Role.MODERATOR, west),
        "west_auditor": factories.user_with_role(Role.AUDITOR, west),
        "inspector": factories.user_with_role(Role.INSPECTOR, None, force=force),
    }
    versions = {
        "west": ready_version(force, west),
        "south": ready_version(force, south),
        "force": ready_version(force, None),
    }
    return {"force": force, "west": west, "south": south, "users": users, "versions": versions}


# Who may download which report: their own area's; force-wide readers every one; else 404/403.
DOWNLOADS = {
    "west_leader": {"west": 200, "south": 404, "force": 404},
    "force_leader": {"west": 200, "south": 200, "force": 200},
    "west_manager": {"west": 200, "south": 404, "force": 404},
    "force_manager": {"west": 200, "south": 200, "force": 200},
    "west_moderator": {"west": 200, "south": 404, "force": 404},
    "west_auditor": {"west": 403, "south": 403, "force": 403},
    "inspector": {"west": 403, "south": 403, "force": 403},
}


@pytest.mark.parametrize("who", DOWNLOADS)
def test_download_permissions(client, world, who):
    user = world["users"][who]
    client.force_login(user)
    for scope, expected in DOWNLOADS[who].items():
        version = world["versions"][scope]
        for url in (
            reverse("reports:download", args=[version.pk]),
            reverse("api-report-download", args=[version.pk]),
        ):
            response = client.get(url)
            assert response.status_code == expected, (who, scope, url)
            if expected == 200:
                assert response["Content-Type"] == "application/pdf"
                assert response["Content-Disposition"] == (
                    f'attachment; filename="{services.download_filename(version)}"'
                )
                assert b"".join(response.streaming_content).startswith(b"%PDF-1.7")
    allowed = sum(1 for code in DOWNLOADS[who].values() if code == 200)
    assert DownloadLog.objects.filter(user=user).count() == 2 * allowed


def test_a_download_is_logged_with_who_and_when(client, world):
    user = world["users"]["west_leader"]
    version = world["versions"]["west"]
    client.force_login(user)
    response = client.get(reverse("reports:download", args=[version.pk]))
    assert response.status_code == 200
    assert services.download_filename(version) == f"pvp-report-lancashire-west-{FORM_MONTH}-v1.pdf"
    entry = DownloadLog.objects.get()
    assert (entry.version_id, entry.user_id) == (version.pk, user.pk)
    assert entry.at is not None


def test_a_version_without_a_pdf_is_not_downloadable(client, world):
    report = world["versions"]["west"].report
    failed = PvpReportVersion.objects.create(
        report=report, number=2, state=ReportState.FAILED, failure_reason="The queue is down."
    )
    client.force_login(world["users"]["west_leader"])
    assert client.get(reverse("reports:download", args=[failed.pk])).status_code == 404
    assert not DownloadLog.objects.exists()


def test_signed_out_users_are_sent_to_sign_in(client, world):
    response = client.get(reverse("reports:download", args=[world["versions"]["west"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("west_leader", {"West area"}),
        ("force_leader", {"West area", "South area", "Whole force"}),
        ("west_moderator", {"West area"}),
    ],
)
def test_the_list_shows_the_reports_in_scope(client, world, who, sees):
    client.force_login(world["users"][who])
    response = client.get(reverse("reports:list"))
    assert response.status_code == 200
    shown = {report.scope_label for report in response.context["reports"]}
    assert shown == sees
    assert ("Generate now" in response.content.decode()) is (who != "west_moderator")


def test_other_roles_get_403_on_every_report_page(client, world):
    client.force_login(world["users"]["west_auditor"])
    report = world["versions"]["west"].report
    for url in [
        reverse("reports:list"),
        reverse("reports:detail", args=[report.pk]),
        reverse("reports:preview", args=[world["versions"]["west"].pk]),
        reverse("reports:actions"),
        reverse("reports:action_new"),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("reports:generate")).status_code == 403


def test_the_list_takes_the_same_queries_however_many_reports(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["users"]["force_leader"])
    with django_assert_max_num_queries(12):
        client.get(reverse("reports:list"))
    for months_back in range(1, 8):
        ready_version(world["force"], world["west"], month=datetime.date(2025, months_back, 1))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:list"))
    assert len(response.context["reports"]) == 10


def test_generate_now_compiles_the_report_and_shows_it(
    client, world, django_capture_on_commit_callbacks
):
    west = world["west"]
    build_month(
        area=west, month=MONTH, people=people_for(west), plan=[Planned("DA", original=Grade.GOOD)]
    )
    client.force_login(world["users"]["west_leader"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:generate"), {"meeting": f"area-{west.pk}", "month": FORM_MONTH}
        )
    report = PvpReport.objects.get(area=west, month=MONTH)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    report.refresh_from_db()
    assert report.current.number == 2 and report.current.state == ReportState.READY
    detail = client.get(response["Location"])
    assert "Download the PDF" in detail.content.decode()
    preview = client.get(reverse("reports:preview", args=[report.current_id]))
    assert preview.status_code == 200
    title = f"PVP meeting report: West area, {MONTH:%B %Y} (version 2)"
    assert title in preview.content.decode()


def test_generate_refuses_a_meeting_outside_the_users_scope(client, world):
    client.force_login(world["users"]["west_leader"])
    response = client.post(
        reverse("reports:generate"), {"meeting": f"area-{world['south'].pk}", "month": FORM_MONTH}
    )
    assert response.status_code == 400
    assert "Choose a meeting from the list" in response.content.decode()
    south_report = world["versions"]["south"].report
    response = client.post(reverse("reports:regenerate", args=[south_report.pk]))
    assert response.status_code == 404
    assert PvpReportVersion.objects.count() == 3


def test_moderators_read_but_do_not_generate(client, world):
    client.force_login(world["users"]["west_moderator"])
    report = world["versions"]["west"].report
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    assert client.post(reverse("reports:regenerate", args=[report.pk])).status_code == 403


def test_the_detail_page_shows_progress_and_a_failure_beside_the_current_version(client, world):
    report = world["versions"]["west"].report
    PvpReportVersion.objects.create(
        report=report, number=2, state=ReportState.FAILED, failure_reason="The queue is down."
    )
    client.force_login(world["users"]["west_leader"])
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Version 2 failed: The queue is down." in page
    assert "Version 1 is still current and can be downloaded." in page
    PvpReportVersion.objects.create(report=report, number=3, state=ReportState.COMPILING)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "data-report-progress" in page and "Check progress" in page
    assert "js/report-progress.js" in page
    assert "<script>" not in page  # no inline script
    PvpReportVersion.objects.filter(number=3).update(
        started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "has not finished within the time allowed" in page
    assert "data-report-progress" not in page


def test_a_broker_error_on_generate_now_tells_the_user_to_try_again(
    client, world, django_capture_on_commit_callbacks
):
    from unittest import mock

    from kombu.exceptions import OperationalError

    from audit_app.celery import app
    from audit_app.reports import tasks

    app.conf.task_always_eager = False
    client.force_login(world["users"]["west_leader"])
    report_id = world["versions"]["west"].report_id
    with (
        mock.patch.object(
            tasks.compile_report, "apply_async", side_effect=OperationalError("refused")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("reports:regenerate", args=[report_id]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"Version 2 failed: {services.QUEUE_UNAVAILABLE}" in page
    assert "Version 1 is still current and can be downloaded." in page


# --- Meeting actions ----------------------------------------------------------------------------


def action_post(area: Area | None, force: Force, **overrides) -> dict:
    data = {
        "meeting": f"area-{area.pk}" if area else f"force-{force.pk}",
        "meeting_month": FORM_MONTH,
        "description": "Brief response officers on recording the child's voice.",
        "action_type": "briefing",
        "owner": "DI West",
        "due_on": f"{add_months(MONTH, 1):%d/%m/%Y}",
        "state": "agreed",
    }
    data.update(overrides)
    return data


def test_a_senior_leader_records_an_action_and_it_appears_in_next_months_report(client, world):
    west = world["west"]
    client.force_login(world["users"]["west_leader"])
    theme = factories.FindingThemeFactory(name="Voice of the child missing")
    response = client.post(
        reverse("reports:action_new"), action_post(west, world["force"], themes=[theme.pk])
    )
    assert response.status_code == 302, response.content.decode()
    action = MeetingAction.objects.get()
    assert (action.area, action.meeting_month, action.owner) == (west, MONTH, "DI West")
    assert list(action.themes.all()) == [theme]
    following = report_content(
        force=west.force, area=west, month=add_months(MONTH, 1), cutoff=timezone.now()
    )
    assert [a["description"] for a in following["actions"]] == [action.description]
    assert following["actions"][0]["themes"] == ["Voice of the child missing"]
    march = report_content(force=west.force, area=west, month=MONTH, cutoff=timezone.now())
    assert march["actions"] == []


def test_the_action_form_shows_errors_and_saves_nothing(client, world):
    client.force_login(world["users"]["west_leader"])
    response = client.post(
        reverse("reports:action_new"),
        action_post(world["west"], world["force"], description="", due_on="31/02/2030"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Describe the action agreed" in page
    assert "Enter the due date as day, month and year" in page
    assert not MeetingAction.objects.exists()


def test_actions_of_another_area_are_404_and_moderators_cannot_record(client, world):
    south_leader = factories.user_with_role(Role.SENIOR_LEADER, world["south"])
    action = services.meeting_action_create(
        force=world["force"],
        area=world["south"],
        data=services.ActionInput(
            meeting_month=MONTH,
            description="Intranet article on section 46.",
            action_type="intranet",
            owner="Comms",
            due_on=add_months(MONTH, 1),
        ),
        by=south_leader,
    )
    client.force_login(world["users"]["west_leader"])
    assert client.get(reverse("reports:action_edit", args=[action.pk])).status_code == 404
    client.force_login(world["users"]["west_moderator"])
    assert client.get(reverse("reports:actions")).status_code == 200
    assert client.get(reverse("reports:action_new")).status_code == 403


def test_a_leader_updates_an_actions_state(client, world):
    leader = world["users"]["west_leader"]
    action = services.meeting_action_create(
        force=world["force"],
        area=world["west"],
        data=services.ActionInput(
            meeting_month=MONTH,
            description="Email all staff on bail conditions.",
            action_type="email",
            owner="DCI West",
            due_on=add_months(MONTH, 1),
        ),
        by=leader,
    )
    client.force_login(leader)
    form = client.get(reverse("reports:action_edit", args=[action.pk]))
    assert form.status_code == 200
    assert "Email all staff on bail conditions." in form.content.decode()
    data = action_post(
        world["west"],
        world["force"],
        description=action.description,
        action_type="email",
        owner="DCI West",
        state="done",
    )
    response = client.post(reverse("reports:action_edit", args=[action.pk]), data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.state == "done"


def test_the_action_form_refuses_an_implausible_due_date(client, world):
    client.force_login(world["users"]["west_leader"])
    for due_on in ("1/1/0001", "31/12/9999"):
        response = client.post(
            reverse("reports:action_new"), action_post(world["west"], world["force"], due_on=due_on)
        )
        assert response.status_code == 400, due_on
        summary = response.content.decode().split('class="govuk-error-summary"')[1]
        assert "The date must be" in summary.split("</ul>")[0], due_on
    assert not MeetingAction.objects.exists()


def test_the_form_offers_exactly_the_months_the_service_takes(client, world):
    from audit_app.reports.forms import month_choices

    months = services.report_months()
    assert [value for value, _ in month_choices()] == [f"{m:%Y-%m}" for m in months]
    assert services.report_month_problem(months[-1]) is None
    assert "Choose a month from" in services.report_month_problem(add_months(months[-1], -1))
    client.force_login(world["users"]["west_leader"])
    response = client.post(
        reverse("reports:generate"), {"meeting": f"area-{world['west'].pk}", "month": "1900-01"}
    )
    assert response.status_code == 400
    assert "Choose a month from the list" in response.content.decode()


def test_a_failed_versions_pages_show_the_reason_never_a_500(client, world):
    report = world["versions"]["west"].report
    failed = PvpReportVersion.objects.create(
        report=report,
        number=2,
        state=ReportState.FAILED,
        failure_reason="An unexpected error (ValueError) stopped the report.",
        # What the failed attempt compiled, which the template cannot show.
        content={"force": "Lancashire", "themes": [{"name": "$x^"}]},
    )
    client.force_login(world["users"]["west_leader"])
    for url in (
        reverse("reports:preview", args=[failed.pk]),
        reverse("reports:detail", args=[report.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "An unexpected error (ValueError) stopped the report." in response.content.decode()
    preview = client.get(reverse("reports:preview", args=[failed.pk])).content.decode()
    assert "Version 2 failed" in preview
    current = world["versions"]["west"]
    assert reverse("reports:preview", args=[current.pk]) in preview
