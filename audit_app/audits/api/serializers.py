from rest_framework import serializers

from audit_app.audits import selectors
from audit_app.audits.models import (
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    AnswerValue,
    Audit,
    FindingTheme,
    Grade,
    Moderation,
    ModerationDecision,
)
from audit_app.fields import RecordIdApiField, RevisionApiField

# What the auditor wrote, or grades that are theirs: hidden where `selectors.audit_visibility`
# says the reader may not see the auditor's work.
AUDITOR_WORK_FIELDS = (
    "grade",
    "suggested_grade",
    "moderated_grade",
    "final_grade",
    "original_grade",
    "agreed_grade",
    "grade_reason",
    "good_practice",
    "areas_for_improvement",
)


BLINDNESS_FIELDS = ("is_blind", "blind_grade")


def hide_unseen(data: dict, visibility: selectors.AuditVisibility) -> dict:
    """The serialized audit (or a row of one) without what the reader may not see: hidden fields
    are null, answers empty."""
    if not visibility.auditor_work:
        for name in AUDITOR_WORK_FIELDS:
            if name in data:
                data[name] = None
        if "answers" in data:
            data["answers"] = []
        for section in data.get("sections") or []:
            section["fingerprint"] = ""
            for question in section["questions"]:
                question["answer"] = None
    if not visibility.blindness:
        for name in BLINDNESS_FIELDS:
            if name in data:
                data[name] = None
    return data


class VisibilityMixin:
    """Serializes an audit (or a row of one) as the requesting user may see it. The context needs
    the request; `visibility` in the context, when given, is used for every row (the moderation
    decisions of one audit)."""

    def get_fields(self) -> dict:
        fields = super().get_fields()
        for name in (*AUDITOR_WORK_FIELDS, *BLINDNESS_FIELDS):
            if name in fields:
                fields[name].allow_null = True  # documented as nullable: null when hidden
        return fields

    def to_representation(self, instance) -> dict:
        data = super().to_representation(instance)
        visibility = self.context.get("visibility") or selectors.audit_visibility(
            self.context["request"].user, instance
        )
        return hide_unseen(data, visibility)


class AuditSummarySerializer(VisibilityMixin, serializers.ModelSerializer):
    case_reference = serializers.CharField(source="case.reference")
    theme = serializers.CharField(source="case.theme.code")
    team = serializers.CharField(source="case.team.name")
    team_type = serializers.CharField(source="case.team.team_type")
    area = serializers.CharField(source="round.area.name")
    month = serializers.DateField(source="round.month")
    due_date = serializers.DateField(source="round.due_date")
    question_set_version = serializers.IntegerField(source="question_set.version")

    class Meta:
        model = Audit
        fields = [
            "id",
            "case_reference",
            "theme",
            "team",
            "team_type",
            "area",
            "month",
            "due_date",
            "state",
            "grade",
            "revision",
            "question_set_version",
        ]


class AnswerOutSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=AnswerValue.choices)
    comment = serializers.CharField()


class QuestionOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    number = serializers.IntegerField()
    text = serializers.CharField()
    guidance = serializers.CharField()
    is_critical = serializers.BooleanField()
    answer_options = serializers.ListField(child=serializers.CharField())
    answer = AnswerOutSerializer(allow_null=True)


class SectionOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    complete = serializers.BooleanField()
    fingerprint = serializers.CharField(
        help_text="Send back when saving, so a change made elsewhere is not overwritten."
    )
    questions = QuestionOutSerializer(many=True)


class AuditDetailSerializer(AuditSummarySerializer):
    grade_reason = serializers.CharField()
    good_practice = serializers.CharField()
    areas_for_improvement = serializers.CharField()
    suggested_grade = serializers.SerializerMethodField()
    sections = SectionOutSerializer(many=True, source="walk_sections")

    class Meta(AuditSummarySerializer.Meta):
        fields = [
            *AuditSummarySerializer.Meta.fields,
            "suggested_grade",
            "grade_reason",
            "good_practice",
            "areas_for_improvement",
            "sections",
        ]

    def get_suggested_grade(self, audit) -> str | None:
        return audit.suggested_now


class AnswerInSerializer(serializers.Serializer):
    question = serializers.CharField(help_text="The question's code, e.g. Q07.")
    value = serializers.ChoiceField(choices=AnswerValue.choices)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=COMMENT_MAX_LENGTH
    )


class SectionSaveSerializer(serializers.Serializer):
    section = serializers.CharField(help_text="The section's code, e.g. C.")
    fingerprint = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The section's fingerprint when read; omit to overwrite regardless.",
    )
    answers = AnswerInSerializer(many=True)


class SubmitSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    grade_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    good_practice = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    areas_for_improvement = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    revision = RevisionApiField(help_text="The audit's revision when read.")


class ConflictAnswerSerializer(serializers.Serializer):
    question = serializers.CharField()
    value = serializers.CharField()
    comment = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    fingerprint = serializers.CharField()
    saved = ConflictAnswerSerializer(many=True)


class QueueAuditSerializer(AuditSummarySerializer):
    auditor = serializers.CharField(source="auditor.display_name")
    is_blind = serializers.BooleanField()
    submitted_at = serializers.DateTimeField()

    class Meta(AuditSummarySerializer.Meta):
        fields = [*AuditSummarySerializer.Meta.fields, "auditor", "is_blind", "submitted_at"]


class BlindGradeInSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class DecisionInSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ModerationDecision.choices)
    agreed_grade = serializers.ChoiceField(
        choices=Grade.choices, required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    comments = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    section_comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=NOTE_MAX_LENGTH),
        required=False,
        default=dict,
        help_text="Comments for the auditor by section code, when returning.",
    )
    themes = serializers.ListField(
        child=RecordIdApiField(), required=False, default=list, help_text="Theme ids."
    )
    new_themes = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, default=list
    )
    publicise_good_practice = serializers.BooleanField(required=False, default=False)
    revision = RevisionApiField(help_text="The audit's revision when read.")


class ModerationOutSerializer(VisibilityMixin, serializers.ModelSerializer):
    moderator = serializers.CharField(source="moderator.display_name")
    themes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Moderation
        fields = [
            "id",
            "decision",
            "original_grade",
            "agreed_grade",
            "reason",
            "comments",
            "section_comments",
            "is_blind",
            "blind_grade",
            "good_practice_to_publicise",
            "themes",
            "moderator",
            "created_at",
        ]


class FindingThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FindingTheme
        fields = ["id", "name", "description", "is_controlled"]
