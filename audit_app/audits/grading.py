"""The suggested grade: the worst grade that any of the question set's rules gives the answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from audit_app.audits.models import GRADE_SEVERITY, AnswerValue, Grade, RuleScope


@dataclass(frozen=True)
class Rule:
    answer: str
    scope: str
    suggests: str


@dataclass(frozen=True)
class GivenAnswer:
    value: str
    is_critical: bool


def suggest_grade(answers: Iterable[GivenAnswer], rules: Iterable[Rule]) -> Grade:
    """Good unless a rule matches; 'not applicable' never counts against a case."""
    rules = list(rules)
    worst = Grade.GOOD
    for answer in answers:
        if answer.value == AnswerValue.NOT_APPLICABLE:
            continue
        for rule in rules:
            in_scope = rule.scope == RuleScope.ANY or (
                rule.scope == RuleScope.CRITICAL and answer.is_critical
            )
            matches = in_scope and rule.answer == answer.value
            if matches and GRADE_SEVERITY[Grade(rule.suggests)] > GRADE_SEVERITY[worst]:
                worst = Grade(rule.suggests)
    return worst
