"""Applying a confirmed staff import: a task on the imports queue, queued after commit, applied
once however often it runs, nothing changed on a failure, the broker being down told to the user,
and the work in bulk (a bounded number of queries whatever the number of rows)."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from kombu.exceptions import OperationalError

from audit_app.directory import services
from audit_app.directory import tasks as directory_tasks
from audit_app.directory.models import StaffImport, StaffImportState
from audit_app.models import Area, Role, StaffMember
from audit_app.queueing import task_named
from tests import factories

HEADER = "Staff Number,Name,Rank,E-mail,Team,Line Manager's Number\n"


@pytest.fixture
def west(reference_data):
    return Area.objects.get(code="west")


@pytest.fixture
def manager(west):
    return factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force)


def _check(west, manager, body: str) -> StaffImport:
    upload = SimpleUploadedFile("staff.csv", (HEADER + body).encode(), content_type="text/csv")
    return services.staff_import_check(force=west.force, by=manager, upload=upload)


def _people(count: int, start: int = 20000, rank: str = "PC") -> str:
    """`count` rows; every other person managed by the one before."""
    return "".join(
        f"{start + n},Person {n},{rank},p{n}@example.police.uk,west/response,"
        f"{start + n - 1 if n % 2 else ''}\n"
        for n in range(count)
    )


def _refused(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.django_db
def test_the_task_is_routed_to_the_imports_queue(settings):
    assert settings.CELERY_TASK_ROUTES["directory.apply_staff_import"] == {"queue": "imports"}
    assert task_named(services.APPLY_TASK).name == directory_tasks.apply_staff_import.name


@pytest.mark.django_db
def test_confirming_queues_the_apply_after_commit(
    west, manager, django_capture_on_commit_callbacks
):
    staff_import = _check(west, manager, _people(3))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.staff_import_confirm_and_queue(staff_import=staff_import, by=manager)
    assert len(callbacks) == 1
    staff_import.refresh_from_db()
    assert staff_import.state == StaffImportState.APPLYING and staff_import.applied_by == manager
    assert not StaffMember.objects.filter(identifier__startswith="2000").exists()
    callbacks[0]()  # the commit happens: the task runs (in-process here)
    staff_import.refresh_from_db()
    assert staff_import.state == StaffImportState.APPLIED and staff_import.applied_at
    assert StaffMember.objects.filter(identifier__startswith="2000").count() == 3


@pytest.mark.django_db
def test_a_repeated_task_applies_nothing_twice(west, manager, django_capture_on_commit_callbacks):
    staff_import = _check(west, manager, _people(4))
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_import_confirm_and_queue(staff_import=staff_import, by=manager)
    histories = StaffMember.history.count()
    # Delivered again (a worker lost before acknowledging it), or queued twice.
    directory_tasks.apply_staff_import(staff_import.pk)
    directory_tasks.apply_staff_import.delay(staff_import.pk)
    assert StaffMember.objects.filter(identifier__startswith="2000").count() == 4
    assert StaffMember.history.count() == histories
    # A task for an import nobody confirmed applies nothing either.
    waiting = _check(west, manager, _people(2, start=30000))
    directory_tasks.apply_staff_import(waiting.pk)
    waiting.refresh_from_db()
    assert waiting.state == StaffImportState.READY
    assert not StaffMember.objects.filter(identifier__startswith="3000").exists()


@pytest.mark.django_db
def test_the_work_is_in_bulk(west, manager, django_assert_max_num_queries):
    """A few queries for 10 rows or 300: none per row (only per batch of rows, which SQLite's
    999 parameters a statement make about 100 rows)."""
    for start, size in ((40000, 10), (50000, 300)):
        staff_import = _check(west, manager, _people(size, start=start))
        confirmed = services.staff_import_confirm(staff_import=staff_import, by=manager)
        with django_assert_max_num_queries(25):
            services.staff_import_apply(staff_import_id=confirmed.pk)
        # Then every one of them changed: updated in bulk too.
        staff_import = _check(west, manager, _people(size, start=start, rank="DS"))
        assert staff_import.update_rows == size
        confirmed = services.staff_import_confirm(staff_import=staff_import, by=manager)
        with django_assert_max_num_queries(25):
            services.staff_import_apply(staff_import_id=confirmed.pk)
        assert StaffMember.objects.filter(identifier__startswith=str(start)[:2], rank="DS").count()
    person = StaffMember.objects.get(identifier="50001")
    assert person.rank == "DS" and person.line_manager.identifier == "50000"
    assert [h.history_type for h in person.history.order_by("history_id")] == ["+", "~"]


@pytest.mark.django_db
def test_what_the_directory_holds_since_the_check_is_kept(west, manager):
    team = west.teams.get(code="response")
    person = factories.StaffMemberFactory(
        force=west.force, identifier="61001", name="Old", rank="PC", email="", team=team
    )
    same = factories.StaffMemberFactory(
        force=west.force, identifier="61002", name="Old Too", rank="PC", team=team
    )
    staff_import = _check(
        west, manager, "61001,New,,,west/response,\n61002,New Too,,,west/response,\n61003,Kim,,,,\n"
    )
    assert (staff_import.create_rows, staff_import.update_rows) == (1, 2)
    # Since the check: 61001's email recorded by a moderator (the file's cell is blank), 61002
    # already corrected to the file's name, and 61003 added by a case import naming them.
    StaffMember.objects.filter(pk=person.pk).update(email="kept@example.police.uk")
    StaffMember.objects.filter(pk=same.pk).update(name="New Too")
    added = StaffMember.objects.create(force=west.force, identifier="61003", team=team)
    services.staff_import_apply(
        staff_import_id=services.staff_import_confirm(staff_import=staff_import, by=manager).pk
    )
    person.refresh_from_db()
    assert (person.name, person.email) == ("New", "kept@example.police.uk")
    assert same.history.count() == 1  # nothing left to change: not written
    added.refresh_from_db()
    assert added.name == "Kim" and added.team == team
    assert StaffMember.objects.filter(identifier="61003").count() == 1


@pytest.mark.django_db
def test_a_circle_made_since_the_check_fails_and_changes_nothing(west, manager, client):
    team = west.teams.get(code="response")
    boss = factories.StaffMemberFactory(force=west.force, identifier="62000", team=team)
    report = factories.StaffMemberFactory(force=west.force, identifier="62001", team=team)
    staff_import = _check(west, manager, "62000,Boss,DCI,,,62001\n62002,New,,,,\n")
    assert staff_import.rejected_rows == 0
    StaffMember.objects.filter(pk=report.pk).update(line_manager=boss)  # since the check
    services.staff_import_confirm(staff_import=staff_import, by=manager)
    services.staff_import_apply(staff_import_id=staff_import.pk)
    staff_import.refresh_from_db()
    assert staff_import.state == StaffImportState.FAILED
    assert "round in a circle" in staff_import.failure_reason
    boss.refresh_from_db()
    assert boss.line_manager is None and boss.rank != "DCI"
    assert not StaffMember.objects.filter(identifier="62002").exists()
    client.force_login(manager)
    page = client.get(reverse("directory_import_detail", args=[staff_import.pk]))
    assert "The import was not applied" in page.text and "round in a circle" in page.text
    assert "Confirm and apply again" in page.text
    services.staff_import_cancel(staff_import=staff_import, by=manager)  # a failed one may go


@pytest.mark.django_db
def test_an_error_part_way_rolls_everything_back(west, manager, monkeypatch):
    factories.StaffMemberFactory(force=west.force, identifier="63000", name="Before")
    staff_import = _check(west, manager, "63000,After,,,,\n63001,New,,,,\n")

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_update_people", broken)
    services.staff_import_confirm(staff_import=staff_import, by=manager)
    with pytest.raises(RuntimeError):
        services.staff_import_apply(staff_import_id=staff_import.pk)
    staff_import.refresh_from_db()
    assert staff_import.state == StaffImportState.FAILED
    assert staff_import.failure_reason == services.APPLY_FAILED
    assert not StaffMember.objects.filter(identifier="63001").exists()  # created, rolled back
    assert StaffMember.objects.get(identifier="63000").name == "Before"
    monkeypatch.undo()
    # Confirmed again, it is applied.
    services.staff_import_confirm(staff_import=staff_import, by=manager)
    assert services.staff_import_apply(staff_import_id=staff_import.pk).state == "applied"
    assert StaffMember.objects.get(identifier="63000").name == "After"


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_user_is_told_and_nothing_is_lost(
    west, manager, client, monkeypatch
):
    staff_import = _check(west, manager, _people(2, start=64000))
    monkeypatch.setattr(directory_tasks.apply_staff_import, "delay", _refused)
    client.force_login(manager)
    url = reverse("directory_import_detail", args=[staff_import.pk])
    response = client.post(url, {"action": "confirm"}, follow=True)
    assert "background task queue is unavailable" in response.text
    assert "Confirm and apply" in response.text  # waiting for confirmation again
    staff_import.refresh_from_db()
    assert staff_import.state == StaffImportState.READY and staff_import.applied_by is None
    assert not StaffMember.objects.filter(identifier__startswith="6400").exists()
    monkeypatch.undo()
    client.post(url, {"action": "confirm"})
    staff_import.refresh_from_db()
    assert staff_import.state == StaffImportState.APPLIED
    assert StaffMember.objects.filter(identifier__startswith="6400").count() == 2


@pytest.mark.django_db
def test_while_applying_the_page_refreshes_and_offers_a_link(west, manager, client):
    staff_import = _check(west, manager, _people(2, start=65000))
    services.staff_import_confirm(staff_import=staff_import, by=manager)  # a worker has it
    client.force_login(manager)
    url = reverse("directory_import_detail", args=[staff_import.pk])
    page = client.get(url)
    assert '<meta http-equiv="refresh" content="2">' in page.text
    assert "Applying…" in page.text and f'href="{url}"' in page.text
    assert "Confirm and apply" not in page.text
    response = client.post(url, {"action": "confirm"}, follow=True)
    assert "already being applied" in response.text
    with pytest.raises(ValidationError):
        services.staff_import_cancel(staff_import=staff_import, by=manager)
    services.staff_import_apply(staff_import_id=staff_import.pk)
    page = client.get(url)
    assert "http-equiv" not in page.text and "Applied" in page.text


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_applies_the_import(celery_worker_on_broker, west, manager):
    from audit_app.celery import app

    assert app.conf.task_always_eager is False
    staff_import = _check(west, manager, _people(50, start=66000))
    services.staff_import_confirm_and_queue(staff_import=staff_import, by=manager)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        staff_import.refresh_from_db()
        if staff_import.state != StaffImportState.APPLYING:
            break
        time.sleep(0.1)
    assert staff_import.state == StaffImportState.APPLIED, staff_import.failure_reason
    person = StaffMember.objects.get(identifier="66001")
    assert person.line_manager.identifier == "66000"
    # No request in a worker: the history names the manager who confirmed.
    assert person.history.get().history_user == manager
