"""The auditor's pages: their audits, the walk through the question set, the grade, escalations."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit_app.audits import selectors, services
from audit_app.audits.forms import EscalationForm, GradeForm, SectionForm
from audit_app.audits.models import Audit
from audit_app.models import Role
from audit_app.permissions import role_required
from audit_app.urls_safety import safe_return_url

logger = logging.getLogger(__name__)

# Inspectors walk the audits of their own inspection rounds as auditors do.
AUDIT_WALKERS = (Role.AUDITOR, Role.INSPECTOR)


def bad_request(request: HttpRequest, reason: str) -> HttpResponse:
    """A tampered or impossible request: refused with the reason, nothing changed."""
    logger.warning("refused request to %s from user %s: %s", request.path, request.user.pk, reason)
    return TemplateResponse(request, "400.html", {"reason": reason}, status=400)


def _is_tampered(request: HttpRequest, form) -> str | None:
    """Say why a POST could not have come from our form, if it could not."""
    unknown = {key for key in request.POST if key.startswith("q")} - set(form.fields)
    if unknown:
        return "The answers sent do not belong to this section."
    for errors in form.errors.as_data().values():
        if any(error.code == "invalid_choice" for error in errors):
            return "An answer or grade was sent that the form does not offer."
    return None


@role_required(*AUDIT_WALKERS)
def my_audits(request: HttpRequest) -> HttpResponse:
    audits = list(selectors.auditor_audits(request.user))
    return render(request, "audits/my_audits.html", {"audits": audits})


def _walk_context(audit: Audit, user) -> dict:
    """The audit as the reader may see it (`selectors.audit_visibility`)."""
    visibility = selectors.audit_visibility(user, audit)
    walk = selectors.audit_walk(audit, with_answers=visibility.auditor_work)
    return {
        "audit": selectors.hide_unseen_work(audit, visibility),
        "walk": walk,
        "visibility": visibility,
        "can_edit": audit.auditor_id == user.pk and selectors.audit_is_editable(audit),
        "is_auditor": audit.auditor_id == user.pk,
        "returned_by": selectors.latest_return(audit),
    }


@role_required(*AUDIT_WALKERS, Role.AUDIT_MANAGER)
def audit_overview(request: HttpRequest, audit_id: int) -> HttpResponse:
    """The audit's task list: sections, check and grade, and raising a safeguarding concern."""
    audit = selectors.audit_for_reader(request.user, audit_id)
    context = _walk_context(audit, request.user)
    visibility = context["visibility"]
    context["submissions"] = selectors.audit_submissions(audit, visibility)
    context["events"] = selectors.audit_events(audit, visibility)
    context["changes"] = selectors.audit_changes(audit, visibility)
    return render(request, "audits/audit_overview.html", context)


@role_required(*AUDIT_WALKERS)
@require_http_methods(["GET", "POST"])
def audit_section(request: HttpRequest, audit_id: int, section_code: str) -> HttpResponse:
    audit = selectors.audit_for_auditor(request.user, audit_id)
    walk = selectors.audit_walk(audit)
    section = walk.section(section_code)
    if section is None:
        raise Http404("No such section in this audit.")
    if not selectors.audit_is_editable(audit):
        messages.info(request, "This audit can no longer be changed.")
        return redirect("audit_check", audit_id=audit.pk)

    saved_fingerprint = services.section_fingerprint(section.answers.values())
    if request.method == "GET":
        form = SectionForm(
            questions=section.questions,
            initial=SectionForm.initial_from(section.answers, saved_fingerprint),
        )
        return _render_section(request, walk, section, form)

    finishing = request.POST.get("action") != "later"
    form = SectionForm(request.POST, questions=section.questions, require_all=finishing)
    valid = form.is_valid()
    if reason := _is_tampered(request, form):
        return bad_request(request, reason)
    if not valid:
        return _render_section(request, walk, section, form)
    try:
        services.audit_section_save(
            audit=audit,
            by=request.user,
            section_code=section_code,
            answers=form.given_answers(),
            seen_fingerprint=form.cleaned_data["fingerprint"] or None,
        )
    except services.SectionConflict as conflict:
        # Keep the auditor's answers on the page, show what is saved, and let them choose.
        data = request.POST.copy()
        data["fingerprint"] = conflict.fingerprint
        form = SectionForm(data, questions=section.questions, require_all=finishing)
        form.is_valid()
        return _render_section(request, walk, section, form, conflict=conflict, status=409)
    except ValidationError as error:
        return bad_request(request, " ".join(error.messages))

    if not finishing:
        messages.success(
            request, "Your answers have been saved. You can come back to this audit at any time."
        )
        return redirect("audit_overview", audit_id=audit.pk)
    following = walk.next_section(section_code)
    if following is not None:
        return redirect("audit_section", audit_id=audit.pk, section_code=following.section.code)
    return redirect("audit_check", audit_id=audit.pk)


