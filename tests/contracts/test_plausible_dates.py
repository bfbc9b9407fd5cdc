"""One rule for plausible dates (audit_app.dates) on every form and every API body.

The two walks are the class test: every form class of the project and every request body of every
POST/PUT/PATCH operation in the OpenAPI schema is inspected, and each date field must carry the
rule (use `audit_app.fields.PlausibleDateField` / `PlausibleDateApiField`, or their month
variants). A new form or serializer with a bare DateField fails here. The tests after them show the
rule at work through the pages, the API and the services, round creation above all: a round for
0001-01 used to be created and then its page failed.
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.test import APIClient

from audit_app.audits.models import AuditRound, EscalationState, SafeguardingEscalation
from audit_app.dates import EARLIEST_PLAUSIBLE
from audit_app.fields import PLAUSIBLE_DATE_RULES
from audit_app.models import Area
from audit_app.models.reference import CaseTheme
from audit_app.rounds import services as rounds
from recommendations import services as recommendation_services
from recommendations.models import Recommendation, RecommendationAction
from tests.url_world import World, world_fixture

PROJECT_PACKAGES = ("audit_app", "recommendations")
YEAR_ONE = datetime.date(1, 1, 1)
YEAR_9999 = datetime.date(9999, 12, 31)


# --- The walks ------------------------------------------------------------------------------------


def _import_project_modules() -> None:
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)


def _subclasses(base: type) -> Iterator[type]:
    for subclass in base.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def project_form_classes() -> list[type[forms.BaseForm]]:
    _import_project_modules()
    return sorted(
        {c for c in _subclasses(forms.BaseForm) if c.__module__.startswith(PROJECT_PACKAGES)},
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def _carries_the_rule(field) -> bool:
    return any(validator in PLAUSIBLE_DATE_RULES for validator in field.validators)


def test_every_date_field_of_every_form_carries_the_plausible_date_rule():
    classes = project_form_classes()
    assert len(classes) > 20, "the walk found too few forms: is the import of the apps broken?"
    bare = [
        f"{form.__module__}.{form.__qualname__}.{name}"
        for form in classes
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField) and not _carries_the_rule(field)
    ]
    assert not bare, "date fields without the plausible-date rule (use PlausibleDateField): " + (
        ", ".join(bare)
    )


def test_every_date_field_in_the_admin_carries_the_plausible_date_rule(rf, admin_user):
    """The admin is a form too: every registered model's and inline's date fields keep the rule."""
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = admin_user
    bare = []
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith(PROJECT_PACKAGES):
            continue
        admins = [model_admin, *model_admin.get_inline_instances(request)]
        for each in admins:
            form = each.get_formset(request).form if hasattr(each, "get_formset") else None
            form = form or each.get_form(request)
            for name, field in form.base_fields.items():
                if isinstance(field, forms.DateField) and not isinstance(
                    field, forms.DateTimeField | forms.SplitDateTimeField
                ):
                    checked += 1
                    if not _carries_the_rule(field):
                        bare.append(f"{each.__class__.__qualname__}.{name}")
    assert checked > 3, "the walk found too few admin date fields: is the admin registered?"
    assert not bare, "admin date fields without the plausible-date rule: " + ", ".join(bare)


def request_serializers() -> dict[str, serializers.BaseSerializer]:
    """The request body of every POST/PUT/PATCH operation, as the schema generator sees it."""
    found: dict[str, serializers.BaseSerializer] = {}
    original = AutoSchema._get_request_body

    def recording(self, direction="request"):
        if self.method in ("POST", "PUT", "PATCH"):
            given = self.get_request_serializer()
            bodies = given.values() if isinstance(given, dict) else [given]
            for body in bodies:
                body = getattr(body, "request", body)  # an OpenApiRequest
                if isinstance(body, type) and issubclass(body, serializers.BaseSerializer):
                    body = body()
                if isinstance(body, serializers.BaseSerializer):
                    found[f"{self.method} {self.path}"] = body
        return original(self, direction)

    AutoSchema._get_request_body = recording
    try:
        SchemaGenerator().get_schema(request=None, public=True)
    finally:
        AutoSchema._get_request_body = original
    return found


def _writable_date_fields(serializer, prefix: str = "") -> Iterator[tuple[str, object]]:
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.BaseSerializer):
            yield from _writable_date_fields(field, f"{prefix}{name}.")
        elif isinstance(field, serializers.ListField | serializers.DictField):
            if isinstance(field.child, serializers.DateField):
                yield f"{prefix}{name}[]", field.child
        elif isinstance(field, serializers.DateField):
            yield f"{prefix}{name}", field


def test_every_date_in_every_api_request_body_carries_the_plausible_date_rule():
    bodies = request_serializers()
    assert "POST /api/rounds/" in bodies, "the walk missed the round creation: is it broken?"
    dated = {
        f"{operation} {name}": field
        for operation, serializer in bodies.items()
        for name, field in _writable_date_fields(serializer)
    }
    assert len(dated) >= 5, f"the walk found too few dates to mean anything: {sorted(dated)}"
    bare = sorted(where for where, field in dated.items() if not _carries_the_rule(field))
    assert not bare, "API dates without the plausible-date rule (use PlausibleDateApiField): " + (
        ", ".join(bare)
    )


# --- The rule at work -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    yield from world_fixture(django_db_setup, django_db_blocker, tmp_path_factory)


@pytest.fixture
def as_user(world):
    def sign_in(kind: str, api: bool = False):
        client = APIClient() if api else Client()
        client.force_login(world.users[kind])
        return client

    return sign_in


@pytest.fixture(autouse=True)
def rolled_back(db) -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("month", [YEAR_ONE, datetime.date(9999, 12, 1)])
def test_the_service_refuses_a_round_in_an_implausible_month(world, month):
    west = Area.objects.get(code="west")
    with pytest.raises(ValidationError, match="month must be"):
        rounds.round_create(
            area=west, month=month, due_date=datetime.date.today(), by=world.users["west.manager"]
        )
    assert not AuditRound.objects.filter(month__lt=EARLIEST_PLAUSIBLE).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("month", "due_date", "reason"),
    [
        ("0001-01", "0001-02-01", "on or after 1 January 2000"),
        ("2026-12", "9999-12-31", "must be before"),
        ("9999-12", "9999-12-31", "must be before"),
    ],
)
def test_a_round_in_an_implausible_month_is_refused_by_page_and_api(
    world, as_user, month, due_date, reason
):
    west = Area.objects.get(code="west")
    theme = CaseTheme.objects.filter(is_active=True).first()
    before = AuditRound.objects.count()
    page = as_user("west.manager").post(
        reverse("round_create"),
        {"area": west.pk, "month": month, "due_date": due_date, "force_interest_theme": theme.pk},
    )
    assert page.status_code == 400
    assert reason in page.content.decode()
    answer = as_user("west.manager", api=True).post(
        "/api/rounds/", {"area": west.pk, "month": month, "due_date": due_date}, format="json"
    )
    assert answer.status_code == 400, answer.content
    assert reason in answer.json()["detail"]
    assert AuditRound.objects.count() == before


@pytest.mark.django_db
def test_an_escalation_cannot_be_resolved_in_year_one(world, as_user):
    escalation = SafeguardingEscalation.objects.get(pk=world.records["escalation"])
    response = as_user("west.moderator").post(
        reverse("escalation_detail", args=[escalation.pk]),
        {"response": "Visited.", "action_taken_on": "01/01/0001"},
    )
    assert response.status_code == 200
    assert "on or after 1 January 2000" in response.content.decode()
    escalation.refresh_from_db()
    assert escalation.state == EscalationState.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize("due_on", ["01/01/0001", "31/12/9999"])
def test_a_recommendation_action_due_in_an_implausible_year_is_refused_on_the_page(
    world, as_user, due_on
):
    recommendation = Recommendation.objects.get(pk=world.records["recommendation"])
    before = RecommendationAction.objects.count()
    response = as_user("force.manager").post(
        reverse("recommendations:action_new", args=[recommendation.pk]),
        {
            "point": "",
            "description": "Train",
            "owner": "Head of PPU",
            "due_on": due_on,
            "state": "not_started",
        },
    )
    assert response.status_code in (200, 400)
    assert "The date must be" in response.content.decode()
    assert RecommendationAction.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("due_on", ["0001-01-01", "9999-12-31"])
def test_a_recommendation_action_due_in_an_implausible_year_is_refused_by_the_api(
    world, as_user, due_on
):
    api = as_user("force.manager", api=True)
    created = api.post(
        "/api/recommendation-actions/",
        {
            "recommendation": world.records["recommendation"],
            "description": "Train",
            "owner": "Head of PPU",
            "due_on": due_on,
        },
        format="json",
    )
    assert created.status_code == 400, created.content
    assert "due_on" in created.json()["detail"]
    action = RecommendationAction.objects.get(pk=world.records["recommendation_action"])
    changed = api.patch(
        f"/api/recommendation-actions/{action.pk}/",
        {"revision": action.revision, "due_on": due_on},
        format="json",
    )
    assert changed.status_code == 400, changed.content
    action.refresh_from_db()
    assert action.due_on.year not in (1, 9999)


@pytest.mark.django_db
def test_an_assessment_in_year_one_is_refused_by_the_api(world, as_user):
    answer = as_user("force.manager", api=True).post(
        "/api/assessments/",
        {
            "recommendation": world.records["recommendation"],
            "kind": "force",
            "assessed_on": "0001-01-01",
            "rating": "achieved",
            "narrative": "Audits.",
        },
        format="json",
    )
    assert answer.status_code == 400, answer.content


@pytest.mark.django_db
def test_the_action_service_refuses_an_implausible_due_date(world):
    recommendation = Recommendation.objects.get(pk=world.records["recommendation"])
    with pytest.raises(ValidationError, match="due date must be"):
        recommendation_services.action_create(
            recommendation=recommendation,
            by=world.users["force.manager"],
            data=recommendation_services.ActionInput(
                description="Train", owner="Head of PPU", due_on=YEAR_9999
            ),
        )


@pytest.mark.django_db
def test_an_inspection_published_in_year_one_is_not_imported(world):
    with pytest.raises(recommendation_services.ImportRefused) as refused:
        recommendation_services.inspection_for_import(
            {
                "reference": "NEW-1",
                "force": "lancashire",
                "title": "T",
                "published_on": "0001-01-01",
            }
        )
    assert any("published_on" in reason for reason in refused.value.reasons)
