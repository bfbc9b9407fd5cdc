"""Rounds: the list, a round's page, and the audit manager's selection, allocation and lifecycle."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit_app.audits.models import AuditRound, RoundKind, RoundState
from audit_app.audits.selectors import rounds_for
from audit_app.models import Role
from audit_app.months import add_months, current_month
from audit_app.permissions import OVERSIGHT_ROLES, areas_for, role_required
from audit_app.rounds import selectors
from audit_app.rounds import services as rounds
from audit_app.rounds.forms import (
    ReassignForm,
    RoundCloseForm,
    RoundCreateForm,
    SelectionForm,
    SlotChooseForm,
    SlotDrawForm,
    SlotEmptyForm,
)
from audit_app.rounds.models import SelectionSlot

ROUND_RUNNERS = (Role.AUDIT_MANAGER, Role.INSPECTOR)


def posted(request: HttpRequest) -> tuple:
    """The form's data when posted, even when empty (so an empty post is validated)."""
    return (request.POST,) if request.method == "POST" else ()


@role_required(*OVERSIGHT_ROLES)
def round_list(request: HttpRequest) -> HttpResponse:
    visible = rounds_for(request.user).order_by("-month", "area__name")
    return render(
        request,
        "rounds/round_list.html",
        {
            "progress": selectors.round_progress(visible),
            "may_create": areas_for(request.user, ROUND_RUNNERS).exists(),
            "is_manager": areas_for(request.user, (Role.AUDIT_MANAGER,)).exists(),
            "is_inspector": areas_for(request.user, (Role.INSPECTOR,)).exists(),
        },
    )


def _may_run(request: HttpRequest, audit_round: AuditRound) -> bool:
    role = Role.INSPECTOR if audit_round.kind == RoundKind.INSPECTION else Role.AUDIT_MANAGER
    return areas_for(request.user, (role,)).filter(pk=audit_round.area_id).exists()


def _round_to_run(request: HttpRequest, round_id: int) -> AuditRound:
    """The round if the user runs it: 404 out of scope, 403 for a reader who does not run it
    (an inspector and a force's monthly round, or a senior leader)."""
    audit_round = selectors.round_for_user(request.user, round_id)
    if not _may_run(request, audit_round):
        raise PermissionDenied("Only the round's audit manager changes it.")
    return audit_round


def _round_page(
    request: HttpRequest, audit_round: AuditRound, errors: list[str] | None = None, **extra
) -> HttpResponse:
    may_run = _may_run(request, audit_round)
    context = {
        "round": audit_round,
        "audits": selectors.round_audits(audit_round),
        "slots": rounds.slot_summary(audit_round),
        "candidate_month": rounds.candidate_month(audit_round),
        "may_run": may_run,
        "is_draft": audit_round.state == RoundState.DRAFT,
        "readiness": rounds.round_readiness(audit_round) if may_run else [],
        "selection_form": extra.pop("selection_form", None) or SelectionForm(),
        "action_errors": errors or [],
        **extra,
    }
    return render(request, "rounds/round_detail.html", context, status=400 if errors else 200)


@role_required(*OVERSIGHT_ROLES)
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_page(request, selectors.round_for_user(request.user, round_id))


@role_required(*ROUND_RUNNERS)
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    inspection = request.GET.get("kind") == RoundKind.INSPECTION or (
        request.POST.get("kind") == RoundKind.INSPECTION
    )
    role = Role.INSPECTOR if inspection else Role.AUDIT_MANAGER
    areas = areas_for(request.user, (role,))
    if not areas.exists():
        return render(request, "403.html", status=403)
    form = RoundCreateForm(*posted(request), areas=areas, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit_round = rounds.round_create(
                area=data["area"],
                month=data["month"],
                due_date=data["due_date"],
                by=request.user,
                kind=RoundKind.INSPECTION if inspection else RoundKind.MONTHLY,
                cases_per_theme=data.get("cases_per_theme") or 1,
                force_interest_theme=data["force_interest_theme"],
                force_interest_topic=data["force_interest_topic"],
            )
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, f"{audit_round} created. Now select its cases.")
            return redirect("round_detail", round_id=audit_round.pk)
    if not form.is_bound:
        next_month = add_months(current_month(), 1)
        form.initial = {
            "month": f"{next_month:%Y-%m}",
            "due_date": (add_months(next_month, 1)).isoformat(),
        }
    return render(
        request,
        "rounds/round_create.html",
        {"form": form, "inspection": inspection},
        status=400 if form.errors else 200,
    )


def _run(request: HttpRequest, shown: AuditRound, action, success: str, /, **kwargs):
    """Call a round service; on a refusal show the round with the reason, nothing changed."""
    try:
        action(by=request.user, **kwargs)
    except ValidationError as error:
        return _round_page(request, shown, errors=error.messages)
    messages.success(request, success)
    return redirect("round_detail", round_id=shown.pk)


@role_required(*ROUND_RUNNERS)
@require_POST
def round_select(request: HttpRequest, round_id: int) -> HttpResponse:
    audit_round = selectors.round_for_user(request.user, round_id)
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return _round_page(
            request,
            audit_round,
            errors=[e for errors in form.errors.values() for e in errors],
            selection_form=form,
        )
    return _run(
        request,
        audit_round,
        rounds.round_select,
        "Cases selected.",
        audit_round=audit_round,
        seed=form.cleaned_data["seed"],
    )


