"""The suggested grade: the worst grade that any of the question set's rules gives the answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from audit_app.audits.models import GRADE_SEVERITY, AnswerValue, Grade, RuleScope

# The answers that say the work fell short: a moderator looks at them first, and they suggest
# finding themes. Defined once, so a new failing answer is added here alone.
FAILED_ANSWERS: tuple[str, ...] = (AnswerValue.PARTLY, AnswerValue.NO)


def is_failed(value: str) -> bool:
    """Whether an answer of `value` says the work fell short."""
    return value in FAILED_ANSWERS


def failed_answer_labels() -> str:
    """The failing answers in words, for pages: "Partly or No"."""
    labels = [AnswerValue(value).label for value in FAILED_ANSWERS]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


@dataclass(frozen=True)
class Rule:
    answer: str
    scope: str
    suggests: str


@dataclass(frozen=True)
class GivenAnswer:
    value: str
    is_critical: bool
    # The question answered, carried through to `grade_reasons` so a page can name it.
    question: Any = None


@dataclass(frozen=True)
class Reason:
    """One answer that drove the suggested grade: `question` was answered `value`."""

    question: Any
    value: str
    suggests: Grade

    @property
    def answer_label(self) -> str:
        return AnswerValue(self.value).label


def _applies(rule: Rule, *, is_critical: bool) -> bool:
    return rule.scope == RuleScope.ANY or (rule.scope == RuleScope.CRITICAL and is_critical)


def _severity(grade: str) -> int:
    return GRADE_SEVERITY[Grade(grade)]


def _grade_given(answer: GivenAnswer, rules: list[Rule]) -> Grade:
    """The worst grade the rules give this one answer; 'not applicable' never counts."""
    worst = Grade.GOOD
    if answer.value == AnswerValue.NOT_APPLICABLE:
        return worst
    for rule in rules:
        matches = _applies(rule, is_critical=answer.is_critical) and rule.answer == answer.value
        if matches and _severity(rule.suggests) > _severity(worst):
            worst = Grade(rule.suggests)
    return worst


def suggest_grade(answers: Iterable[GivenAnswer], rules: Iterable[Rule]) -> Grade:
    """Good unless a rule matches; 'not applicable' never counts against a case."""
    rules = list(rules)
    return max(
        (_grade_given(answer, rules) for answer in answers), key=_severity, default=Grade.GOOD
    )


def grade_reasons(answers: Iterable[GivenAnswer], rules: Iterable[Rule]) -> list[Reason]:
    """The answers that drove the suggested grade: each one a rule gives the suggested (worst)
    grade, in the order given. None when the suggestion is good."""
    rules = list(rules)
    graded = [(answer, _grade_given(answer, rules)) for answer in answers]
    worst = max((grade for _, grade in graded), key=_severity, default=Grade.GOOD)
    if worst == Grade.GOOD:
        return []
    return [
        Reason(question=answer.question, value=answer.value, suggests=grade)
        for answer, grade in graded
        if grade == worst
    ]


def is_critical(*, marked_critical: bool, rules: Iterable[Rule]) -> bool:
    """A question is critical where some answer to it lets a rule suggest inadequate: the one
    rule for the "Critical" tag on every page."""
    return any(
        rule.suggests == Grade.INADEQUATE and _applies(rule, is_critical=marked_critical)
        for rule in rules
    )
