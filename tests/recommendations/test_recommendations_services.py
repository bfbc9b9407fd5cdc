"""The action plan and assessment rules, where they live: in the services and the database."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit_app.models import Role
from recommendations import services
from recommendations.models import (
    ActionState,
    AssessorKind,
    ProgressAssessment,
    Rating,
    Recommendation,
    RecommendationAction,
)
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def seven(reference_data) -> Recommendation:
    return Recommendation.objects.select_related("inspection").get(number=7)


def person(role: str, seven: Recommendation):
    return factories.user_with_role(role, None, force=seven.inspection.force)


def plan(**overrides) -> services.ActionInput:
    values = {
        "description": "Brief every response sergeant.",
        "owner": "Head of crime",
        "due_on": TODAY + datetime.timedelta(days=10),
    }
    values.update(overrides)
    return services.ActionInput(**values)


def test_completion_date_is_set_once_kept_and_cleared_on_reopening(seven):
    manager = person(Role.AUDIT_MANAGER, seven)
    action = services.action_create(recommendation=seven, by=manager, data=plan())
    assert action.completed_on is None
    action = services.action_update(
        action=action, by=manager, data=plan(state=ActionState.COMPLETE), seen_revision=0
    )
    assert action.completed_on == TODAY
    RecommendationAction.objects.filter(pk=action.pk).update(completed_on=TODAY.replace(day=1))
    action = services.action_update(
        action=action,
        by=manager,
        data=plan(state=ActionState.COMPLETE, notes="Confirmed."),
        seen_revision=1,
    )
    assert action.completed_on == TODAY.replace(day=1)
    action = services.action_update(
        action=action, by=manager, data=plan(state=ActionState.IN_PROGRESS), seen_revision=2
    )
    assert (action.completed_on, action.revision) == (None, 3)


def test_stale_revision_changes_nothing(seven):
    manager = person(Role.AUDIT_MANAGER, seven)
    action = services.action_create(recommendation=seven, by=manager, data=plan())
    services.action_update(action=action, by=manager, data=plan(owner="PPU"), seen_revision=0)
    with pytest.raises(services.ActionChanged):
        services.action_update(action=action, by=manager, data=plan(owner="CID"), seen_revision=0)
    action.refresh_from_db()
    assert action.owner == "PPU"


def test_the_plan_is_the_audit_managers_even_when_services_are_called_directly(seven):
    for role in (Role.SENIOR_LEADER, Role.INSPECTOR):
        with pytest.raises(PermissionDenied):
            services.action_create(recommendation=seven, by=person(role, seven), data=plan())
    elsewhere = factories.user_with_role(Role.AUDIT_MANAGER, None, force=factories.ForceFactory())
    with pytest.raises(PermissionDenied):
        services.action_create(recommendation=seven, by=elsewhere, data=plan())
    assert not RecommendationAction.objects.exists()


def test_action_input_is_checked_field_by_field(seven):
    manager = person(Role.AUDIT_MANAGER, seven)
    with pytest.raises(ValidationError) as error:
        services.action_create(
            recommendation=seven,
            by=manager,
            data=plan(description=" ", owner="", state="done", point_id=-1),
        )
    assert set(error.value.message_dict) == {"description", "owner", "state", "point"}


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        (Role.AUDIT_MANAGER, AssessorKind.INSPECTOR),
        (Role.SENIOR_LEADER, AssessorKind.INSPECTOR),
        (Role.INSPECTOR, AssessorKind.FORCE),
        (Role.MODERATOR, AssessorKind.FORCE),
    ],
)
def test_assessments_only_by_their_assessors(seven, role, kind):
    before = ProgressAssessment.objects.count()  # the 2018 review's, from the reference data
    with pytest.raises(PermissionDenied):
        services.assessment_record(
            recommendation=seven,
            by=person(role, seven),
            kind=kind,
            assessed_on=TODAY,
            rating=Rating.ACHIEVED,
            narrative="Seen.",
        )
    assert ProgressAssessment.objects.count() == before


def test_database_refuses_an_incoherent_action_or_assessment(seven):
    with transaction.atomic(), pytest.raises(IntegrityError):
        RecommendationAction.objects.create(
            recommendation=seven,
            description="Done.",
            owner="PPU",
            due_on=TODAY,
            state=ActionState.COMPLETE,
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        ProgressAssessment.objects.create(
            recommendation=seven,
            kind=AssessorKind.INSPECTOR,
            assessed_on=TODAY,
            rating=Rating.ACHIEVED,
            narrative="Nobody recorded this.",
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        ProgressAssessment.objects.create(
            recommendation=seven,
            kind="rumour",
            assessed_on=TODAY,
            rating=Rating.ACHIEVED,
            narrative="x",
            source="A document",
        )


def test_assessments_are_read_only_in_the_admin(seven, rf):
    from django.contrib import admin

    model_admin = admin.site._registry[ProgressAssessment]
    request = rf.get("/admin/")
    request.user = factories.UserFactory(is_staff=True, is_superuser=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
