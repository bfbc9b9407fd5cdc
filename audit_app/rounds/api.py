"""The audit manager's API: candidate case imports, rounds, selection and allocation.

The viewsets are thin: they find the record through the same scoping as the pages (a record out of
the user's scope is a 404), call the services in `audit_app.case_import` and `audit_app.rounds`,
and answer a refusal as JSON with the reason (400), a wrong role as 403. Work that takes long (the
row-by-row check of an import, saving its cases) is queued for Celery after the commit; when the
broker cannot be reached the answer is a 503 with the reason, and what was recorded is put back or
marked so nothing is left waiting for a task that will never run.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from kombu.exceptions import OperationalError as BrokerUnavailable
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from audit_app.api.errors import QueueUnavailable, Refused, error_responses
from audit_app.audits.models import Audit, AuditRound, Case, RoundKind, RoundState
from audit_app.audits.selectors import rounds_for
from audit_app.fields import PlausibleDateApiField, PlausibleMonthApiField
from audit_app.models import Area, Role, User
from audit_app.models.reference import CaseTheme
from audit_app.permissions import OVERSIGHT_ROLES, areas_for, user_scope
from audit_app.rounds import imports as importing
from audit_app.rounds import services as rounds
from audit_app.rounds.models import (
    CaseImport,
    CaseImportRow,
    CaseImportState,
    RowOutcome,
    SelectionSlot,
)

logger = logging.getLogger(__name__)

ROUND_RUNNERS = (Role.AUDIT_MANAGER, Role.INSPECTOR)
MAX_SEED = 2**63 - 1
MAX_ID = 2**31 - 1  # record ids are PostgreSQL integers: a larger one is refused, not a 500


# Errors ----------------------------------------------------------------------------------------


ERRORS = error_responses(400, 403, 404)
QUEUE_DOWN = error_responses(503)


def _messages(errors: dict) -> str:
    parts = []
    for field, messages in errors.items():
        message = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(message, dict):  # a nested serializer's errors
            message = _messages(message)
        parts.append(str(message) if field == "non_field_errors" else f"{field}: {message}")
    return " ".join(parts)


def _reason(errors: dict) -> str:
    return f"Check the request. {_messages(errors)}"


def _valid(serializer_class: type[serializers.Serializer], data) -> dict:
    """The validated input, or a 400 naming what is wrong."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise Refused(_reason(serializer.errors), errors=serializer.errors)
    return serializer.validated_data


def _require(request: Request, roles: tuple[str, ...], what: str) -> None:
    if not user_scope(request.user).has_role(*roles):
        raise PermissionDenied(f"Your role does not give access to {what}.")


# Fields ----------------------------------------------------------------------------------------


@extend_schema_field({"type": "string"})
class TextChoiceField(serializers.ChoiceField):
    """A choice documented as a string, its values in the description.

    OpenAPI enums are named after the field, and "kind", "state" and "outcome" name different
    choice sets across the API: as enums they would collide.
    """

    def __init__(self, choices, **kwargs) -> None:
        values = ", ".join(str(value) for value, _ in choices)
        kwargs["help_text"] = f"{kwargs.get('help_text', '')} One of: {values}.".strip()
        super().__init__(choices, **kwargs)


def _theme_field(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=CaseTheme.objects.filter(is_active=True),
        error_messages={"does_not_exist": "No active theme has the code {value}."},
        **kwargs,
    )


# Case imports ------------------------------------------------------------------------------------


def case_imports_for(user: User) -> QuerySet[CaseImport]:
    return importing.case_imports_for(user)


IMPORT_STATES_HELP = "One of: " + ", ".join(
    f"{value} ({label.lower()})" for value, label in CaseImportState.choices
)


class CaseImportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField()
    file_format = serializers.CharField(help_text="csv or xlsx")
    # A plain string, as for TextChoiceField: several models have a "state".
    state = serializers.CharField(help_text=IMPORT_STATES_HELP)
    state_label = serializers.CharField(source="get_state_display")
    uploaded_at = serializers.DateTimeField()
    uploaded_by = serializers.CharField(source="uploaded_by.display_name")
    total_rows = serializers.IntegerField()
    processed_rows = serializers.IntegerField()
    progress_percent = serializers.IntegerField()
    accepted_rows = serializers.IntegerField()
    rejected_rows = serializers.IntegerField()
    known_rows = serializers.IntegerField(help_text="Rows whose case was imported before.")
    saved_cases = serializers.IntegerField()
    failure_reason = serializers.CharField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class CaseImportRowSerializer(serializers.Serializer):
    row_number = serializers.IntegerField(help_text="The row in the file, the header being 1.")
    outcome = TextChoiceField(choices=RowOutcome.choices)
    reason = serializers.CharField()
    reference = serializers.CharField()


class CaseImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The records system's export, as CSV or XLSX. The first row names the columns: "
        + ", ".join(importing.REQUIRED_COLUMNS + importing.OPTIONAL_COLUMNS)
        + "."
    )
    force = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The force's id; needed only by managers of several forces.",
    )


ROW_FILTERS = [
    OpenApiParameter(
        "outcome", str, enum=RowOutcome.values, description="Only rows with this outcome"
    )
]


@extend_schema_view(
    list=extend_schema(
        summary="Case imports the user may see",
        description="A force-wide audit manager sees the force's imports; an area's audit "
        "manager sees their own uploads.",
        responses={200: CaseImportSerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(
        summary="One import: its state, row counts, progress and any failure reason",
        responses={200: CaseImportSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    ),
)
class CaseImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseImportSerializer
    queryset = CaseImport.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        _require(request, (Role.AUDIT_MANAGER,), "case imports")

    def get_queryset(self) -> QuerySet[CaseImport]:
        return case_imports_for(self.request.user).select_related("uploaded_by")

    def _answer(self, case_import: CaseImport, code: int = status.HTTP_200_OK) -> Response:
        case_import = self.get_queryset().get(pk=case_import.pk)
        return Response(CaseImportSerializer(case_import).data, status=code)

    @extend_schema(
        summary="Upload a file of candidate cases and queue its row-by-row check",
        request={"multipart/form-data": CaseImportUploadSerializer},
        responses={202: CaseImportSerializer, 400: ERRORS[400], 403: ERRORS[403], **QUEUE_DOWN},
    )
    def create(self, request: Request) -> Response:
        data = _valid(CaseImportUploadSerializer, request.data)
        forces = sorted(
            set(areas_for(request.user, (Role.AUDIT_MANAGER,)).values_list("force", flat=True))
        )
        force_id = data.get("force", forces[0] if len(forces) == 1 else None)
        if force_id is None:
            raise Refused("You manage audits in several forces: say which force with 'force'.")
        if force_id not in forces:
            raise Refused("You do not manage audits in that force.")
        area = areas_for(request.user, (Role.AUDIT_MANAGER,)).filter(force_id=force_id).first()
        case_import = importing.case_import_start(
            force=area.force, by=request.user, upload=data["file"]
        )
        logger.info("case import %s uploaded by user %s", case_import.pk, request.user.pk)
        self._queue_check(case_import)
        return self._answer(case_import, status.HTTP_202_ACCEPTED)

    def _queue_check(self, case_import: CaseImport) -> None:
        try:
            importing.case_import_check_queue(case_import=case_import)
        except importing.QueueUnavailable as exc:
            raise QueueUnavailable(
                f"The file is kept as import {case_import.pk}, but its check could not be "
                "started because the task queue is unavailable. Try again later: "
                f"POST /api/case-imports/{case_import.pk}/retry/."
            ) from exc

    @extend_schema(
        summary="Queue the check again for an import whose check could not be queued",
        request=None,
        responses={202: CaseImportSerializer, **ERRORS, **QUEUE_DOWN},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        case_import = self.get_object()
        if case_import.state != CaseImportState.QUEUED:
            raise Refused(
                f"This import is {case_import.get_state_display().lower()}; only an import "
                "waiting for its check can be queued again."
            )
        self._queue_check(case_import)
        return self._answer(case_import, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The import's rows with their outcomes and reasons, in file order",
        parameters=ROW_FILTERS,
        responses={200: CaseImportRowSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def rows(self, request: Request, pk: str | None = None) -> Response:
        case_import = self.get_object()
        unknown = set(request.query_params) - {"outcome", "page"}
        if unknown:
            raise Refused(f"Unknown filters: {', '.join(sorted(unknown))}.")
        found = CaseImportRow.objects.filter(case_import=case_import).order_by("row_number")
        outcome = request.query_params.get("outcome", "")
        if outcome:
            if outcome not in RowOutcome.values:
                raise Refused(
                    f"{outcome[:20]!r} is not an outcome: use {', '.join(RowOutcome.values)}."
                )
            found = found.filter(outcome=outcome)
        page = self.paginate_queryset(found.only("row_number", "outcome", "reason", "reference"))
        return self.get_paginated_response(CaseImportRowSerializer(page, many=True).data)

    @extend_schema(
        summary="Confirm the checked import and queue the saving of its accepted rows",
        request=None,
        responses={202: CaseImportSerializer, **ERRORS, **QUEUE_DOWN},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        case_import = self.get_object()
        try:
            case_import = importing.case_import_confirm_and_queue(
                case_import=case_import, by=request.user
            )
        except importing.QueueUnavailable as exc:
            raise QueueUnavailable(str(exc)) from exc
        return self._answer(case_import, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Cancel an import waiting for confirmation (its rows are discarded)",
        request=None,
        responses={200: CaseImportSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        case_import = self.get_object()
        importing.case_import_cancel(case_import=case_import)
        return self._answer(case_import)


# Rounds ----------------------------------------------------------------------------------------

ROUND_STATES_HELP = "One of: " + ", ".join(RoundState.values)
ROUND_KINDS_HELP = "monthly (the force's audit) or inspection (an inspector's own round)"


class AllocationSerializer(serializers.Serializer):
    audit = serializers.IntegerField(source="pk")
    auditor = serializers.IntegerField(source="auditor_id")
    auditor_name = serializers.CharField(source="auditor.display_name")
    state = serializers.CharField(help_text="The audit's state")


class SelectionSlotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField(source="round_id")
    position = serializers.IntegerField()
    theme = serializers.CharField(source="theme.code", help_text="The theme's code, e.g. DA")
    theme_name = serializers.CharField(source="theme.name")
    is_force_interest = serializers.BooleanField()
    source_month = serializers.DateField(help_text="The month whose cases were eligible.")
    eligible_count = serializers.IntegerField(help_text="Eligible cases when it was filled.")
    empty_reason = serializers.CharField()
    case = serializers.IntegerField(source="case_id", allow_null=True)
    case_reference = serializers.CharField(source="case.reference", allow_null=True)
    team = serializers.CharField(source="case.team.name", allow_null=True)
    team_type = serializers.CharField(source="case.team.team_type", allow_null=True)
    station = serializers.CharField(source="case.station", allow_null=True)
    allocation = serializers.SerializerMethodField()

    @extend_schema_field(AllocationSerializer(allow_null=True))
    def get_allocation(self, slot: SelectionSlot) -> dict | None:
        if slot.case_id is None:
            return None
        audit = next((a for a in slot.round.audits.all() if a.case_id == slot.case_id), None)
        return AllocationSerializer(audit).data if audit else None


class AuditRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    area = serializers.IntegerField(source="area_id")
    area_name = serializers.CharField(source="area.name")
    month = serializers.DateField(help_text="The first day of the month audited.")
    kind = serializers.CharField(help_text=ROUND_KINDS_HELP)
    state = serializers.CharField(help_text=ROUND_STATES_HELP)
    due_date = serializers.DateField()
    seed = serializers.IntegerField(
        source="selection_seed", allow_null=True, help_text="Selecting again with it repeats it."
    )
    cases_per_theme = serializers.IntegerField()
    force_interest_theme = serializers.CharField(
        source="force_interest_theme.code", allow_null=True
    )
    force_interest_topic = serializers.CharField()
    selected_at = serializers.DateTimeField(allow_null=True)
    opened_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_unfinished = serializers.IntegerField(
        help_text="Audits unfinished when the round was closed."
    )
    slots = SelectionSlotSerializer(many=True, source="slots.all")


class RoundAuditorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    team = serializers.IntegerField(source="staff_member.team_id", allow_null=True)


class AuditRoundDetailSerializer(AuditRoundSerializer):
    readiness = serializers.ListField(
        child=serializers.CharField(), help_text="What stops the round from opening, if anything."
    )
    auditors = RoundAuditorSerializer(many=True, help_text="Who may be given its audits.")


class RoundCreateSerializer(serializers.Serializer):
    area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(),
        pk_field=serializers.IntegerField(min_value=1, max_value=MAX_ID),
    )
    month = PlausibleMonthApiField()
    due_date = PlausibleDateApiField()
    kind = TextChoiceField(choices=RoundKind.choices, default=RoundKind.MONTHLY)
    cases_per_theme = serializers.IntegerField(
        default=1,
        min_value=1,
        max_value=rounds.MAX_CASES_PER_THEME,
        help_text="Inspection rounds only: monthly rounds take one case per theme.",
    )
    force_interest_theme = _theme_field(required=False, allow_null=True, default=None)
    force_interest_topic = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )


class RoundSelectSerializer(serializers.Serializer):
    seed = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=MAX_SEED,
        help_text="Omit for a new random seed; give a round's seed to repeat its selection.",
    )
    force_interest_theme = _theme_field(
        required=False, help_text="The theme to draw the force-interest case from this month."
    )
    force_interest_topic = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RoundCloseSerializer(serializers.Serializer):
    confirm_unfinished = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Needed to close a round with audits not yet submitted.",
    )


class ReassignSerializer(serializers.Serializer):
    auditor = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The user id of another of the round's auditors."
    )


ROUND_FILTERS = [
    OpenApiParameter("state", str, enum=RoundState.values),
    OpenApiParameter("kind", str, enum=RoundKind.values),
    OpenApiParameter("area", int, description="Area id"),
]


def _rounds(user: User) -> QuerySet[AuditRound]:
    """The rounds the user may read, with their slots, cases and allocations in four queries."""
    return (
        rounds_for(user)
        .select_related("area", "force_interest_theme")
        .prefetch_related(
            Prefetch(
                "slots",
                queryset=SelectionSlot.objects.select_related("theme", "case__team").order_by(
                    "position"
                ),
            ),
            Prefetch("audits", queryset=Audit.objects.select_related("auditor")),
        )
        .order_by("-month", "area__name", "pk")
    )


def _detail(audit_round: AuditRound) -> dict:
    audit_round.readiness = (
        rounds.round_readiness(audit_round) if audit_round.state == RoundState.DRAFT else []
    )
    audit_round.auditors = list(rounds.round_auditors(audit_round))
    return AuditRoundDetailSerializer(audit_round).data


@extend_schema_view(
    list=extend_schema(
        summary="Rounds the user may read, with their selected cases and allocations",
        parameters=ROUND_FILTERS,
        responses={200: AuditRoundSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403]},
    ),
    retrieve=extend_schema(
        summary="One round with its slots, allocations, auditors and what stops it opening",
        responses={200: AuditRoundDetailSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    ),
)
class RoundViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AuditRoundSerializer
    queryset = AuditRound.objects.none()

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        _require(request, OVERSIGHT_ROLES, "audit rounds")

    def get_queryset(self) -> QuerySet[AuditRound]:
        found = _rounds(self.request.user)
        if self.action != "list":
            return found
        params = self.request.query_params
        unknown = set(params) - {"state", "kind", "area", "page"}
        if unknown:
            raise Refused(f"Unknown filters: {', '.join(sorted(unknown))}.")
        if state := params.get("state"):
            if state not in RoundState.values:
                raise Refused(f"{state[:20]!r} is not a round state.")
            found = found.filter(state=state)
        if kind := params.get("kind"):
            if kind not in RoundKind.values:
                raise Refused(f"{kind[:20]!r} is not a kind of round.")
            found = found.filter(kind=kind)
        if area := params.get("area"):
            if not re.fullmatch(r"[0-9]{1,9}", area):
                raise Refused("area must be an area's id.")
            found = found.filter(area_id=int(area))
        return found

    def _round(self, pk: str | int | None) -> AuditRound:
        return get_object_or_404(self.get_queryset(), pk=int(pk))

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(_detail(self._round(pk)))

    @extend_schema(
        summary="Create a round: the audit manager's monthly round, or an inspector's own",
        request=RoundCreateSerializer,
        responses={201: AuditRoundDetailSerializer, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def create(self, request: Request) -> Response:
        _require(request, ROUND_RUNNERS, "creating rounds")
        data = _valid(RoundCreateSerializer, request.data)
        audit_round = rounds.round_create(by=request.user, **data)
        return Response(_detail(self._round(audit_round.pk)), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Select the round's cases (again), reproducibly from the seed",
        request=RoundSelectSerializer,
        responses={200: AuditRoundDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def select(self, request: Request, pk: str | None = None) -> Response:
        audit_round = self._round(pk)
        data = _valid(RoundSelectSerializer, request.data)
        rounds.round_select(
            audit_round=audit_round,
            by=request.user,
            seed=data["seed"],
            force_interest_theme=data.get("force_interest_theme"),
            force_interest_topic=data.get("force_interest_topic"),
        )
        return Response(_detail(self._round(pk)))

    @extend_schema(
        summary="Allocate the selected cases evenly to the area's auditors",
        request=None,
        responses={200: AuditRoundDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def allocate(self, request: Request, pk: str | None = None) -> Response:
        audit_round = self._round(pk)
        rounds.round_allocate(audit_round=audit_round, by=request.user)
        return Response(_detail(self._round(pk)))

    @extend_schema(
        summary="Open the round: its auditors see their audits and are told by email",
        request=None,
        responses={200: AuditRoundDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str | None = None) -> Response:
        audit_round = self._round(pk)
        with _emails_may_wait(audit_round):
            rounds.round_open(audit_round=audit_round, by=request.user)
        return Response(_detail(self._round(pk)))

    @extend_schema(
        summary="Close the round; with audits unfinished only when confirmed",
        request=RoundCloseSerializer,
        responses={200: AuditRoundDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        audit_round = self._round(pk)
        data = _valid(RoundCloseSerializer, request.data)
        rounds.round_close(
            audit_round=audit_round,
            by=request.user,
            confirm_unfinished=data["confirm_unfinished"],
        )
        return Response(_detail(self._round(pk)))

    @extend_schema(
        summary="Give one of the round's unsubmitted audits to another of its auditors",
        parameters=[OpenApiParameter("audit_id", int, OpenApiParameter.PATH)],
        request=ReassignSerializer,
        responses={200: AllocationSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"audits/(?P<audit_id>[0-9]{1,18})/reassign",
        url_name="reassign",
    )
    def reassign(self, request: Request, pk: str | None = None, audit_id: str = "") -> Response:
        audit_round = self._round(pk)
        audit = get_object_or_404(Audit, round=audit_round, pk=int(audit_id))
        data = _valid(ReassignSerializer, request.data)
        to = User.objects.filter(pk=data["auditor"], is_active=True).first()
        if to is None:
            raise Refused("That person is not an auditor for this round.")
        with _emails_may_wait(audit_round):
            rounds.audit_reassign(audit=audit, to=to, by=request.user)
        audit = Audit.objects.select_related("auditor").get(pk=audit.pk)
        return Response(AllocationSerializer(audit).data)


@contextmanager
def _emails_may_wait(audit_round: AuditRound) -> Iterator[None]:
    """The change is committed before its emails are queued: a broker outage does not undo it.

    The notifications stay recorded (pending); the change itself is answered as done.
    """
    try:
        yield
    except BrokerUnavailable:
        logger.error("round %s: notification emails could not be queued", audit_round.pk)


# Selection slots -------------------------------------------------------------------------------


class SlotSwapSerializer(serializers.Serializer):
    case = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_ID,
        help_text="The id of an eligible case of the slot's theme and month; omit to draw one.",
    )


class SlotDrawSerializer(serializers.Serializer):
    month = PlausibleMonthApiField(help_text="The month before or after the slot's usual month.")


class SlotLeaveEmptySerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=1000)


@extend_schema_view(
    retrieve=extend_schema(
        summary="One of a round's selection slots",
        responses={200: SelectionSlotSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    ),
)
class SelectionSlotViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SelectionSlotSerializer
    queryset = SelectionSlot.objects.none()

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        _require(request, OVERSIGHT_ROLES, "audit rounds")

    def get_queryset(self) -> QuerySet[SelectionSlot]:
        return SelectionSlot.objects.filter(round__in=rounds_for(self.request.user)).select_related(
            "round", "theme", "case__team"
        )

    def _answer(self, slot: SelectionSlot) -> Response:
        return Response(SelectionSlotSerializer(self.get_queryset().get(pk=slot.pk)).data)

    @extend_schema(
        summary="Swap the slot's case for another eligible one (given, or drawn at random)",
        request=SlotSwapSerializer,
        responses={200: SelectionSlotSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def swap(self, request: Request, pk: str | None = None) -> Response:
        slot = self.get_object()
        data = _valid(SlotSwapSerializer, request.data)
        case = None
        if data["case"] is not None:
            # Only a case of the round's area: another area's case is refused like any other.
            case = Case.objects.filter(pk=data["case"], area_id=slot.round.area_id).first()
            if case is None:
                raise Refused("That case is not eligible: wrong theme, area or month, or used.")
        rounds.slot_swap(slot=slot, by=request.user, case=case)
        return self._answer(slot)

    @extend_schema(
        summary="Fill the slot from the month before or after, when its month had no case",
        request=SlotDrawSerializer,
        responses={200: SelectionSlotSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="draw-from-month")
    def draw_from_month(self, request: Request, pk: str | None = None) -> Response:
        slot = self.get_object()
        data = _valid(SlotDrawSerializer, request.data)
        rounds.slot_draw_from_month(slot=slot, by=request.user, month=data["month"])
        return self._answer(slot)

    @extend_schema(
        summary="Leave the slot empty, saying why",
        request=SlotLeaveEmptySerializer,
        responses={200: SelectionSlotSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="leave-empty")
    def leave_empty(self, request: Request, pk: str | None = None) -> Response:
        slot = self.get_object()
        data = _valid(SlotLeaveEmptySerializer, request.data)
        rounds.slot_leave_empty(slot=slot, by=request.user, reason=data["reason"])
        return self._answer(slot)
