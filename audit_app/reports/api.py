"""The API for PVP reports (list, ask for one, follow its state, download) and meeting actions.

The same selectors and services as the pages: a report or action outside the user's scope is a 404,
an endpoint of another role a 403, bad input a 400 with the reason.
"""

from __future__ import annotations

import datetime
import re

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, UserRateThrottle

from audit_app.api.errors import ErrorSerializer, error_responses
from audit_app.dates import validate_plausible_date
from audit_app.fields import RecordIdApiField
from audit_app.models import Area, Force
from audit_app.months import parse_month
from audit_app.pdf import pdf_download_response
from audit_app.permissions import user_scope
from audit_app.reports import selectors, services
from audit_app.reports.models import (
    DESCRIPTION_MAX_LENGTH,
    ActionState,
    ActionType,
    MeetingAction,
    PvpReportVersion,
    ReportState,
)

MONTH_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"


ERRORS = error_responses(400, 403, 404)


def _month(value: str) -> datetime.date:
    """A month the serializer's pattern has already checked as YYYY-MM."""
    month = parse_month(value)
    if month is None:
        raise serializers.ValidationError({"month": ["Enter the month as YYYY-MM."]})
    return month


def _require(request: Request, roles: tuple[str, ...], message: str) -> None:
    if not user_scope(request.user).has_role(*roles):
        raise PermissionDenied(message)


def _resolve_meeting(
    request: Request, area_id: int | None, force_id: int | None
) -> tuple[Force, Area | None]:
    """The meeting named by an area (or none, for the force) within the user's writing scope."""
    scope = selectors.report_scope(request.user, selectors.REPORT_WRITERS)
    if area_id is not None:
        if area_id not in scope.area_ids:
            raise Http404("No such area in your scope.")
        area = Area.objects.select_related("force").get(pk=area_id)
        return area.force, area
    if force_id is None and len(scope.force_ids) == 1:
        force_id = next(iter(scope.force_ids))
    if force_id is None or force_id not in scope.force_ids:
        raise Http404("No force-wide meeting in your scope.")
    return Force.objects.get(pk=force_id), None


# --- Reports ------------------------------------------------------------------------------------


class ReportVersionSerializer(serializers.ModelSerializer):
    report = serializers.IntegerField(source="report_id")
    force = serializers.IntegerField(source="report.force_id")
    area = serializers.IntegerField(source="report.area_id", allow_null=True)
    meeting = serializers.CharField(source="report.scope_label")
    month = serializers.SerializerMethodField()
    is_current = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = PvpReportVersion
        fields = [
            "id",
            "report",
            "force",
            "area",
            "meeting",
            "month",
            "number",
            "state",
            "failure_reason",
            "is_current",
            "requested_at",
            "started_at",
            "finished_at",
            "data_cutoff",
            "generated_at",
            "page_count",
            "size",
            "sha256",
            "download_url",
        ]

    def get_month(self, version: PvpReportVersion) -> str:
        return f"{version.report.month:%Y-%m}"

    def get_is_current(self, version: PvpReportVersion) -> bool:
        return version.report.current_id == version.pk

    def get_download_url(self, version: PvpReportVersion) -> str | None:
        if version.state != ReportState.READY:
            return None
        return reverse("api-report-download", args=[version.pk])


class ReportRequestSerializer(serializers.Serializer):
    area = RecordIdApiField(
        allow_null=True, help_text="The area's id; null for the force-wide (central) report."
    )
    force = RecordIdApiField(
        required=False, help_text="The force's id, for a force-wide report; optional with one."
    )
    month = serializers.RegexField(MONTH_PATTERN, help_text="The month reported on, YYYY-MM.")


class ReportRequestedSerializer(ReportVersionSerializer):
    joined = serializers.BooleanField(
        help_text="True when a version already in flight was joined rather than a new one made."
    )

    class Meta(ReportVersionSerializer.Meta):
        fields = [*ReportVersionSerializer.Meta.fields, "joined"]


