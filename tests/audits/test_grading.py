import pytest

from audit_app.audits.grading import GivenAnswer, Rule, suggest_grade
from audit_app.audits.models import Grade

# The starting rules from DOMAIN.md, as the question-set fixture holds them.
RULES = [
    Rule("no", "critical", Grade.INADEQUATE),
    Rule("partly", "critical", Grade.REQUIRES_IMPROVEMENT),
    Rule("no", "any", Grade.REQUIRES_IMPROVEMENT),
]


def answers(*pairs):
    return [GivenAnswer(value, critical) for value, critical in pairs]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (answers(("yes", True), ("yes", False)), Grade.GOOD),
        (answers(("no", True), ("yes", False)), Grade.INADEQUATE),
        (answers(("partly", True), ("yes", False)), Grade.REQUIRES_IMPROVEMENT),
        (answers(("yes", True), ("no", False)), Grade.REQUIRES_IMPROVEMENT),
        (answers(("partly", False), ("yes", True)), Grade.GOOD),
        (answers(("partly", True), ("no", True)), Grade.INADEQUATE),
        (answers(("na", True), ("na", False)), Grade.GOOD),
        ([], Grade.GOOD),
    ],
)
def test_suggestion_takes_the_worst_matching_rule(given, expected):
    assert suggest_grade(given, RULES) == expected


def test_rules_are_data_not_code():
    lenient = [Rule("no", "critical", Grade.REQUIRES_IMPROVEMENT)]
    assert suggest_grade(answers(("no", True)), lenient) == Grade.REQUIRES_IMPROVEMENT
    assert suggest_grade(answers(("no", False)), lenient) == Grade.GOOD
