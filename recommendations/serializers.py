"""API shapes for inspections, recommendations, the action plan, assessments and evidence. Input
and output serializers are apart where they differ; services do the writing."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit_app.fields import PlausibleDateApiField, RecordIdApiField, RevisionApiField
from recommendations.models import (
    ACTION_TEXT_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    PROJECT_READING_LABEL,
    ActionState,
    AssessorKind,
    Heading,
    Inspection,
    ProgressAssessment,
    Rating,
    RecommendationAction,
    RecommendationPoint,
    Timescale,
)
from recommendations.selectors import PlanState
from recommendations.services import OWNER_MAX_LENGTH


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = [
            "id",
            "body",
            "force",
            "reference",
            "title",
            "fieldwork_start",
            "fieldwork_end",
            "published_on",
        ]


class PointSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecommendationPoint
        fields = ["id", "order", "text"]


class RecommendationSerializer(serializers.Serializer):
    """A recommendation with its plan state and latest ratings (from the annotated selector)."""

    id = serializers.IntegerField()
    inspection = serializers.IntegerField(source="inspection_id")
    number = serializers.IntegerField()
    heading = serializers.ChoiceField(choices=Heading.choices)
    heading_label = serializers.CharField(source="get_heading_display")
    timescale = serializers.ChoiceField(choices=Timescale.choices)
    timescale_label = serializers.CharField(source="get_timescale_display")
    due_on = serializers.DateField()
    text = serializers.CharField()
    plan_state = serializers.ChoiceField(
        choices=[(state.code, state.label) for state in PlanState], source="plan_state_code"
    )
    plan_state_label = serializers.CharField()
    overdue_actions = serializers.IntegerField(source="action_overdue")
    latest_force_rating = serializers.ChoiceField(choices=Rating.choices, allow_null=True)
    latest_force_on = serializers.DateField(allow_null=True)
    latest_inspector_rating = serializers.ChoiceField(
        choices=Rating.choices,
        allow_null=True,
        help_text="A rating an inspector recorded in this app. Null where the inspectorate's "
        "latest entry is a document that gives no rating (the December 2018 review gives none).",
    )
    latest_inspector_on = serializers.DateField(
        allow_null=True, help_text="Date of the inspectorate's latest entry, rated or not."
    )
    latest_project_reading_rating = serializers.ChoiceField(
        choices=Rating.choices,
        allow_null=True,
        help_text=f"{PROJECT_READING_LABEL}: the project's reading of the inspectorate's "
        "findings, never a rating the inspectorate gave.",
    )
    latest_project_reading_on = serializers.DateField(allow_null=True)


class RecommendationDetailSerializer(RecommendationSerializer):
    points = PointSerializer(many=True)
    evidence_questions = serializers.ListField(
        child=serializers.CharField(),
        source="evidence_question_codes",
        help_text="Codes of the questions that test it.",
    )
    evidence_themes = serializers.ListField(
        child=serializers.CharField(),
        source="evidence_theme_codes",
        help_text="Codes of the case themes whose cases test it; empty for every theme.",
    )


class RecommendationInSerializer(serializers.Serializer):
    """A recommendation to add. Heading and timescale by value or label; an unknown one is
    refused with the reason."""

    inspection = RecordIdApiField()
    number = serializers.IntegerField(min_value=1, max_value=999)
    heading = serializers.CharField(help_text=f"One of: {', '.join(Heading.values)}")
    timescale = serializers.CharField(help_text=f"One of: {', '.join(Timescale.values)}")
    text = serializers.CharField()
    points = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class ActionSerializer(serializers.ModelSerializer):
    point_order = serializers.IntegerField(source="point.order", allow_null=True, default=None)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = RecommendationAction
        fields = [
            "id",
            "recommendation",
            "point",
            "point_order",
            "description",
            "owner",
            "due_on",
            "state",
            "completed_on",
            "notes",
            "is_overdue",
            "revision",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_overdue(self, action: RecommendationAction) -> bool:
        return action.is_overdue(timezone.localdate())


class ActionInSerializer(serializers.Serializer):
    recommendation = RecordIdApiField()
    point = RecordIdApiField(
        allow_null=True, required=False, default=None, help_text="A bullet point's id, or null."
    )
    description = serializers.CharField(max_length=ACTION_TEXT_MAX_LENGTH)
    owner = serializers.CharField(max_length=OWNER_MAX_LENGTH)
    due_on = PlausibleDateApiField()
    state = serializers.ChoiceField(choices=ActionState.choices, default=ActionState.NOT_STARTED)
    notes = serializers.CharField(
        max_length=NARRATIVE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ActionPatchSerializer(serializers.Serializer):
    """A change to an action: any of its fields, with the revision it was read at."""

    revision = RevisionApiField()
    point = RecordIdApiField(allow_null=True, required=False)
    description = serializers.CharField(max_length=ACTION_TEXT_MAX_LENGTH, required=False)
    owner = serializers.CharField(max_length=OWNER_MAX_LENGTH, required=False)
    due_on = PlausibleDateApiField(required=False)
    state = serializers.ChoiceField(choices=ActionState.choices, required=False)
    notes = serializers.CharField(max_length=NARRATIVE_MAX_LENGTH, required=False, allow_blank=True)


class AssessmentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    rating = serializers.ChoiceField(
        choices=Rating.choices,
        allow_null=True,
        help_text="Null for an inspectorate's document that gives no rating: read source_quote. "
        f"A rating of kind project_reading is {PROJECT_READING_LABEL[0].lower()}"
        f"{PROJECT_READING_LABEL[1:]}.",
    )
    rating_label = serializers.CharField(source="get_rating_display", allow_null=True)
    source_quote = serializers.CharField(
        help_text="The source document's own words on this recommendation, quoted exactly."
    )
    recorded_by = serializers.CharField(
        source="recorded_by.display_name", allow_null=True, default=None
    )

    class Meta:
        model = ProgressAssessment
        fields = [
            "id",
            "recommendation",
            "kind",
            "kind_label",
            "assessed_on",
            "rating",
            "rating_label",
            "source_quote",
            "narrative",
            "recorded_by",
            "source",
            "recorded_at",
        ]


class AssessmentInSerializer(serializers.Serializer):
    recommendation = RecordIdApiField()
    kind = serializers.ChoiceField(choices=AssessorKind.choices)
    assessed_on = PlausibleDateApiField()
    rating = serializers.ChoiceField(choices=Rating.choices)
    narrative = serializers.CharField(max_length=NARRATIVE_MAX_LENGTH)


class EvidenceMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    yes = serializers.IntegerField()
    partly = serializers.IntegerField()
    no = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
    yes_percent = serializers.IntegerField(
        allow_null=True, help_text="Yes as a share of Yes, Partly and No."
    )
    good = serializers.IntegerField(help_text="Moderated cases graded good.")
    requires_improvement = serializers.IntegerField()
    inadequate = serializers.IntegerField()


class LinkedQuestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField(allow_null=True)


class EvidenceSerializer(serializers.Serializer):
    recommendation = serializers.IntegerField()
    questions = LinkedQuestionSerializer(many=True)
    themes = serializers.ListField(child=serializers.CharField())
    months = EvidenceMonthSerializer(many=True)