class ReportRequestThrottle(UserRateThrottle):
    """Each user's requests for reports, counted apart from their other calls: a version takes the
    report worker seconds to compile, so a burst of them would hold up everyone's reports. (A
    request for a report already being compiled joins it and makes nothing new.)"""

    scope = "report-requests"


class ReportViewSet(viewsets.GenericViewSet):
    """Report versions: each compilation of an area's (or the force's) report for a month."""

    serializer_class = ReportVersionSerializer
    queryset = PvpReportVersion.objects.none()

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(ReportRequestThrottle())
        return throttles

    def _reader(self) -> None:
        _require(self.request, selectors.REPORT_READERS, "Your role does not read PVP reports.")

    @extend_schema(
        summary="Report versions in your scope, newest month first",
        parameters=[
            OpenApiParameter("month", str, description="Only this month, YYYY-MM"),
            OpenApiParameter("state", str, enum=ReportState.values),
        ],
        responses={200: ReportVersionSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403]},
    )
    def list(self, request: Request) -> Response:
        self._reader()
        versions = selectors.versions_for(request.user)
        month, state = request.query_params.get("month"), request.query_params.get("state")
        if month:
            if not re.fullmatch(MONTH_PATTERN, month):
                return Response({"detail": "Give the month as YYYY-MM."}, status=400)
            versions = versions.filter(report__month=_month(month))
        if state:
            if state not in ReportState.values:
                return Response({"detail": f"{state!r} is not a report state."}, status=400)
            versions = versions.filter(state=state)
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(ReportVersionSerializer(page, many=True).data)

    @extend_schema(
        summary="Ask for a new version of a report (joins one already compiling)",
        description="The month is this month or one of the twelve before it, as on the page. "
        "Each user may ask a limited number of times an hour; beyond it the answer is 429 with "
        "Retry-After.",
        request=ReportRequestSerializer,
        responses={
            202: ReportRequestedSerializer,
            **ERRORS,
            429: OpenApiResponse(ErrorSerializer, description="Too many requests: try later"),
        },
    )
    def create(self, request: Request) -> Response:
        _require(request, selectors.REPORT_WRITERS, "Only senior leaders and audit managers ask.")
        payload = ReportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        force, area = _resolve_meeting(request, data["area"], data.get("force"))
        outcome = services.report_request(
            force=force, area=area, month=_month(data["month"]), by=request.user
        )
        version = selectors.version_for(request.user, outcome.version.pk)
        version.joined = outcome.joined
        return Response(ReportRequestedSerializer(version).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="One report version and its state",
        responses={200: ReportVersionSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        self._reader()
        version = selectors.version_for(request.user, int(pk))
        return Response(ReportVersionSerializer(version).data)

    @extend_schema(
        summary="Download a ready version's PDF (the download is logged)",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        self._reader()
        version = selectors.version_for(request.user, int(pk))
        return pdf_download_response(*services.report_pdf_open(version=version, user=request.user))


# --- Meeting actions ----------------------------------------------------------------------------


class MeetingActionSerializer(serializers.ModelSerializer):
    meeting_month = serializers.SerializerMethodField()
    themes = serializers.SerializerMethodField()

    class Meta:
        model = MeetingAction
        fields = [
            "id",
            "force",
            "area",
            "meeting_month",
            "description",
            "action_type",
            "owner",
            "due_on",
            "state",
            "themes",
            "recommendation",
            "created_at",
            "updated_at",
        ]

    def get_meeting_month(self, action: MeetingAction) -> str:
        return f"{action.meeting_month:%Y-%m}"

    def get_themes(self, action: MeetingAction) -> list[int]:
        return [theme.pk for theme in action.themes.all()]


class MeetingActionInSerializer(serializers.Serializer):
    area = RecordIdApiField(
        allow_null=True, help_text="The area's meeting; null for the central meeting."
    )
    force = RecordIdApiField(required=False, help_text="For the central meeting.")
    meeting_month = serializers.RegexField(MONTH_PATTERN, help_text="YYYY-MM")
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH)
    action_type = serializers.ChoiceField(choices=ActionType.choices)
    owner = serializers.CharField(max_length=120)
    due_on = serializers.DateField(validators=[validate_plausible_date])
    state = serializers.ChoiceField(choices=ActionState.choices, default=ActionState.AGREED)
    themes = serializers.ListField(child=RecordIdApiField(), default=list)
    recommendation = RecordIdApiField(allow_null=True, required=False, default=None)


class MeetingActionUpdateSerializer(serializers.Serializer):
    meeting_month = serializers.RegexField(MONTH_PATTERN, required=False)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, required=False)
    action_type = serializers.ChoiceField(choices=ActionType.choices, required=False)
    owner = serializers.CharField(max_length=120, required=False)
    due_on = serializers.DateField(required=False, validators=[validate_plausible_date])
    state = serializers.ChoiceField(choices=ActionState.choices, required=False)
    themes = serializers.ListField(child=RecordIdApiField(), required=False)
    recommendation = RecordIdApiField(allow_null=True, required=False)


def _action_input(data: dict, action: MeetingAction | None = None) -> services.ActionInput:
    def given(name, current):
        return data.get(name, current)

    return services.ActionInput(
        meeting_month=_month(data["meeting_month"])
        if "meeting_month" in data
        else action.meeting_month,
        description=given("description", action and action.description),
        action_type=given("action_type", action and action.action_type),
        owner=given("owner", action and action.owner),
        due_on=given("due_on", action and action.due_on),
        state=given("state", action.state if action else ActionState.AGREED),
        theme_ids=tuple(given("themes", [t.pk for t in action.themes.all()] if action else [])),
        recommendation_id=given("recommendation", action and action.recommendation_id),
    )


class MeetingActionViewSet(viewsets.GenericViewSet):
    """Actions agreed at PVP meetings; they appear, with their state, in the next report."""

    serializer_class = MeetingActionSerializer
    queryset = MeetingAction.objects.none()

    @extend_schema(
        summary="Actions of the meetings in your scope",
        responses={200: MeetingActionSerializer(many=True), 403: ERRORS[403]},
    )
    def list(self, request: Request) -> Response:
        _require(request, selectors.REPORT_READERS, "Your role does not read meeting actions.")
        actions = selectors.actions_for(request.user).order_by("-meeting_month", "due_on", "pk")
        page = self.paginate_queryset(actions)
        return self.get_paginated_response(MeetingActionSerializer(page, many=True).data)

    @extend_schema(
        summary="One action",
        responses={200: MeetingActionSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        _require(request, selectors.REPORT_READERS, "Your role does not read meeting actions.")
        action = selectors.action_for(request.user, int(pk), selectors.REPORT_READERS)
        return Response(MeetingActionSerializer(action).data)

    @extend_schema(
        summary="Record an action agreed at a meeting",
        request=MeetingActionInSerializer,
        responses={201: MeetingActionSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        _require(request, selectors.REPORT_WRITERS, "Only senior leaders and audit managers.")
        payload = MeetingActionInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        force, area = _resolve_meeting(request, data["area"], data.get("force"))
        action = services.meeting_action_create(
            force=force, area=area, data=_action_input(data), by=request.user
        )
        action = selectors.action_for(request.user, action.pk)
        return Response(MeetingActionSerializer(action).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Update an action: its state, owner, due date or wording",
        request=MeetingActionUpdateSerializer,
        responses={200: MeetingActionSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        _require(request, selectors.REPORT_WRITERS, "Only senior leaders and audit managers.")
        action = selectors.action_for(request.user, int(pk))
        payload = MeetingActionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.meeting_action_update(
            action=action, data=_action_input(payload.validated_data, action), by=request.user
        )
        action = selectors.action_for(request.user, action.pk)
        return Response(MeetingActionSerializer(action).data)
