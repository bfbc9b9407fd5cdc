"""The recommendations API: read by senior leaders, inspectors and audit managers of the force;
written by the audit manager (actions, the force's assessment; a senior leader may also record
the force's assessment) and inspectors (their assessments). New recommendations are added by the
audit manager or an inspector. Assessments are never changed or deleted: there is no PUT, PATCH
or DELETE for them. The same services as the pages do the writing."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from audit_app.api.errors import error_responses
from recommendations import selectors, services
from recommendations import serializers as s
from recommendations.models import (
    AssessorKind,
    Inspection,
    ProgressAssessment,
    Recommendation,
    RecommendationAction,
)
from recommendations.permissions import (
    API_READERS,
    RecommendationAccess,
    recommendation_access,
    roles_by_force,
)

ERRORS = error_responses(400, 403, 404)
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}
RECOMMENDATION_FILTER = OpenApiParameter(
    "recommendation", int, description="Only those of this recommendation"
)


def _reader_forces(request: Request) -> list[int]:
    """The forces in which the user reads recommendations over the API; 403 if none."""
    forces = [
        force_id
        for force_id, roles in roles_by_force(request.user).items()
        if roles.intersection(API_READERS)
    ]
    if not forces:
        raise PermissionDenied(
            "Recommendations are read over the API by senior leaders, inspectors and audit "
            "managers."
        )
    return forces


def _access(request: Request, recommendation_id: int | str) -> RecommendationAccess:
    """The recommendation (404 outside the user's forces) if the user reads it (403 if not)."""
    try:
        recommendation_id = int(recommendation_id)
    except (TypeError, ValueError) as error:
        raise ApiValidationError(
            {"detail": "The recommendation must be given by its id."}
        ) from error
    access = recommendation_access(request.user, recommendation_id)
    if not access.has_role(API_READERS):
        raise PermissionDenied(
            "Recommendations are read over the API by senior leaders, inspectors and audit "
            "managers."
        )
    return access


def _recommendation_filter(request: Request) -> int | None:
    given = request.query_params.get("recommendation")
    if given in (None, ""):
        return None
    try:
        return int(given)
    except ValueError as error:
        raise ApiValidationError({"detail": "recommendation must be a whole number."}) from error


class InspectionViewSet(viewsets.GenericViewSet):
    serializer_class = s.InspectionSerializer
    queryset = Inspection.objects.none()

    def get_queryset(self):
        return Inspection.objects.filter(force_id__in=_reader_forces(self.request)).order_by(
            "-published_on", "pk"
        )

    @extend_schema(
        summary="Inspections of the user's forces",
        responses={200: s.InspectionSerializer(many=True), 403: ERRORS[403]},
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.InspectionSerializer(page, many=True).data)

    @extend_schema(summary="One inspection", responses={200: s.InspectionSerializer, **READ_ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        inspection = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(s.InspectionSerializer(inspection).data)


class RecommendationViewSet(viewsets.GenericViewSet):
    serializer_class = s.RecommendationSerializer
    queryset = Recommendation.objects.none()

    @extend_schema(
        summary="Recommendations with their plan state and latest ratings",
        parameters=[OpenApiParameter("inspection", int, description="Only this inspection's")],
        responses={200: s.RecommendationSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403]},
    )
    def list(self, request: Request) -> Response:
        recommendations = selectors.api_recommendations(_reader_forces(request))
        inspection = request.query_params.get("inspection")
        if inspection not in (None, ""):
            if not inspection.isdigit():
                return Response({"detail": "inspection must be a whole number."}, status=400)
            recommendations = recommendations.filter(inspection_id=int(inspection))
        page = self.paginate_queryset(recommendations)
        selectors.attach_plan_state(page)
        return self.get_paginated_response(s.RecommendationSerializer(page, many=True).data)

    @extend_schema(
        summary="One recommendation with its points and the questions and themes that test it",
        responses={200: s.RecommendationDetailSerializer, **READ_ERRORS},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        access = _access(request, pk)
        recommendation = get_object_or_404(
            selectors.api_recommendations(
                [access.recommendation.inspection.force_id]
            ).prefetch_related("points"),
            pk=access.recommendation.pk,
        )
        selectors.attach_plan_state([recommendation])
        selectors.attach_evidence_links(recommendation)
        return Response(s.RecommendationDetailSerializer(recommendation).data)

    @extend_schema(
        summary="Add a recommendation (audit manager or inspector)",
        description="Heading and timescale by value or label; an unknown one is refused with "
        "the reason, and nothing is saved.",
        request=s.RecommendationInSerializer,
        responses={201: s.RecommendationDetailSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        payload = s.RecommendationInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        inspection = get_object_or_404(
            Inspection.objects.filter(force_id__in=list(roles_by_force(request.user))),
            pk=data.pop("inspection"),
        )
        result = services.recommendations_import(
            inspection=inspection, rows=[data], by=request.user
        )
        if not result.created:
            return Response(
                {
                    "detail": f"Recommendation {data['number']} is already recorded.",
                    "reasons": [f"Recommendation {data['number']} is already recorded."],
                },
                status=400,
            )
        recommendation = (
            selectors.api_recommendations([inspection.force_id])
            .prefetch_related("points")
            .get(pk=result.created[0])
        )
        selectors.attach_plan_state([recommendation])
        selectors.attach_evidence_links(recommendation)
        return Response(
            s.RecommendationDetailSerializer(recommendation).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="The audit evidence for a recommendation, month by month",
        description="Answers of submitted and moderated monthly audits on the questions that "
        "test it, and the moderated grades of the cases behind them, within the user's areas.",
        parameters=[
            OpenApiParameter("months", int, description="How many months back (1–60, default 12)")
        ],
        responses={200: s.EvidenceSerializer, 400: ERRORS[400], **READ_ERRORS},
    )
    @action(detail=True, methods=["get"])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        access = _access(request, pk)
        given = request.query_params.get("months", str(selectors.DETAIL_MONTHS))
        if not given.isdigit() or not 1 <= int(given) <= 60:
            return Response({"detail": "months must be a whole number from 1 to 60."}, status=400)
        evidence = selectors.recommendation_evidence(
            request.user, access.recommendation, months=int(given)
        )
        if evidence is None:
            raise PermissionDenied(
                "Audit results are read by moderators, senior leaders, audit managers and "
                "inspectors."
            )
        return Response(s.EvidenceSerializer(evidence).data)


class ActionViewSet(viewsets.GenericViewSet):
    serializer_class = s.ActionSerializer
    queryset = RecommendationAction.objects.none()

    def _actions(self, request: Request):
        return RecommendationAction.objects.filter(
            recommendation__inspection__force_id__in=_reader_forces(request)
        ).select_related("point", "recommendation__inspection")

    @extend_schema(
        summary="Actions of the force's plans",
        parameters=[RECOMMENDATION_FILTER],
        responses={200: s.ActionSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403]},
    )
    def list(self, request: Request) -> Response:
        actions = self._actions(request).order_by("recommendation_id", "point__order", "due_on")
        recommendation = _recommendation_filter(request)
        if recommendation is not None:
            actions = actions.filter(recommendation_id=recommendation)
        page = self.paginate_queryset(actions)
        return self.get_paginated_response(s.ActionSerializer(page, many=True).data)

    @extend_schema(summary="One action", responses={200: s.ActionSerializer, **READ_ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(s.ActionSerializer(get_object_or_404(self._actions(request), pk=pk)).data)

    @extend_schema(
        summary="Add an action to the plan (audit manager)",
        request=s.ActionInSerializer,
        responses={201: s.ActionSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        payload = s.ActionInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        access = _access(request, data.pop("recommendation"))
        access.require_action_writer()
        created = services.action_create(
            recommendation=access.recommendation,
            by=request.user,
            data=services.ActionInput(point_id=data.pop("point"), **data),
        )
        return Response(s.ActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an action (audit manager), with the revision it was read at",
        request=s.ActionPatchSerializer,
        responses={
            200: s.ActionSerializer,
            409: OpenApiResponse(
                s.ActionSerializer, description="Changed since it was read: the saved action"
            ),
            **ERRORS,
        },
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        current = get_object_or_404(self._actions(request), pk=pk)
        access = _access(request, current.recommendation_id)
        access.require_action_writer()
        payload = s.ActionPatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        merged = services.ActionInput(
            description=data.get("description", current.description),
            owner=data.get("owner", current.owner),
            due_on=data.get("due_on", current.due_on),
            state=data.get("state", current.state),
            notes=data.get("notes", current.notes),
            point_id=data.get("point", current.point_id),
        )
        try:
            updated = services.action_update(
                action=current, by=request.user, data=merged, seen_revision=data["revision"]
            )
        except services.ActionChanged:
            current.refresh_from_db()
            return Response(s.ActionSerializer(current).data, status=status.HTTP_409_CONFLICT)
        return Response(s.ActionSerializer(updated).data)


class AssessmentViewSet(viewsets.GenericViewSet):
    serializer_class = s.AssessmentSerializer
    queryset = ProgressAssessment.objects.none()

    def _assessments(self, request: Request):
        return ProgressAssessment.objects.filter(
            recommendation__inspection__force_id__in=_reader_forces(request)
        ).select_related("recorded_by")

    @extend_schema(
        summary="Progress assessments, newest first",
        parameters=[
            RECOMMENDATION_FILTER,
            OpenApiParameter("kind", str, enum=AssessorKind.values),
        ],
        responses={200: s.AssessmentSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403]},
    )
    def list(self, request: Request) -> Response:
        assessments = self._assessments(request).order_by(
            "recommendation_id", "-assessed_on", "-recorded_at", "-pk"
        )
        recommendation = _recommendation_filter(request)
        if recommendation is not None:
            assessments = assessments.filter(recommendation_id=recommendation)
        kind = request.query_params.get("kind", "")
        if kind:
            if kind not in AssessorKind.values:
                return Response({"detail": f"{kind!r} is not a kind of assessment."}, status=400)
            assessments = assessments.filter(kind=kind)
        page = self.paginate_queryset(assessments)
        return self.get_paginated_response(s.AssessmentSerializer(page, many=True).data)

    @extend_schema(summary="One assessment", responses={200: s.AssessmentSerializer, **READ_ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        found = get_object_or_404(self._assessments(request), pk=pk)
        return Response(s.AssessmentSerializer(found).data)

    @extend_schema(
        summary="Record an assessment: an inspector's by an inspector, the force's by the "
        "audit manager or a senior leader. Never overwrites: each is a new record.",
        request=s.AssessmentInSerializer,
        responses={201: s.AssessmentSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        payload = s.AssessmentInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        access = recommendation_access(request.user, data.pop("recommendation"))
        access.require_assessor(data["kind"])
        created = services.assessment_record(
            recommendation=access.recommendation, by=request.user, **data
        )
        return Response(s.AssessmentSerializer(created).data, status=status.HTTP_201_CREATED)
