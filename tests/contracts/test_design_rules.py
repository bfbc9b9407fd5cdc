"""The design rules every template and stylesheet keeps: a tag's colour comes from one rule
(TAG_COLOURS, beside the template filters), every state and grade has its colour there, and the
Sass takes its colours from GOV.UK Frontend instead of retyping them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audit_app.audits.models import AuditState, EscalationState, Grade, RoundState
from audit_app.audits.templatetags.case_audit import TAG_COLOURS
from audit_app.feedback.models import FeedbackState
from audit_app.reports.models import ActionState as MeetingActionState
from audit_app.reports.models import ReportState
from audit_app.rounds.models import CaseImportState, RowOutcome
from recommendations.models import ActionState as RecommendationActionState
from recommendations.models import Rating
from recommendations.selectors import PlanState

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
TAG_COMPONENT = TEMPLATES / "components" / "tag.html"

# The tag colours of the installed GOV.UK Frontend (6): blue is the tag's own colour.
GOVUK_TAG_COLOURS = {
    "grey",
    "green",
    "teal",
    "blue",
    "purple",
    "magenta",
    "red",
    "orange",
    "yellow",
}


def templates() -> list[Path]:
    found = sorted(TEMPLATES.rglob("*.html"))
    assert len(found) > 50, f"found only {len(found)} templates under {TEMPLATES}"
    return found


def test_no_template_picks_a_tag_colour_itself():
    hand_picked = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in templates()
        if path != TAG_COMPONENT
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "govuk-tag" in line
    ]
    assert not hand_picked, "use components/tag.html with value|tag_colour:kind:\n" + "\n".join(
        hand_picked
    )


def test_every_colour_a_template_asks_for_is_in_the_rule():
    asked = re.compile(r'(?:"(\w+)")?\|tag_colour:"(\w+)"')
    unknown = []
    asks = 0
    for path in templates():
        for value, kind in asked.findall(path.read_text(encoding="utf-8")):
            asks += 1
            if kind not in TAG_COLOURS or (value and value not in TAG_COLOURS[kind]):
                unknown.append(f"{path.relative_to(TEMPLATES)}: {value or '…'} as {kind}")
    assert asks > 20, f"the templates ask the rule for a colour only {asks} times: is it in use?"
    assert not unknown


def test_the_rule_uses_only_govuk_tag_colours():
    used = {colour for colours in TAG_COLOURS.values() for colour in colours.values()}
    assert used <= GOVUK_TAG_COLOURS


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("audit", AuditState.values),
        ("round", RoundState.values),
        ("grade", Grade.values),
        ("escalation", EscalationState.values),
        ("feedback", FeedbackState.values),
        ("import", CaseImportState.values),
        ("import_row", RowOutcome.values),
        ("report", ReportState.values),
        ("meeting_action", MeetingActionState.values),
        ("recommendation_action", RecommendationActionState.values),
        ("action_plan", [state.code for state in PlanState]),
        ("rating", Rating.values),
    ],
)
def test_every_state_and_grade_has_its_colour(kind, codes):
    assert set(TAG_COLOURS[kind]) == set(codes)


def test_a_report_states_words_are_its_code_with_a_capital():
    """reports/state_tag.html shows a state it has only as a code (an annotation) by its code."""
    assert ReportState.labels == [code.capitalize() for code in ReportState.values]


# A colour written out in Sass rather than taken from GOV.UK Frontend: a hex value or a colour
# function. A line may keep one only where GOV.UK Frontend has no colour for the use, saying so
# in a comment on that line that includes "no GOV.UK colour".
RETYPED_COLOUR = re.compile(
    r"#(?:[0-9a-f]{8}|[0-9a-f]{6}|[0-9a-f]{3,4})\b|\b(?:rgba?|hsla?)\(", re.IGNORECASE
)


def test_the_sass_retypes_no_colour():
    sheets = sorted((ROOT / "assets").glob("*.scss"))
    assert {"report.scss", "feedback-sheet.scss"} <= {sheet.name for sheet in sheets}
    retyped = [
        f"{sheet.name}:{number}: {line.strip()}"
        for sheet in sheets
        for number, line in enumerate(sheet.read_text(encoding="utf-8").splitlines(), 1)
        if RETYPED_COLOUR.search(line.split("//", 1)[0]) and "no GOV.UK colour" not in line
    ]
    assert not retyped, "use govuk-colour() or govuk-functional-colour():\n" + "\n".join(retyped)


@pytest.mark.parametrize(
    ("line", "retyped"),
    [
        ("  color: #0b0c0c;", True),
        ("  border: 1px solid #B1B4B6;", True),
        ("  background: rgb(11 12 12);", True),
        ('  color: govuk-functional-colour("text");', False),
        ("#themes, #trend, #actions {", False),
    ],
)
def test_the_check_finds_a_retyped_colour(line, retyped):
    assert bool(RETYPED_COLOUR.search(line)) is retyped
