"""The fixtures: the question set as data, the themes, the organisation; loading is repeatable."""

import pytest
from django.core import serializers
from django.core.management import call_command

from audit_app.audits.models import Question, QuestionSet, QuestionSetState
from audit_app.audits.selectors import questions_for_theme
from audit_app.models import Team, TeamType
from audit_app.models.reference import CaseTheme
from recommendations.models import Recommendation

pytestmark = pytest.mark.django_db

NINE_THEMES = {"DA", "MISS", "CSE", "ONL", "S46", "CUST", "REF", "CAI", "RISK"}


def snapshot() -> str:
    from django.apps import apps

    rows = []
    for app_label in ("audit_app", "recommendations"):
        for model in apps.get_app_config(app_label).get_models():
            rows.extend(model.objects.order_by("pk"))
    return serializers.serialize("json", rows)


def test_loading_the_reference_data_twice_changes_nothing(reference_data):
    before = snapshot()
    call_command("load_reference_data", verbosity=0)
    assert snapshot() == before


def test_nine_themes_plus_force_interest(reference_data):
    codes = set(CaseTheme.objects.values_list("code", flat=True))
    assert codes == NINE_THEMES | {"FI"}
    assert list(
        CaseTheme.objects.filter(is_force_interest=True).values_list("code", flat=True)
    ) == ["FI"]


def test_three_areas_each_with_specialist_and_non_specialist_teams(reference_data):
    for area_name in ("West", "South", "East"):
        types = set(Team.objects.filter(area__name=area_name).values_list("team_type", flat=True))
        assert types == {TeamType.SPECIALIST, TeamType.NON_SPECIALIST}, area_name


def test_question_set_v1_is_published_with_23_questions_in_8_sections(reference_data):
    question_set = QuestionSet.objects.get(version=1)
    assert question_set.state == QuestionSetState.PUBLISHED
    assert question_set.sections.count() == 8
    assert list(question_set.questions.values_list("number", flat=True)) == list(range(1, 24))
    codes = list(question_set.questions.values_list("code", flat=True))
    assert len(set(codes)) == len(codes)


def test_critical_questions_are_those_domain_names(reference_data):
    critical = Question.objects.filter(question_set__version=1, is_critical=True)
    assert sorted(critical.values_list("number", flat=True)) == [1, 7, 10, 11, 17, 20]


def test_every_theme_has_questions_and_custody_questions_only_for_custody(reference_data):
    question_set = QuestionSet.objects.get(version=1)
    for theme in CaseTheme.objects.all():
        numbers = set(
            questions_for_theme(question_set.pk, theme.pk).values_list("number", flat=True)
        )
        assert numbers, theme.code
        assert ({21, 22, 23} <= numbers) == (theme.code == "CUST"), theme.code
        assert (8 in numbers) == (theme.code == "DA"), theme.code
        assert (13 in numbers) == (theme.code == "MISS"), theme.code


def test_suggestion_rules_ship_with_the_set(reference_data):
    rules = QuestionSet.objects.get(version=1).suggestion_rules.values_list(
        "answer", "scope", "suggests"
    )
    assert set(rules) == {
        ("no", "critical", "inadequate"),
        ("partly", "critical", "requires_improvement"),
        ("no", "any", "requires_improvement"),
    }


def test_the_ten_2017_recommendations_load(reference_data):
    assert Recommendation.objects.filter(inspection__reference="lancashire-ncpi-2017").count() == 10
