"""The models' move into their domain apps keeps every row.

The move (audit_app 0011 with each domain app's 0001) changes Django's state only: the tables keep
their names. This test loads the demo at today's schema, steps the database back to the schema
before the move (where every model was the kernel's), reads every row there through the historical
models, and migrates forward again: every row is still there, through the current models, with the
same ids and values, and the content types (admin history, permissions) follow their models.
"""

from __future__ import annotations

import pytest
from django.apps import apps as current_apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from factory.django import DjangoModelFactory

from tests import factories

BEFORE_THE_MOVE = [
    ("audit_app", "0010_case_reference_ignoring_case"),
    ("reports", "0001_initial"),
    ("accounts", None),
    ("notifications", None),
    ("access_log", None),
    ("audits", None),
    ("rounds", None),
]
MOVED = {
    "accounts": ["ApiToken"],
    "notifications": ["Notification"],
    "access_log": ["AccessLogEntry"],
    "rounds": ["CaseImport", "CaseImportRow", "SelectionSlot"],
    "audits": [
        "Answer",
        "Audit",
        "AuditEvent",
        "AuditRound",
        "AuditSubmission",
        "BlindGrade",
        "Case",
        "Feedback",
        "FindingTheme",
        "GradeSuggestionRule",
        "Moderation",
        "ModerationPolicy",
        "Question",
        "QuestionSection",
        "QuestionSet",
        "SafeguardingEscalation",
    ],
}


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _snapshot(model) -> dict:
    fields = [f.attname for f in model._meta.concrete_fields]
    return {row["pk"]: row for row in model.objects.values("pk", *fields)}


@pytest.mark.django_db(transaction=True)
def test_moving_the_models_into_domain_apps_keeps_every_row():
    from audit_app.demo.world import build_demo

    call_command("load_reference_data", verbosity=0)
    build_demo()
    moderation_model = current_apps.get_model("audits", "Moderation")
    themed = moderation_model.objects.filter(themes__isnull=False).first()
    assert themed is not None, "the demo should hold a moderation with finding themes"
    theme_ids = sorted(themed.themes.values_list("pk", flat=True))
    # Every moved model holds rows, so that "every row kept" compares something for each.
    factory_for = {
        cls._meta.model: cls
        for cls in vars(factories).values()
        if isinstance(cls, type) and issubclass(cls, DjangoModelFactory) and cls._meta.model
    }
    for app, names in MOVED.items():
        for name in names:
            model = current_apps.get_model(app, name)
            if not model.objects.exists():
                factory_for[model].create()
    today = {
        (app, name): _snapshot(current_apps.get_model(app, name))
        for app, names in MOVED.items()
        for name in names
    }
    empty = [f"{app}.{name}" for (app, name), rows in today.items() if not rows]
    assert not empty, f"moved models with no row to compare: {empty}"
    latest = _latest()

    executor = _migrate(BEFORE_THE_MOVE)
    old_apps = executor.loader.project_state(
        [("audit_app", "0010_case_reference_ignoring_case"), ("reports", "0001_initial")]
    ).apps
    for (app, name), rows in today.items():
        old = _snapshot(old_apps.get_model("audit_app", name))
        assert old == rows, f"audit_app.{name} before the move differs from {app}.{name}"
    old_moderation = old_apps.get_model("audit_app", "Moderation").objects.get(pk=themed.pk)
    assert sorted(old_moderation.themes.values_list("pk", flat=True)) == theme_ids

    _migrate(latest)
    for (app, name), rows in today.items():
        assert _snapshot(current_apps.get_model(app, name)) == rows, f"{app}.{name} lost rows"
    assert (
        sorted(moderation_model.objects.get(pk=themed.pk).themes.values_list("pk", flat=True))
        == theme_ids
    )

    content_type = current_apps.get_model("contenttypes", "ContentType")
    stale = content_type.objects.filter(
        app_label="audit_app", model__in=[n.lower() for names in MOVED.values() for n in names]
    )
    assert not stale.exists(), "content types still name the kernel app for moved models"
