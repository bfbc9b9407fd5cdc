"""Writes for recommendations: the action plan, progress assessments and importing
recommendations. Each validates, enforces who may write, and writes in a transaction."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit_app.dates import plausible_date_problem
from audit_app.models import Force, User
from recommendations.models import (
    ACTION_TEXT_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    ActionState,
    AssessorKind,
    Heading,
    Inspection,
    ProgressAssessment,
    Rating,
    Recommendation,
    RecommendationAction,
    RecommendationPoint,
    Timescale,
)
from recommendations.permissions import (
    ACTION_WRITERS,
    ASSESSORS,
    RECOMMENDATION_WRITERS,
    roles_by_force,
)

logger = logging.getLogger(__name__)

OWNER_MAX_LENGTH = 120


def _require_role(user: User, force_id: int, roles: tuple[str, ...], message: str) -> None:
    if not roles_by_force(user).get(force_id, frozenset()).intersection(roles):
        raise PermissionDenied(message)


# --- The action plan ----------------------------------------------------------------------------


class ActionChanged(ValidationError):
    """Someone else changed the action since it was read: nothing was saved."""


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: str
    due_on: datetime.date
    state: str = ActionState.NOT_STARTED
    notes: str = ""
    point_id: int | None = None


def _clean_action(recommendation: Recommendation, data: ActionInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    description = data.description.strip()
    owner = " ".join(data.owner.split())
    notes = data.notes.strip()
    if not description:
        errors["description"] = "Describe the action."
    elif len(description) > ACTION_TEXT_MAX_LENGTH:
        errors["description"] = f"Keep the action to {ACTION_TEXT_MAX_LENGTH} characters."
    if not owner:
        errors["owner"] = "Say who owns the action: a post or a team."
    elif len(owner) > OWNER_MAX_LENGTH:
        errors["owner"] = f"Keep the owner to {OWNER_MAX_LENGTH} characters."
    if data.state not in ActionState.values:
        errors["state"] = f"{data.state!r} is not an action state."
    if len(notes) > NARRATIVE_MAX_LENGTH:
        errors["notes"] = f"Keep the notes to {NARRATIVE_MAX_LENGTH} characters."
    if data.due_on is None:
        errors["due_on"] = "Enter the date the action is due."
    elif problem := plausible_date_problem(data.due_on):
        errors["due_on"] = f"The due date {problem}."
    point = None
    if data.point_id is not None:
        point = RecommendationPoint.objects.filter(
            pk=data.point_id, recommendation=recommendation
        ).first()
        if point is None:
            errors["point"] = "That bullet point is not part of this recommendation."
    if errors:
        raise ValidationError(errors)
    return {
        "description": description,
        "owner": owner,
        "due_on": data.due_on,
        "state": data.state,
        "notes": notes,
        "point": point,
    }


def _completion(state: str, previous: datetime.date | None) -> datetime.date | None:
    if state != ActionState.COMPLETE:
        return None
    return previous or timezone.localdate()


@transaction.atomic
def action_create(
    *, recommendation: Recommendation, by: User, data: ActionInput
) -> RecommendationAction:
    """Add an action to the force's plan (audit manager only)."""
    _require_role(
        by,
        recommendation.inspection.force_id,
        ACTION_WRITERS,
        "Only the audit manager changes the force's action plan.",
    )
    values = _clean_action(recommendation, data)
    action = RecommendationAction.objects.create(
        recommendation=recommendation,
        completed_on=_completion(values["state"], None),
        created_by=by,
        updated_by=by,
        **values,
    )
    logger.info(
        "recommendation %s: action %s added by user %s", recommendation.pk, action.pk, by.pk
    )
    return action


@transaction.atomic
def action_update(
    *, action: RecommendationAction, by: User, data: ActionInput, seen_revision: int
) -> RecommendationAction:
    """Change an action; refuses (ActionChanged) if it changed since `seen_revision` was read."""
    action = (
        RecommendationAction.objects.select_for_update()
        .select_related("recommendation__inspection")
        .get(pk=action.pk)
    )
    recommendation = action.recommendation
    _require_role(
        by,
        recommendation.inspection.force_id,
        ACTION_WRITERS,
        "Only the audit manager changes the force's action plan.",
    )
    if action.revision != seen_revision:
        raise ActionChanged(
            "Someone else changed this action since you opened it. Check it and try again."
        )
    values = _clean_action(recommendation, data)
    for name, value in values.items():
        setattr(action, name, value)
    action.completed_on = _completion(values["state"], action.completed_on)
    action.updated_by = by
    action.revision = F("revision") + 1
    action.save()
    action.refresh_from_db()
    logger.info(
        "recommendation %s: action %s changed by user %s", recommendation.pk, action.pk, by.pk
    )
    return action


