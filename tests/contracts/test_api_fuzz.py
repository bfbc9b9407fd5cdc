"""Schemathesis over the whole OpenAPI schema, with a token: no server errors, and every response
matching the schema. Hypothesis generates the requests, valid and invalid, for every operation."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from audit_app.accounts.tokens import token_create
from audit_app.models import Area, Force, Role
from audit_app.wsgi import application
from tests import factories

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def token(demo_logins, settings):
    """A user holding every role, so every operation is reachable, and real demo data."""
    settings.ALLOWED_HOSTS = ["*"]
    force = Force.objects.get(code="lancashire")
    west = Area.objects.get(code="west")
    user = factories.user_with_role(Role.AUDIT_MANAGER, None, force=force)
    for role in (Role.SENIOR_LEADER, Role.INSPECTOR):
        factories.RoleAssignmentFactory(user=user, role=role, area=None, force=force)
    for role in (Role.MODERATOR, Role.AUDITOR):
        factories.RoleAssignmentFactory(user=user, role=role, area=west, force=force)
    return token_create(user=user, name="fuzz")[1]


def _schema_dict() -> dict:
    """The OpenAPI schema as served, built without a request (no database needed)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw))


schema = schemathesis.openapi.from_dict(_schema_dict())
schema.app = application


@pytest.fixture(autouse=True)
def keep_the_connection_open():
    # As Django's test client does: keep the test's connection (and its transaction) open
    # across the in-process WSGI requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_operation(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
