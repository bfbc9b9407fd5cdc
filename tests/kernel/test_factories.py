"""Every model of the project has a factory in tests/factories.py, and each factory's defaults
make a row the database accepts (issue 13, rule 4)."""

from __future__ import annotations

import inspect

import factory
import pytest
from django.apps import apps

from tests import factories

PROJECT_APPS = (
    "audit_app",
    "accounts",
    "notifications",
    "access_log",
    "audits",
    "rounds",
    "reports",
    "recommendations",
)

FACTORIES = sorted(
    (
        value
        for value in vars(factories).values()
        if inspect.isclass(value)
        and issubclass(value, factory.django.DjangoModelFactory)
        and value._meta.model is not None
    ),
    key=lambda f: f.__name__,
)


def project_models():
    for model in apps.get_models():
        # simple_history's Historical* copies are written by the history, never by a test.
        if model._meta.app_label in PROJECT_APPS and not model.__name__.startswith("Historical"):
            yield model


def test_every_project_model_has_a_factory():
    covered = {f._meta.model for f in FACTORIES}
    missing = [model._meta.label for model in project_models() if model not in covered]
    assert not missing, f"No factory in tests/factories.py for: {', '.join(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda f: f.__name__)
def test_factory_makes_a_valid_row(factory_class):
    """Saved past every database constraint, and read back as the factory built it."""
    obj = factory_class.create()
    stored = factory_class._meta.model.objects.get(pk=obj.pk)
    changed = [
        field.attname
        for field in stored._meta.concrete_fields
        if getattr(stored, field.attname) != getattr(obj, field.attname)
    ]
    assert not changed, f"the database stored other values for: {changed}"
