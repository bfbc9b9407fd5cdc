"""Read API for analysts and business-intelligence software: audits with answers, cases,
moderation decisions, grade aggregates and exports, all scoped to the user's roles and areas."""

from __future__ import annotations

import datetime

from django.http import FileResponse, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit_app.analytics import exports
from audit_app.analytics import filters as analytics
from audit_app.api.errors import error_responses
from audit_app.audits import selectors
from audit_app.audits.api.serializers import VisibilityMixin
from audit_app.audits.models import Answer, Audit, Case, Moderation
from audit_app.permissions import OVERSIGHT_ROLES, user_scope

ERRORS = error_responses(400, 401, 403, 429)


FILTER_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=str(f.extra.get("help_text", "")))
    for name, f in analytics.AuditResultFilter.base_filters.items()
]


class IsAnalyst(BasePermission):
    message = "Only moderators, senior leaders, audit managers and inspectors read audit results."

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and user_scope(request.user).has_role(*OVERSIGHT_ROLES)
        )


def filtered_audits(request: Request):
    """The analyst's audits narrowed by the audit-result filters; 400 with the reasons if bad.

    Unknown parameters never get here: the API refuses what its schema does not document
    (audit_app.api.strict_parameters)."""
    filterset = analytics.AuditResultFilter(
        request.query_params, queryset=analytics.audits_for_analyst(request.user)
    )
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


class AnswerResultSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="question.code")

    class Meta:
        model = Answer
        fields = ["question", "value", "comment"]


class AuditResultSerializer(VisibilityMixin, serializers.ModelSerializer):
    area = serializers.CharField(source="round.area.code")
    month = serializers.DateField(source="round.month")
    round_kind = serializers.CharField(source="round.kind")
    case_reference = serializers.CharField(source="case.reference")
    theme = serializers.CharField(source="case.theme.code")
    team = serializers.CharField(source="case.team.name")
    team_type = serializers.CharField(source="case.team.team_type")
    final_grade = serializers.CharField()
    answers = AnswerResultSerializer(many=True)

    class Meta:
        model = Audit
        fields = [
            "id",
            "area",
            "month",
            "round_kind",
            "case_reference",
            "theme",
            "team",
            "team_type",
            "state",
            "grade",
            "suggested_grade",
            "moderated_grade",
            "final_grade",
            "is_blind",
            "submitted_at",
            "moderated_at",
            "answers",
        ]


class AuditResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Audits in the user's areas with their answers and grades (final = moderated, else own)."""

    serializer_class = AuditResultSerializer
    permission_classes = [IsAnalyst]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = analytics.AuditResultFilter
    ordering_fields = ["round__month", "submitted_at", "moderated_at", "final_grade", "pk"]
    ordering = ["-round__month", "pk"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Audit.objects.none()
        return (
            analytics.audits_for_analyst(self.request.user)
            .select_related("round__area", "case__theme", "case__team")
            .prefetch_related("answers__question")
        )


class CaseResultSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    theme = serializers.CharField(source="theme.code")
    team = serializers.CharField(source="team.name")
    team_type = serializers.CharField(source="team.team_type")

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "area",
            "theme",
            "team",
            "team_type",
            "station",
            "occurred_on",
            "closed_on",
        ]


class CaseFilterSet(analytics.django_filters.FilterSet):
    area = analytics.django_filters.CharFilter(field_name="area__code")
    theme = analytics.django_filters.CharFilter(field_name="theme__code")
    team_type = analytics.django_filters.ChoiceFilter(
        field_name="team__team_type", choices=analytics.TeamType.choices
    )

    class Meta:
        model = Case
        fields: list[str] = []


class CaseResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases (candidates and audited) in the user's areas. References only: no personal data."""

    serializer_class = CaseResultSerializer
    permission_classes = [IsAnalyst]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = CaseFilterSet
    ordering_fields = ["occurred_on", "reference", "pk"]
    ordering = ["-occurred_on", "pk"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return Case.objects.filter(
            user_scope(self.request.user).area_filter(*OVERSIGHT_ROLES)
        ).select_related("area", "theme", "team")


class ModerationRecordSerializer(VisibilityMixin, serializers.ModelSerializer):
    audit = serializers.IntegerField(source="audit_id")
    area = serializers.CharField(source="audit.round.area.code")
    month = serializers.DateField(source="audit.round.month")
    themes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Moderation
        fields = [
            "id",
            "audit",
            "area",
            "month",
            "decision",
            "original_grade",
            "agreed_grade",
            "reason",
            "is_blind",
            "blind_grade",
            "good_practice_to_publicise",
            "themes",
            "created_at",
        ]


class ModerationRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Every moderation decision in the user's areas, oldest first."""

    serializer_class = ModerationRecordSerializer
    permission_classes = [IsAnalyst]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["created_at", "pk"]
    ordering = ["created_at", "pk"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Moderation.objects.none()
        return (
            selectors.moderations_for(self.request.user, OVERSIGHT_ROLES)
            .select_related("audit__round__area")
            .prefetch_related("themes")
        )


class GradeCountsSerializer(serializers.Serializer):
    area = serializers.CharField(required=False)
    month = serializers.DateField(required=False)
    theme = serializers.CharField(required=False)
    team_type = serializers.CharField(required=False)
    good = serializers.IntegerField()
    requires_improvement = serializers.IntegerField()
    inadequate = serializers.IntegerField()
    total = serializers.IntegerField()


class AggregatesView(APIView):
    """Grade distributions by area, month, theme and team type, counted in the database."""

    permission_classes = [IsAnalyst]

    @extend_schema(
        summary="Grade distributions for dashboards",
        parameters=[
            OpenApiParameter(
                "group_by",
                OpenApiTypes.STR,
                description="Comma-separated dimensions from: area, month, theme, team_type "
                "(default month,theme).",
            ),
            OpenApiParameter(
                "basis",
                OpenApiTypes.STR,
                enum=["moderated", "graded"],
                description="moderated (default): moderated audits only; graded: also "
                "submitted audits not yet moderated, at the auditor's grade.",
            ),
            *FILTER_PARAMETERS,
        ],
        responses={200: GradeCountsSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        group_by = [d for d in request.query_params.get("group_by", "month,theme").split(",") if d]
        unknown = [d for d in group_by if d not in analytics.DIMENSIONS]
        if unknown or not group_by:
            raise ValidationError(
                {
                    "detail": f"Unknown group_by dimension(s): {', '.join(unknown) or '(none)'}. "
                    f"Use: {', '.join(analytics.DIMENSIONS)}."
                }
            )
        basis = request.query_params.get("basis", "moderated")
        if basis not in ("moderated", "graded"):
            raise ValidationError({"detail": "basis must be 'moderated' or 'graded'."})
        audits = filtered_audits(request)
        rows = analytics.grade_distribution(audits, group_by, moderated_only=basis == "moderated")
        data = [
            {
                **{
                    k: (v.isoformat() if isinstance(v, datetime.date) else v)
                    for k, v in row.key.items()
                },
                "good": row.good,
                "requires_improvement": row.requires_improvement,
                "inadequate": row.inadequate,
                "total": row.total,
            }
            for row in rows
        ]
        return Response(data)


class ExportView(APIView):
    """Audits and answers as CSV (streamed) or XLSX, for the same filters as the audit results."""

    permission_classes = [IsAnalyst]

    @extend_schema(
        summary="Export audits and answers",
        parameters=[
            OpenApiParameter(
                "comments", OpenApiTypes.BOOL, description="Add each answer's comment column."
            ),
            *FILTER_PARAMETERS,
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY,
            **ERRORS,
        },
    )
    def get(self, request: Request, file_format: str):
        audits = filtered_audits(request)
        with_comments = request.query_params.get("comments") in ("1", "true", "yes")
        rows = exports.export_rows(audits, user=request.user, with_comments=with_comments)
        stamp = datetime.date.today().isoformat()
        if file_format == "csv":
            response = StreamingHttpResponse(exports.csv_lines(rows), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="case-audits-{stamp}.csv"'
            return response
        return FileResponse(
            exports.xlsx_file(rows),
            as_attachment=True,
            filename=f"case-audits-{stamp}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