# --- Progress assessments -----------------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    recommendation: Recommendation,
    by: User,
    kind: str,
    assessed_on: datetime.date,
    rating: str,
    narrative: str,
) -> ProgressAssessment:
    """Record a new assessment. Never changes an earlier one: each judgement is its own record.
    An inspector's assessment is recorded only by an inspector, the force's only by the audit
    manager or a senior leader."""
    if kind not in AssessorKind.values:
        raise ValidationError({"kind": f"{kind!r} is not a kind of assessment."})
    _require_role(
        by,
        recommendation.inspection.force_id,
        ASSESSORS[kind],
        {
            AssessorKind.INSPECTOR: "Only an inspector records an inspector's assessment.",
            AssessorKind.PROJECT_READING: "Only the audit manager records a reading of a review.",
        }.get(kind, "Only the audit manager or a senior leader records the force's assessment."),
    )
    errors: dict[str, str] = {}
    narrative = narrative.strip()
    if rating not in Rating.values:
        errors["rating"] = f"{rating!r} is not a rating."
    if not narrative:
        errors["narrative"] = "Say what the assessment is based on."
    elif len(narrative) > NARRATIVE_MAX_LENGTH:
        errors["narrative"] = f"Keep the narrative to {NARRATIVE_MAX_LENGTH} characters."
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date of the assessment."
    elif (problem := plausible_date_problem(assessed_on)) and assessed_on < timezone.localdate():
        errors["assessed_on"] = f"The date of the assessment {problem}."
    elif assessed_on > timezone.localdate():
        errors["assessed_on"] = "The date of the assessment must be today or in the past."
    elif assessed_on < recommendation.inspection.published_on:
        published = recommendation.inspection.published_on
        errors["assessed_on"] = (
            f"The date must be on or after the report's publication, {published.day} "
            f"{published:%B %Y}."
        )
    if errors:
        raise ValidationError(errors)
    assessment = ProgressAssessment.objects.create(
        recommendation=recommendation,
        kind=kind,
        assessed_on=assessed_on,
        rating=rating,
        narrative=narrative,
        recorded_by=by,
    )
    logger.info(
        "recommendation %s: %s assessment %s recorded by user %s",
        recommendation.pk,
        kind,
        assessment.pk,
        by.pk,
    )
    return assessment


# --- Importing recommendations ------------------------------------------------------------------