def _render_section(request, walk, section, form, conflict=None, status=200) -> HttpResponse:
    differences = []
    if conflict is not None:
        for question in section.questions:
            saved = conflict.saved.get(question.pk)
            mine = form.cleaned_data.get(f"q{question.pk}") if form.is_bound else None
            my_comment = (form.cleaned_data.get(f"q{question.pk}-comment") or "").strip()
            if saved != ((mine, my_comment) if mine else None):
                differences.append(
                    {"question": question, "saved": saved, "mine": mine, "my_comment": my_comment}
                )
    return render(
        request,
        "audits/section.html",
        {
            "audit": walk.audit,
            "walk": walk,
            "section": section,
            "grading": selectors.walk_grading(walk),
            "form": form,
            "conflict": conflict,
            "differences": differences,
        },
        status=status,
    )


@role_required(*AUDIT_WALKERS, Role.AUDIT_MANAGER)
def audit_check(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Check your answers: every answer with a change link while the audit can be changed."""
    audit = selectors.audit_for_reader(request.user, audit_id)
    return render(request, "audits/check.html", _walk_context(audit, request.user))


@role_required(*AUDIT_WALKERS)
@require_http_methods(["GET", "POST"])
def audit_grade(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = selectors.audit_for_auditor(request.user, audit_id)
    if not selectors.audit_is_editable(audit):
        messages.info(request, "This audit has been submitted and can no longer be changed.")
        return redirect("audit_check", audit_id=audit.pk)
    walk = selectors.audit_walk(audit)
    if not walk.is_complete:
        messages.info(request, "Answer every question before you grade the case.")
        return redirect("audit_overview", audit_id=audit.pk)
    grading = selectors.walk_grading(walk)
    suggested = grading.suggested
    status = 200
    if request.method == "GET":
        form = GradeForm(
            suggested=suggested,
            initial={
                "grade": audit.grade or None,
                "grade_reason": audit.grade_reason,
                "good_practice": audit.good_practice,
                "areas_for_improvement": audit.areas_for_improvement,
                "revision": audit.revision,
            },
        )
    else:
        form = GradeForm(request.POST, suggested=suggested)
        if form.is_valid():
            try:
                services.audit_submit(
                    audit=audit,
                    by=request.user,
                    grade=form.cleaned_data["grade"],
                    grade_reason=form.cleaned_data["grade_reason"],
                    good_practice=form.cleaned_data["good_practice"],
                    areas_for_improvement=form.cleaned_data["areas_for_improvement"],
                    seen_revision=form.cleaned_data["revision"],
                )
            except services.AuditChanged as changed:
                form.add_error(None, changed.message)
                status = 409
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                return redirect("audit_submitted", audit_id=audit.pk)
        if reason := _is_tampered(request, form):
            return bad_request(request, reason)
    return render(
        request,
        "audits/grade.html",
        {"audit": audit, "walk": walk, "form": form, "grading": grading},
        status=status,
    )


@role_required(*AUDIT_WALKERS)
def audit_submitted(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = selectors.audit_for_auditor(request.user, audit_id)
    return render(request, "audits/submitted.html", {"audit": audit})


@role_required(*AUDIT_WALKERS)
@require_http_methods(["GET", "POST"])
def escalation_new(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Raise that a child may still be at risk, from any page of the walk, at any time."""
    audit = selectors.audit_for_auditor(request.user, audit_id)
    form = EscalationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = services.escalation_raise(
                audit=audit, by=request.user, concern=form.cleaned_data["concern"]
            )
        except ValidationError as error:
            form.add_error("concern", error.messages[0])
        else:
            messages.success(
                request,
                "Your safeguarding concern has been sent to the area's moderator and the audit "
                f"manager. They must respond by "
                f"{timezone.localtime(escalation.respond_by):%d %B %Y, %H:%M}.",
            )
            return redirect(_escalation_back(request) or reverse("audit_overview", args=[audit.pk]))
    return render(
        request,
        "audits/escalation_new.html",
        {"audit": audit, "form": form, "back": _escalation_back(request)},
    )


def _escalation_back(request: HttpRequest) -> str:
    """The page the concern was raised from, when it is one of ours; else "" (the overview)."""
    candidate = request.POST.get("back") or request.GET.get("back")
    return safe_return_url(request, candidate, fallback="")
