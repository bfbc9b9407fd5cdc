"""What feedback says, drafted from the moderated audit: plain functions of the audit's walk.

The officer hears about the case: every answer that fell short, with the auditor's comment, and
the good practice. The supervisor hears about supervision: the answers in the supervision
section, the agreed grade, and how many points the officer has been given.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit_app.audits.grading import FAILED_ANSWERS
from audit_app.audits.models import Audit
from audit_app.audits.selectors import AuditWalk

# A section is about supervision when its title says so ("F. Supervision" in version 1).
SUPERVISION_WORD = "supervis"


@dataclass(frozen=True)
class ShortAnswer:
    """An answer that fell short (a failing answer: Partly or No), as feedback quotes it."""

    section_title: str
    number: int
    text: str
    answer: str
    comment: str
    is_supervision: bool

    def as_line(self) -> str:
        line = f"Question {self.number} ({self.answer}): {self.text}"
        return f"{line}\n  Auditor's comment: {self.comment}" if self.comment else line


@dataclass(frozen=True)
class Draft:
    good_practice: str
    areas_for_improvement: str


def short_answers(walk: AuditWalk) -> list[ShortAnswer]:
    """Every answer that fell short, in the order of the question set."""
    found = []
    for section in walk.sections:
        about_supervision = SUPERVISION_WORD in section.section.title.lower()
        for question in section.questions:
            answer = section.answers.get(question.pk)
            if answer is None or answer.value not in FAILED_ANSWERS:
                continue
            found.append(
                ShortAnswer(
                    section_title=section.section.title,
                    number=question.number,
                    text=question.text,
                    answer=answer.get_value_display(),
                    comment=answer.comment,
                    is_supervision=about_supervision,
                )
            )
    return found


def agreed_grade_label(audit: Audit) -> str:
    return audit.get_moderated_grade_display() if audit.moderated_grade else "not agreed yet"


def officer_draft(audit: Audit, walk: AuditWalk) -> Draft:
    points = [a.as_line() for a in short_answers(walk) if not a.is_supervision]
    if audit.areas_for_improvement:
        points.append(audit.areas_for_improvement)
    return Draft(
        good_practice=audit.good_practice,
        areas_for_improvement="\n\n".join(points),
    )


def supervisor_draft(audit: Audit, walk: AuditWalk) -> Draft:
    answers = short_answers(walk)
    supervision = [a.as_line() for a in answers if a.is_supervision]
    others = sum(1 for a in answers if not a.is_supervision)
    lines = supervision or ["The audit found no shortfall in supervision."]
    if others:
        lines.append(
            f"The officer in the case has been given {others} other point"
            f"{'s' if others != 1 else ''} to improve; please make sure they are followed up."
        )
    return Draft(
        good_practice=audit.good_practice,
        areas_for_improvement="\n\n".join(lines),
    )