@role_required(*ROUND_RUNNERS)
@require_POST
def round_allocate(request: HttpRequest, round_id: int) -> HttpResponse:
    audit_round = selectors.round_for_user(request.user, round_id)
    return _run(
        request, audit_round, rounds.round_allocate, "Cases allocated.", audit_round=audit_round
    )


@role_required(*ROUND_RUNNERS)
@require_POST
def round_open(request: HttpRequest, round_id: int) -> HttpResponse:
    audit_round = selectors.round_for_user(request.user, round_id)
    return _run(
        request,
        audit_round,
        rounds.round_open,
        "The round is open and each auditor has been emailed.",
        audit_round=audit_round,
    )


@role_required(*ROUND_RUNNERS)
@require_POST
def round_reported(request: HttpRequest, round_id: int) -> HttpResponse:
    audit_round = selectors.round_for_user(request.user, round_id)
    return _run(
        request,
        audit_round,
        rounds.round_mark_reported,
        "The round is marked as reported.",
        audit_round=audit_round,
    )


@role_required(*ROUND_RUNNERS)
@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, round_id: int) -> HttpResponse:
    audit_round = _round_to_run(request, round_id)
    unfinished = rounds.unfinished_audits(audit_round).select_related("case", "auditor")
    form = RoundCloseForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            rounds.round_close(
                audit_round=audit_round,
                by=request.user,
                confirm_unfinished=form.cleaned_data["confirm_unfinished"],
            )
        except ValidationError as error:
            form.add_error("confirm_unfinished", " ".join(error.messages))
        else:
            messages.success(request, f"{audit_round} is closed.")
            return redirect("round_detail", round_id=audit_round.pk)
    return render(
        request,
        "rounds/round_close.html",
        {"round": audit_round, "unfinished": unfinished, "form": form},
        status=400 if form.errors else 200,
    )


def _slot_for_user(request: HttpRequest, round_id: int, slot_id: int) -> SelectionSlot:
    audit_round = _round_to_run(request, round_id)
    return get_object_or_404(
        SelectionSlot.objects.select_related("round__area", "theme", "case__team"),
        pk=slot_id,
        round=audit_round,
    )


@role_required(*ROUND_RUNNERS)
@require_http_methods(["GET", "POST"])
def slot_change(request: HttpRequest, round_id: int, slot_id: int) -> HttpResponse:
    """Swap a slot's case, draw it from a neighbouring month, or leave it empty with a reason."""
    slot = _slot_for_user(request, round_id, slot_id)
    usual = rounds.candidate_month(slot.round)
    eligible = (
        rounds.eligible_cases(slot.round.area_id, slot.theme_id, slot.source_month)
        .select_related("team")
        .order_by("occurred_on", "pk")[:50]
    )
    action = request.POST.get("action", "")
    data = request.POST if request.method == "POST" else None
    forms = {
        "choose": SlotChooseForm(data if action == "choose" else None, cases=eligible),
        "draw": SlotDrawForm(
            data if action == "draw" else None, months=[add_months(usual, -1), add_months(usual, 1)]
        ),
        "empty": SlotEmptyForm(data if action == "empty" else None),
    }
    action_errors: list[str] = []
    if request.method == "POST":
        form = forms.get(action)
        if action != "random" and form is None:
            return HttpResponse("Unknown action.", status=400)
        try:
            if action == "random":
                rounds.slot_swap(slot=slot, by=request.user)
            elif not form.is_valid():
                raise ValidationError([])
            elif action == "choose":
                rounds.slot_swap(slot=slot, by=request.user, case=form.cleaned_data["case"])
            elif action == "draw":
                rounds.slot_draw_from_month(
                    slot=slot, by=request.user, month=form.cleaned_data["month"]
                )
            else:
                rounds.slot_leave_empty(
                    slot=slot, by=request.user, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            if form is not None and form.is_bound and error.messages:
                form.add_error(None, " ".join(error.messages))
            action_errors = error.messages if form is None else []
        else:
            messages.success(request, f"Slot {slot.position} ({slot.theme.code}) changed.")
            return redirect("round_detail", round_id=slot.round_id)
    has_errors = bool(action_errors) or any(f.errors for f in forms.values())
    return render(
        request,
        "rounds/slot_change.html",
        {
            "slot": slot,
            "round": slot.round,
            "forms": forms,
            "eligible": eligible,
            "usual_month_label": f"{usual:%B %Y}.",
            "is_draft": slot.round.state == RoundState.DRAFT,
            "form": next((f for f in forms.values() if f.errors), None),
            "action_errors": action_errors,
        },
        status=400 if has_errors else 200,
    )


@role_required(*ROUND_RUNNERS)
@require_http_methods(["GET", "POST"])
def audit_reassign(request: HttpRequest, round_id: int, audit_id: int) -> HttpResponse:
    audit_round = _round_to_run(request, round_id)
    audit = get_object_or_404(
        audit_round.audits.select_related("case__theme", "auditor"), pk=audit_id
    )
    form = ReassignForm(
        *posted(request),
        auditors=rounds.round_auditors(audit_round),
        initial={"auditor": audit.auditor_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            rounds.audit_reassign(audit=audit, to=form.cleaned_data["auditor"], by=request.user)
        except ValidationError as error:
            form.add_error("auditor", " ".join(error.messages))
        else:
            messages.success(request, f"Case {audit.case.reference} reassigned.")
            return redirect("round_detail", round_id=audit_round.pk)
    return render(
        request,
        "rounds/reassign.html",
        {"round": audit_round, "audit": audit, "form": form},
        status=400 if form.errors else 200,
    )
