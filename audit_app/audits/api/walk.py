"""The auditor's audits over the API, with the same rules as the pages (the same services)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from audit_app.api.errors import ErrorSerializer, error_responses
from audit_app.audits import selectors, services
from audit_app.audits.api import serializers
from audit_app.audits.models import Audit
from audit_app.models import Role
from audit_app.permissions import user_scope

ERRORS = error_responses(400, 403, 404)


def _with_walk(audit: Audit, visibility: selectors.AuditVisibility) -> Audit:
    """Attach the walk's sections (with fingerprints) and the suggested grade for the serializer;
    without the answers for a reader kept from the auditor's work."""
    walk = selectors.audit_walk(audit, with_answers=visibility.auditor_work)
    audit.walk_sections = [
        {
            "code": progress.section.code,
            "title": progress.section.title,
            "complete": progress.is_complete,
            "fingerprint": services.section_fingerprint(progress.answers.values()),
            "questions": [
                {
                    "code": q.code,
                    "number": q.number,
                    "text": q.text,
                    "guidance": q.guidance,
                    "is_critical": q.is_critical,
                    "answer_options": q.answer_options,
                    "answer": (
                        {"value": a.value, "comment": a.comment}
                        if (a := progress.answers.get(q.pk))
                        else None
                    ),
                }
                for q in progress.questions
            ],
        }
        for progress in walk.sections
    ]
    audit.suggested_now = services.audit_suggested_grade(walk) if walk.is_complete else None
    return audit


def _detail(request: Request, audit: Audit) -> Response:
    """The audit with its questions and answers, as the requesting user may see it."""
    visibility = selectors.audit_visibility(request.user, audit)
    data = serializers.AuditDetailSerializer(
        _with_walk(audit, visibility), context={"request": request, "visibility": visibility}
    ).data
    return Response(data)


@extend_schema_view(
    list=extend_schema(
        summary="The signed-in auditor's audits",
        responses={200: serializers.AuditSummarySerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(
        summary="One audit with its questions and answers",
        responses={
            200: serializers.AuditDetailSerializer,
            403: ERRORS[403],
            404: ERRORS[404],
        },
    ),
)
class AuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.AuditSummarySerializer
    queryset = Audit.objects.none()

    def get_queryset(self):
        return selectors.auditor_audits(self.request.user).select_related("question_set")

    def list(self, request: Request, *args, **kwargs) -> Response:
        if not user_scope(request.user).has_role(Role.AUDITOR):
            raise PermissionDenied("Only auditors have audits of their own.")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        audit = selectors.audit_for_reader(request.user, int(pk))
        return _detail(request, audit)

    @extend_schema(
        summary="Save answers for one section",
        request=serializers.SectionSaveSerializer,
        responses={
            200: serializers.AuditDetailSerializer,
            409: OpenApiResponse(
                serializers.ConflictSerializer,
                description="The section changed since it was read",
            ),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk: str | None = None) -> Response:
        audit = selectors.audit_for_auditor(request.user, int(pk))
        payload = serializers.SectionSaveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        walk = selectors.audit_walk(audit)
        section = walk.section(payload.validated_data["section"])
        if section is None:
            return Response({"detail": "That section is not part of this audit."}, status=400)
        by_code = {q.code: q for q in section.questions}
        answers = {}
        for given in payload.validated_data["answers"]:
            question = by_code.get(given["question"])
            if question is None:
                reason = f"Question {given['question']} is not in section {section.section.code}."
                return Response({"detail": reason}, status=400)
            answers[question.pk] = services.AnswerInput(
                value=given["value"], comment=given["comment"]
            )
        try:
            audit = services.audit_section_save(
                audit=audit,
                by=request.user,
                section_code=section.section.code,
                answers=answers,
                seen_fingerprint=payload.validated_data["fingerprint"],
            )
        except services.SectionConflict as conflict:
            codes = {q.pk: q.code for q in section.questions}
            return Response(
                {
                    "detail": str(conflict),
                    "fingerprint": conflict.fingerprint,
                    "saved": [
                        {"question": codes[qid], "value": value, "comment": comment}
                        for qid, (value, comment) in conflict.saved.items()
                    ],
                },
                status=status.HTTP_409_CONFLICT,
            )
        return _detail(request, selectors.audit_for_auditor(request.user, audit.pk))

    @extend_schema(
        summary="Grade and submit the audit",
        request=serializers.SubmitSerializer,
        responses={
            200: serializers.AuditDetailSerializer,
            409: OpenApiResponse(
                ErrorSerializer, description="The audit changed since it was read"
            ),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        audit = selectors.audit_for_auditor(request.user, int(pk))
        payload = serializers.SubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            services.audit_submit(
                audit=audit,
                by=request.user,
                grade=data["grade"],
                grade_reason=data["grade_reason"],
                good_practice=data["good_practice"],
                areas_for_improvement=data["areas_for_improvement"],
                seen_revision=data["revision"],
            )
        except services.AuditChanged as changed:
            return Response({"detail": changed.message}, status=status.HTTP_409_CONFLICT)
        return _detail(request, selectors.audit_for_auditor(request.user, audit.pk))