class ImportRefused(ValidationError):
    """The import was refused; nothing was saved. `reasons` says why, row by row."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(reasons)
        self.reasons = reasons


@dataclass(frozen=True)
class ImportResult:
    inspection: Inspection
    created: list[int]
    unchanged: list[int]


def _normalise(value: Any) -> str:
    return " ".join(str(value or "").split())


def _choice(choices: type, given: Any) -> str | None:
    """A choice given by its value or its label, in any case; None if unknown."""
    wanted = _normalise(given).casefold()
    for value, label in choices.choices:
        if wanted in (value.casefold(), label.casefold()):
            return value
    return None


def _known(choices: type) -> str:
    return "; ".join(label for _, label in choices.choices)


@dataclass(frozen=True)
class _Row:
    number: int
    heading: str
    timescale: str
    text: str
    points: tuple[str, ...]


def _parse_row(index: int, row: dict[str, Any], reasons: list[str]) -> _Row | None:
    where = f"Row {index}"
    found = len(reasons)
    try:
        number = int(str(row.get("number", "")).strip())
        if number < 1:
            raise ValueError
        where = f"Row {index} (recommendation {number})"
    except ValueError:
        number = 0
        reasons.append(f"{where}: the number must be a whole number from 1.")
    heading = _choice(Heading, row.get("heading"))
    if heading is None:
        reasons.append(
            f"{where}: unknown heading “{_normalise(row.get('heading'))}”. "
            f"Use one of: {_known(Heading)}."
        )
    timescale = _choice(Timescale, row.get("timescale"))
    if timescale is None:
        reasons.append(
            f"{where}: unknown timescale “{_normalise(row.get('timescale'))}”. "
            f"Use one of: {_known(Timescale)}."
        )
    text = _normalise(row.get("text"))
    if not text:
        reasons.append(f"{where}: the recommendation's text is empty.")
    points = row.get("points") or []
    if isinstance(points, str):
        points = points.splitlines()
    if not isinstance(points, list):
        reasons.append(f"{where}: the bullet points must be a list of text.")
        points = []
    points = tuple(p for p in (_normalise(p) for p in points) if p)
    if len(reasons) > found:
        return None
    return _Row(number=number, heading=heading, timescale=timescale, text=text, points=points)


def inspection_for_import(data: dict[str, Any] | str) -> Inspection:
    """The inspection an import adds to: an existing one by reference, or one described in full
    (reference, force code, title, published_on, optional body and fieldwork dates)."""
    if isinstance(data, str):
        inspection = Inspection.objects.filter(reference=data.strip()).first()
        if inspection is None:
            raise ImportRefused([f"No inspection has the reference “{data.strip()}”."])
        return inspection
    reference = _normalise(data.get("reference"))
    existing = Inspection.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    reasons = []
    force = Force.objects.filter(code=_normalise(data.get("force"))).first()
    if force is None:
        reasons.append(f"Inspection: no force has the code “{_normalise(data.get('force'))}”.")
    dates = {}
    for name in ("published_on", "fieldwork_start", "fieldwork_end"):
        given = _normalise(data.get(name))
        if not given:
            if name == "published_on":
                reasons.append("Inspection: the publication date (published_on) is missing.")
            continue
        try:
            dates[name] = datetime.date.fromisoformat(given)
        except ValueError:
            reasons.append(f"Inspection: {name} “{given}” is not a date like 2018-03-01.")
            continue
        if problem := plausible_date_problem(dates[name], past_only=name == "published_on"):
            reasons.append(f"Inspection: {name} {given} {problem}.")
    if not reference:
        reasons.append("Inspection: the reference is missing.")
    if not _normalise(data.get("title")):
        reasons.append("Inspection: the title is missing.")
    if reasons:
        raise ImportRefused(reasons)
    inspection = Inspection(
        reference=reference,
        force=force,
        title=_normalise(data.get("title")),
        body=_normalise(data.get("body")) or "HMICFRS",
        **dates,
    )
    try:
        inspection.full_clean()
    except ValidationError as error:
        raise ImportRefused([f"Inspection: {message}" for message in error.messages]) from error
    inspection.save()
    return inspection


@transaction.atomic
def recommendations_import(
    *,
    inspection: Inspection | dict[str, Any] | str,
    rows: list[dict[str, Any]],
    by: User | None = None,
) -> ImportResult:
    """Add recommendations (with their bullet points) to an inspection, all or nothing.

    A heading or timescale is given by its value or its label ("investigation" or
    "Investigation"); an unknown one refuses the whole import with the reason for each row. A
    recommendation already recorded identically is left alone; one recorded differently is
    refused (correct it in the admin). `by` is checked when given (the API); the management
    command runs as the operator."""
    if not isinstance(inspection, Inspection):
        inspection = inspection_for_import(inspection)
    if by is not None:
        _require_role(
            by,
            inspection.force_id,
            RECOMMENDATION_WRITERS,
            "Only the audit manager or an inspector adds recommendations.",
        )
    reasons: list[str] = []
    if not rows:
        reasons.append("There are no recommendations to import.")
    parsed = [_parse_row(index, row, reasons) for index, row in enumerate(rows, start=1)]
    numbers = [row.number for row in parsed if row]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        reasons.append(f"Recommendation {number} appears more than once.")
    existing = {
        r.number: r for r in inspection.recommendations.prefetch_related("points").order_by()
    }
    unchanged = []
    for row in parsed:
        if row is None or row.number not in existing:
            continue
        current = existing[row.number]
        same = (
            current.heading == row.heading
            and current.timescale == row.timescale
            and _normalise(current.text) == row.text
            and tuple(_normalise(p.text) for p in current.points.all()) == row.points
        )
        if same:
            unchanged.append(row.number)
        else:
            reasons.append(
                f"Recommendation {row.number} is already recorded for this inspection with "
                "different content; correct it in the admin rather than importing it again."
            )
    if reasons:
        raise ImportRefused(reasons)
    created = []
    for row in parsed:
        if row.number in unchanged:
            continue
        recommendation = Recommendation.objects.create(
            inspection=inspection,
            number=row.number,
            heading=row.heading,
            timescale=row.timescale,
            text=row.text,
        )
        RecommendationPoint.objects.bulk_create(
            RecommendationPoint(recommendation=recommendation, order=order, text=text)
            for order, text in enumerate(row.points, start=1)
        )
        created.append(recommendation.pk)
    logger.info(
        "inspection %s: %s recommendations imported, %s unchanged",
        inspection.pk,
        len(created),
        len(unchanged),
    )
    return ImportResult(inspection=inspection, created=created, unchanged=sorted(unchanged))
