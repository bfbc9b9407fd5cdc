"""The detective inspector's pages: the queue, moderating an audit, and consistency."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit_app.audits import grading, selectors, services
from audit_app.audits.forms import (
    BlindGradeForm,
    BlindShareForm,
    ModerationForm,
    ModerationQueueFilter,
    PeriodForm,
    ThemeListChangeForm,
    ThemeQuestionsForm,
)
from audit_app.audits.models import AuditState, FindingTheme, ModerationDecision, ModerationPolicy
from audit_app.audits.views.walk import bad_request
from audit_app.models import Role
from audit_app.months import add_months
from audit_app.permissions import OVERSIGHT_ROLES, areas_for_role, role_required, user_scope


@role_required(Role.MODERATOR)
def queue(request: HttpRequest) -> HttpResponse:
    filters = ModerationQueueFilter(
        request.GET or None, auditors=selectors.auditors_in_moderation_scope(request.user)
    )
    criteria = filters.cleaned_data if filters.is_valid() else {}
    audits = selectors.moderation_queue(
        request.user,
        state=criteria.get("state", ""),
        theme_id=criteria["theme"].pk if criteria.get("theme") else None,
        team_type=criteria.get("team_type", ""),
        auditor_id=criteria["auditor"].pk if criteria.get("auditor") else None,
    )
    return render(
        request,
        "audits/moderation_queue.html",
        {"filters": filters, "rows": selectors.moderation_queue_rows(audits, request.user)},
    )


@role_required(Role.MODERATOR)
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = selectors.audit_for_moderator(request.user, audit_id)
    visibility = selectors.audit_visibility(request.user, audit)
    own_audit = audit.auditor_id == request.user.pk
    deciding = audit.state == AuditState.SUBMITTED and not own_audit
    if not visibility.auditor_work:
        return _blind_grade(request, audit)
    blind = services.current_blind_grade(audit) if audit.is_blind and visibility.blindness else None

    walk = selectors.audit_walk(audit)
    walk_grading = selectors.walk_grading(walk)
    suggestions = selectors.suggested_finding_themes(walk) if deciding else []
    codes = [section.section.code for section in walk.sections]
    form = ModerationForm(
        request.POST or None,
        audit=audit,
        section_codes=codes,
        suggestions=suggestions,
        initial={"revision": audit.revision},
    )
    status = 200
    if request.method == "POST":
        if own_audit:
            raise PermissionDenied("You cannot moderate an audit you wrote.")
        if form.is_valid():
            try:
                moderation = services.moderation_record(
                    audit=audit,
                    moderator=request.user,
                    decision=form.to_input(),
                    seen_revision=form.cleaned_data["revision"],
                )
            except services.AuditChanged as changed:
                form.add_error(None, changed.message)
                status = 409
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                messages.success(request, f"Your decision on case {audit.case.reference} is saved.")
                if form.gives_feedback_next and moderation.decision != ModerationDecision.RETURNED:
                    return redirect(reverse("audit_feedback", args=[audit.pk]))
                return redirect("moderation_queue")
        elif any(
            error.code == "invalid_choice"
            for errors in form.errors.as_data().values()
            for error in errors
        ):
            return bad_request(
                request, "A decision or grade was sent that the form does not offer."
            )
    return render(
        request,
        "audits/moderate.html",
        {
            "audit": selectors.hide_unseen_work(audit, visibility),
            "visibility": visibility,
            "walk": walk,
            "grading": walk_grading,
            "answers": selectors.moderation_answers(walk, walk_grading),
            "failed_labels": grading.failed_answer_labels(),
            "form": form,
            "deciding": deciding,
            "own_audit": own_audit,
            "blind": blind,
            "moderations": selectors.audit_moderations(audit, request.user),
            "events": selectors.audit_events(audit, visibility),
            "changes": selectors.audit_changes(audit, visibility),
        },
        status=status,
    )


def _blind_grade(request: HttpRequest, audit) -> HttpResponse:
    """Before a blind audit's grade and answers are shown, the moderator records their own."""
    form = BlindGradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.blind_grade_record(
                audit=audit,
                moderator=request.user,
                grade=form.cleaned_data["grade"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            return redirect("moderate_audit", audit_id=audit.pk)
    return render(request, "audits/blind_grade.html", {"audit": audit, "form": form})


@role_required(*OVERSIGHT_ROLES)
def consistency(request: HttpRequest) -> HttpResponse:
    this_month = timezone.localdate().replace(day=1)
    form = PeriodForm(request.GET or None)
    start, end = add_months(this_month, -11), this_month
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    rows = selectors.consistency(request.user, start, end)
    return render(
        request,
        "audits/consistency.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "rows": rows,
            "minimum": selectors.MIN_AUDITS_FOR_KAPPA,
        },
    )


def _refuse_unless_force_wide_manager(request: HttpRequest) -> None:
    """Moderation settings hold for the whole force, so only a force-wide audit manager changes
    them."""
    if not user_scope(request.user).force_wide.get(Role.AUDIT_MANAGER):
        raise PermissionDenied("Only the force's audit manager changes moderation settings.")


@role_required(Role.AUDIT_MANAGER)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """The audit manager's moderation settings: the blind share and the list of themes."""
    _refuse_unless_force_wide_manager(request)
    force = areas_for_role(request.user, Role.AUDIT_MANAGER).first().force
    policy = ModerationPolicy.objects.filter(force=force).first()
    current_share = policy.blind_share_percent if policy else services.DEFAULT_BLIND_SHARE_PERCENT
    form = BlindShareForm(
        request.POST if request.POST.get("action") == "share" else None,
        initial={"blind_share_percent": current_share},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "share" and form.is_valid():
            services.moderation_policy_set(
                force_id=force.pk, blind_share_percent=form.cleaned_data["blind_share_percent"]
            )
            messages.success(request, "The blind moderation share has been saved.")
            return redirect("moderation_settings")
        if action in ("promote", "retire"):
            change = ThemeListChangeForm(request.POST)
            if not change.is_valid():
                return bad_request(request, "Choose a theme from the list.")
            theme = change.cleaned_data["theme"]
            if action == "promote":
                services.finding_theme_promote(theme=theme)
                messages.success(request, f"“{theme.name}” is now on the list of themes.")
            else:
                services.finding_theme_retire(theme=theme)
                messages.success(request, f"“{theme.name}” will no longer be offered.")
            return redirect("moderation_settings")
    return render(
        request,
        "audits/moderation_settings.html",
        {
            "form": form,
            "themes": FindingTheme.objects.filter(is_active=True).order_by("is_controlled", "name"),
            "failed_labels": grading.failed_answer_labels(),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.AUDIT_MANAGER)
@require_http_methods(["GET", "POST"])
def theme_questions(request: HttpRequest) -> HttpResponse:
    """Which questions suggest each theme on the list: every theme with its questions, or, with
    `?theme=<id>`, one theme's questions to choose from the current question set."""
    _refuse_unless_force_wide_manager(request)
    try:
        question_set = services.current_question_set()
    except ValidationError as error:
        return bad_request(request, " ".join(error.messages))
    questions = list(question_set.questions.select_related("section").order_by("number"))
    context = {"question_set": question_set, "failed_labels": grading.failed_answer_labels()}
    if request.method == "POST":
        form = ThemeQuestionsForm(request.POST, questions=questions)
        if "theme" in form.errors:
            return bad_request(request, "Choose a theme from the list.")
        if form.is_valid():
            theme = form.cleaned_data["theme"]
            try:
                services.finding_theme_map_set(
                    theme=theme,
                    question_codes=form.cleaned_data["question_codes"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error("question_codes", " ".join(error.messages))
            else:
                messages.success(request, f"The questions suggesting “{theme.name}” are saved.")
                return redirect("moderation_theme_questions")
        theme = selectors.mappable_finding_theme(request.POST.get("theme"))
    elif "theme" in request.GET:
        theme = selectors.mappable_finding_theme(request.GET["theme"])
        form = ThemeQuestionsForm(
            initial={"theme": theme.pk, "question_codes": theme.evidence_question_codes},
            questions=questions,
        )
    else:
        context["rows"] = selectors.finding_theme_map(question_set)
        return render(request, "audits/moderation_theme_questions.html", context)
    context |= {"theme": theme, "form": form}
    return render(
        request,
        "audits/moderation_theme_question_choice.html",
        context,
        status=400 if form.errors else 200,
    )
