"""The directory's pages, line-management chains, the email a moderator records, and the demo's
directory (issue: staff directory, items 2, 3 and 5)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit_app.audits.models import Case
from audit_app.demo.world import build_demo
from audit_app.directory import selectors, services
from audit_app.models import Area, Role, StaffMember
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def west(reference_data):
    return Area.objects.get(code="west")


@pytest.fixture
def person(west):
    return factories.StaffMemberFactory(
        force=west.force,
        identifier="1234",
        name="Ann Example",
        email="ann@example.police.uk",
        team=west.teams.get(code="response"),
    )


def test_the_list_searches_by_number_or_name_within_the_area(west, person, client):
    east = Area.objects.get(code="east")
    factories.StaffMemberFactory(
        force=west.force, identifier="5555", name="Eve East", team=east.teams.first()
    )
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, west))
    page = client.get(reverse("directory"), {"q": "ann"})
    assert "1234" in page.text and "Eve East" not in page.text
    assert "1234" in client.get(reverse("directory"), {"q": "12"}).text
    assert "Eve East" not in client.get(reverse("directory")).text
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force))
    assert "Eve East" in client.get(reverse("directory")).text


def test_correcting_one_person_records_the_change(west, person, client):
    manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    boss = factories.StaffMemberFactory(force=west.force, identifier="9000", team=person.team)
    client.force_login(manager)
    url = reverse("directory_person", args=[person.pk])
    response = client.post(
        url,
        {
            "name": "Ann Corrected",
            "rank": "DS",
            "email": "ann.c@example.police.uk",
            "team": person.team_id,
            "line_manager": "9000",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.line_manager, person.is_active) == ("Ann Corrected", boss, True)
    page = client.get(url)
    assert f"corrected by user {manager.pk}" in page.text
    assert "name" in page.text


def test_a_bad_email_shows_the_error_summary_and_loses_nothing(west, person, client):
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, west))
    response = client.post(
        reverse("directory_person", args=[person.pk]),
        {"name": "Typed Name", "rank": "Sgt", "email": "not an email", "team": person.team_id},
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert "Enter an email address in the correct format" in response.text
    assert 'value="Typed Name"' in response.text and 'value="Sgt"' in response.text
    person.refresh_from_db()
    assert person.name == "Ann Example"


def test_a_line_manager_making_a_circle_is_refused(west, person, client):
    report = factories.StaffMemberFactory(
        force=west.force, identifier="4321", team=person.team, line_manager=person
    )
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, west))
    response = client.post(
        reverse("directory_person", args=[person.pk]),
        {"name": "Ann", "team": person.team_id, "line_manager": report.identifier},
    )
    assert response.status_code == 400 and "circle" in response.text


def test_another_force_or_areas_person_is_not_found(west, person, client):
    east = Area.objects.get(code="east")
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, east))
    assert client.get(reverse("directory_person", args=[person.pk])).status_code == 404
    other = factories.AreaFactory()
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, None, force=other.force))
    assert client.get(reverse("directory_person", args=[person.pk])).status_code == 404


def test_management_chain_ids_is_bounded_and_cycle_safe(west):
    team = west.teams.first()
    top = factories.StaffMemberFactory(force=west.force, team=team)
    middle = factories.StaffMemberFactory(force=west.force, team=team, line_manager=top)
    bottom = factories.StaffMemberFactory(force=west.force, team=team, line_manager=middle)
    a = factories.StaffMemberFactory(force=west.force, team=team)
    b = factories.StaffMemberFactory(force=west.force, team=team, line_manager=a)
    # A circle in existing data (older than the directory's checks): a -> b -> a.
    StaffMember.objects.filter(pk=a.pk).update(line_manager=b)
    chains = selectors.management_chain_ids([bottom.pk, top.pk, a.pk, b.pk])
    assert chains == {bottom.pk: {middle.pk, top.pk}, top.pk: set(), a.pk: {b.pk}, b.pk: {a.pk}}


def test_management_chain_ids_takes_one_query_per_level(west, django_assert_max_num_queries):
    team = west.teams.first()
    people = [factories.StaffMemberFactory(force=west.force, team=team)]
    for _ in range(4):
        people.append(
            factories.StaffMemberFactory(force=west.force, team=team, line_manager=people[-1])
        )
    with django_assert_max_num_queries(6):
        chains = selectors.management_chain_ids(p.pk for p in people)
    assert chains[people[-1].pk] == {p.pk for p in people[:-1]}


def test_staff_email_record(west, person):
    moderator = factories.user_with_role(Role.MODERATOR, west)
    services.staff_email_record(
        staff_member=person, email=" pc.new@example.police.uk ", by=moderator
    )
    person.refresh_from_db()
    assert person.email == "pc.new@example.police.uk"
    assert person.history.first().history_change_reason == f"email recorded by user {moderator.pk}"
    with pytest.raises(ValidationError) as error:
        services.staff_email_record(staff_member=person, email="nope", by=moderator)
    assert error.value.messages == [
        "Enter an email address in the correct format, like name@example.police.uk."
    ]


def test_the_demo_has_emails_for_every_officer_and_supervisor_on_a_case(reference_data):
    build_demo()
    people = StaffMember.objects.filter(pk__in=Case.objects.values("officer_in_case")) | (
        StaffMember.objects.filter(pk__in=Case.objects.values("supervisor"))
    )
    assert people.exists()
    for staff in people.select_related("line_manager"):
        assert staff.name and staff.team_id, staff
        assert staff.email.endswith("@example.police.uk"), staff
        assert staff.line_manager is not None, staff
    auditors = factories.models.User.objects.filter(role_assignments__role=Role.AUDITOR)
    assert all(user.staff_member and user.staff_member.team_id for user in auditors)


def test_the_case_summary_names_the_officer_and_supervisor(reference_data, client):
    build_demo()
    case = Case.objects.filter(audits__isnull=False, officer_in_case__isnull=False).first()
    audit = case.audits.first()
    client.force_login(audit.auditor)
    page = client.get(reverse("audit_overview", args=[audit.pk]))
    assert case.officer_in_case.name in page.text
    assert case.supervisor.name in page.text
