"""Importing recommendations: all or nothing, unknown headings and timescales refused with the
reason; the management command for JSON and CSV files; and the demo action plan."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db.models import F

from audit_app.models import Force, Role
from recommendations.demo import build_recommendations_demo
from recommendations.models import (
    AssessorKind,
    Inspection,
    ProgressAssessment,
    Recommendation,
    RecommendationAction,
)
from recommendations.services import ImportRefused, recommendations_import
from tests import factories

pytestmark = pytest.mark.django_db

NEW_INSPECTION = {
    "reference": "lancashire-2019-revisit",
    "force": "lancashire",
    "title": "Lancashire – revisit",
    "published_on": "2019-06-01",
}


def row(number: int = 1, **overrides) -> dict:
    data = {
        "number": number,
        "heading": "Investigation",
        "timescale": "Within six months",
        "text": "Within six months, the force should review bail decisions.",
        "points": ["using bail conditions to safeguard children;", "recording the rationale."],
    }
    data.update(overrides)
    return data


def test_import_creates_an_inspection_its_recommendations_and_points(reference_data):
    result = recommendations_import(
        inspection=NEW_INSPECTION,
        rows=[row(1), row(2, heading="police_detention", timescale="IMMEDIATELY", points=[])],
    )
    inspection = Inspection.objects.get(reference="lancashire-2019-revisit")
    assert result.inspection == inspection and len(result.created) == 2
    first, second = inspection.recommendations.order_by("number")
    assert (first.heading, first.timescale, first.points.count()) == (
        "investigation",
        "six_months",
        2,
    )
    assert (second.heading, second.timescale) == ("police_detention", "immediately")
    assert first.due_on.isoformat() == "2019-12-01"


def test_unknown_heading_or_timescale_refuses_everything_with_the_reasons(reference_data):
    with pytest.raises(ImportRefused) as refused:
        recommendations_import(
            inspection="lancashire-ncpi-2017",
            rows=[
                row(11),
                row(12, heading="Finance"),
                row(13, timescale="Within a year"),
                row("x"),
            ],
        )
    reasons = refused.value.reasons
    assert reasons[0].startswith("Row 2 (recommendation 12): unknown heading “Finance”. Use one")
    assert "Investigation; Decision-making; Police detention" in reasons[0]
    assert reasons[1].startswith("Row 3 (recommendation 13): unknown timescale “Within a year”")
    assert "Immediately; Within three months; Within six months" in reasons[1]
    assert reasons[2] == "Row 4: the number must be a whole number from 1."
    assert len(reasons) == 3
    assert Recommendation.objects.count() == 10  # not even the good row 11


def test_reimporting_the_same_recommendation_changes_nothing_but_a_different_one_is_refused(
    reference_data,
):
    seven = Recommendation.objects.prefetch_related("points").get(number=7)
    same = {
        "number": 7,
        "heading": seven.heading,
        "timescale": seven.get_timescale_display(),
        "text": seven.text,
        "points": [p.text for p in seven.points.all()],
    }
    result = recommendations_import(inspection="lancashire-ncpi-2017", rows=[same])
    assert (result.created, result.unchanged) == ([], [7])
    with pytest.raises(ImportRefused) as refused:
        recommendations_import(
            inspection="lancashire-ncpi-2017", rows=[{**same, "text": "Something else."}]
        )
    assert "already recorded for this inspection with different content" in refused.value.reasons[0]
    with pytest.raises(ImportRefused) as refused:
        recommendations_import(inspection="lancashire-ncpi-2017", rows=[row(11), row(11)])
    assert refused.value.reasons == ["Recommendation 11 appears more than once."]


def test_an_unknown_inspection_or_force_is_refused(reference_data):
    with pytest.raises(ImportRefused) as refused:
        recommendations_import(inspection="no-such-inspection", rows=[row()])
    assert refused.value.reasons == ["No inspection has the reference “no-such-inspection”."]
    with pytest.raises(ImportRefused) as refused:
        recommendations_import(
            inspection={**NEW_INSPECTION, "force": "atlantis", "published_on": "1 June"},
            rows=[row()],
        )
    assert refused.value.reasons == [
        "Inspection: no force has the code “atlantis”.",
        "Inspection: published_on “1 June” is not a date like 2018-03-01.",
    ]
    assert not Inspection.objects.filter(reference=NEW_INSPECTION["reference"]).exists()


def test_only_the_audit_manager_or_an_inspector_imports_as_a_user(reference_data):
    force = Force.objects.get(code="lancashire")
    leader = factories.user_with_role(Role.SENIOR_LEADER, None, force=force)
    with pytest.raises(PermissionDenied):
        recommendations_import(inspection="lancashire-ncpi-2017", rows=[row(11)], by=leader)
    inspector = factories.user_with_role(Role.INSPECTOR, None, force=force)
    result = recommendations_import(inspection="lancashire-ncpi-2017", rows=[row(11)], by=inspector)
    assert len(result.created) == 1


def test_command_imports_json(reference_data, tmp_path, capsys):
    path = tmp_path / "revisit.json"
    path.write_text(json.dumps({"inspection": NEW_INSPECTION, "recommendations": [row(1)]}))
    call_command("import_recommendations", str(path))
    assert "1 recommendation(s) imported, 0 already recorded" in capsys.readouterr().out
    assert Recommendation.objects.filter(inspection__reference="lancashire-2019-revisit").exists()


def test_command_imports_csv_with_points_one_per_line(reference_data, tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text(
        "number,heading,timescale,text,points\n"
        '11,Initial contact,Within three months,"Within three months, the force should:",'
        '"first point;\nsecond point."\n',
        encoding="utf-8",
    )
    call_command("import_recommendations", str(path), inspection="lancashire-ncpi-2017")
    eleven = Recommendation.objects.get(number=11)
    assert eleven.heading == "initial_contact"
    assert list(eleven.points.values_list("text", flat=True)) == ["first point;", "second point."]


def test_command_refuses_with_the_reasons(reference_data, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "number,heading,timescale,text\n11,Finance,Within three months,Text.\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        call_command("import_recommendations", str(path), inspection="lancashire-ncpi-2017")
    assert "Nothing was imported" in str(error.value)
    assert "unknown heading “Finance”" in str(error.value)
    with pytest.raises(CommandError, match="needs --inspection"):
        call_command("import_recommendations", str(path))
    path.write_text("number,heading\n1,Investigation\n", encoding="utf-8")
    with pytest.raises(CommandError, match="lacks the column"):
        call_command("import_recommendations", str(path), inspection="lancashire-ncpi-2017")
    assert Recommendation.objects.count() == 10


def test_demo_plan_is_plausible_and_idempotent(reference_data):
    force = Force.objects.get(code="lancashire")
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=force)
    build_recommendations_demo(force)
    actions = RecommendationAction.objects.count()
    assessments = ProgressAssessment.objects.filter(kind=AssessorKind.FORCE).count()
    build_recommendations_demo(force)
    assert RecommendationAction.objects.count() == actions >= 8
    assert ProgressAssessment.objects.filter(kind=AssessorKind.FORCE).count() == assessments == 2
    assert set(RecommendationAction.objects.values_list("state", flat=True)) == {
        "not_started",
        "in_progress",
        "complete",
    }
    assert ProgressAssessment.objects.filter(recorded_by=manager).count() == 2
    assert (
        RecommendationAction.objects.filter(point__isnull=False)
        .exclude(point__recommendation=F("recommendation"))
        .count()
        == 0
    )
