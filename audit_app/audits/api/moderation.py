"""The moderator's API: the queue, an audit (hidden until a blind grade is given), decisions."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from audit_app.api.errors import ErrorSerializer
from audit_app.audits import selectors, services
from audit_app.audits.api import serializers
from audit_app.audits.api.walk import ERRORS, _with_walk
from audit_app.audits.models import Audit, FindingTheme
from audit_app.models import Role
from audit_app.permissions import user_scope

QUEUE_FILTERS = [
    OpenApiParameter("state", str, enum=["submitted", "returned", "moderated"]),
    OpenApiParameter("theme", int, description="Case theme id"),
    OpenApiParameter("team_type", str, enum=["specialist", "non_specialist"]),
    OpenApiParameter("auditor", int, description="Auditor's user id"),
]


def _require_moderator(request: Request) -> None:
    if not user_scope(request.user).has_role(Role.MODERATOR):
        raise PermissionDenied("Only moderators moderate audits.")


def _int_or_400(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise exceptions.ValidationError({name: "Must be a whole number."}) from exc


class ModerationViewSet(viewsets.GenericViewSet):
    serializer_class = serializers.QueueAuditSerializer
    queryset = Audit.objects.none()

    @extend_schema(
        summary="The moderation queue of the moderator's areas",
        parameters=QUEUE_FILTERS,
        responses={
            200: serializers.QueueAuditSerializer(many=True),
            400: ERRORS[400],
            403: ERRORS[403],
        },
    )
    def list(self, request: Request) -> Response:
        _require_moderator(request)
        params = request.query_params
        unknown = set(params) - {"state", "theme", "team_type", "auditor", "page"}
        if unknown:
            return Response(
                {"detail": f"Unknown filters: {', '.join(sorted(unknown))}."}, status=400
            )
        state = params.get("state", "")
        if state and state not in selectors.MODERATION_QUEUE_STATES:
            return Response({"detail": f"{state!r} is not a queue state."}, status=400)
        team_type = params.get("team_type", "")
        if team_type and team_type not in ("specialist", "non_specialist"):
            return Response({"detail": f"{team_type!r} is not a team type."}, status=400)
        audits = selectors.moderation_queue(
            request.user,
            state=state,
            theme_id=_int_or_400(params.get("theme"), "theme"),
            team_type=team_type,
            auditor_id=_int_or_400(params.get("auditor"), "auditor"),
        ).select_related("question_set")
        page = self.paginate_queryset(audits)
        return self.get_paginated_response(
            serializers.QueueAuditSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        summary="An audit to moderate, with its answers and earlier decisions",
        responses={200: OpenApiTypes.OBJECT, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        _require_moderator(request)
        audit = selectors.audit_for_moderator(request.user, int(pk))
        visibility = selectors.audit_visibility(request.user, audit)
        context = {"request": request, "visibility": visibility}
        moderations = serializers.ModerationOutSerializer(
            selectors.audit_moderations(audit, request.user), many=True, context=context
        ).data
        if not visibility.auditor_work:
            summary = serializers.QueueAuditSerializer(audit, context=context).data
            return Response(
                {
                    **summary,
                    "detail": "Moderated blind: record your grade before the audit is shown.",
                    "moderations": moderations,
                }
            )
        detail = serializers.AuditDetailSerializer(
            _with_walk(audit, visibility), context=context
        ).data
        is_blind = audit.is_blind if visibility.blindness else None
        return Response({**detail, "is_blind": is_blind, "moderations": moderations})

    @extend_schema(
        summary="Record the moderator's own grade of a blind audit",
        request=serializers.BlindGradeInSerializer,
        responses={201: OpenApiTypes.OBJECT, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="blind-grade")
    def blind_grade(self, request: Request, pk: str | None = None) -> Response:
        _require_moderator(request)
        audit = selectors.audit_for_moderator(request.user, int(pk))
        payload = serializers.BlindGradeInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        blind = services.blind_grade_record(
            audit=audit, moderator=request.user, **payload.validated_data
        )
        return Response({"grade": blind.grade}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Agree, change or return the audit",
        request=serializers.DecisionInSerializer,
        responses={
            201: serializers.ModerationOutSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The audit changed"),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def decision(self, request: Request, pk: str | None = None) -> Response:
        _require_moderator(request)
        audit = selectors.audit_for_moderator(request.user, int(pk))
        payload = serializers.DecisionInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            moderation = services.moderation_record(
                audit=audit,
                moderator=request.user,
                decision=services.ModerationInput(
                    decision=data["decision"],
                    agreed_grade=data["agreed_grade"],
                    reason=data["reason"],
                    comments=data["comments"],
                    section_comments=data["section_comments"],
                    theme_ids=tuple(data["themes"]),
                    new_theme_names=tuple(data["new_themes"]),
                    publicise_good_practice=data["publicise_good_practice"],
                ),
                seen_revision=data["revision"],
            )
        except services.AuditChanged as changed:
            return Response({"detail": changed.message}, status=status.HTTP_409_CONFLICT)
        context = {
            "request": request,
            "visibility": selectors.audit_visibility(request.user, moderation.audit),
        }
        return Response(
            serializers.ModerationOutSerializer(moderation, context=context).data,
            status=status.HTTP_201_CREATED,
        )


class FindingThemeViewSet(viewsets.ReadOnlyModelViewSet):
    """The themes moderators tag: the controlled list and moderators' own additions."""

    serializer_class = serializers.FindingThemeSerializer
    queryset = FindingTheme.objects.filter(is_active=True).order_by("-is_controlled", "name")
