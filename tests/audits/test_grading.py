import pytest

from audit_app.audits.grading import GivenAnswer, Rule, grade_reasons, is_critical, suggest_grade
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


def test_reasons_name_the_answers_that_drove_the_suggestion():
    given = [
        GivenAnswer("no", True, question="Q10"),
        GivenAnswer("no", False, question="Q11"),
        GivenAnswer("partly", True, question="Q12"),
        GivenAnswer("no", True, question="Q13"),
    ]
    reasons = grade_reasons(given, RULES)
    assert [(r.question, r.answer_label, r.suggests) for r in reasons] == [
        ("Q10", "No", Grade.INADEQUATE),
        ("Q13", "No", Grade.INADEQUATE),
    ]


def test_reasons_of_a_lesser_suggestion_and_of_none():
    given = [GivenAnswer("no", False, question="Q11"), GivenAnswer("na", True, question="Q12")]
    assert [r.question for r in grade_reasons(given, RULES)] == ["Q11"]
    assert grade_reasons([GivenAnswer("yes", True, question="Q10")], RULES) == []
    assert grade_reasons([], RULES) == []


def test_a_question_is_critical_where_a_rule_on_it_can_suggest_inadequate():
    assert is_critical(marked_critical=True, rules=RULES)
    assert not is_critical(marked_critical=False, rules=RULES)
    strict = [*RULES, Rule("no", "any", Grade.INADEQUATE)]
    assert is_critical(marked_critical=False, rules=strict)
    lenient = [Rule("no", "critical", Grade.REQUIRES_IMPROVEMENT)]
    assert not is_critical(marked_critical=True, rules=lenient)
