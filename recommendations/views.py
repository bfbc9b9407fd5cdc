"""Recommendation pages: the overview, one recommendation, its action plan and assessments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audit_app.audits.history import changes_to_many
from recommendations import selectors, services
from recommendations.forms import ActionForm, AssessmentForm
from recommendations.models import AssessorKind, RecommendationAction
from recommendations.permissions import recommendation_access


def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "recommendations/overview.html",
        {
            "groups": selectors.overview(request.user),
            "trend_months": selectors.TREND_MONTHS,
        },
    )


def detail(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    page = selectors.recommendation_page(request.user, recommendation_id)
    return render(
        request,
        "recommendations/detail.html",
        {
            "page": page,
            "recommendation": page.recommendation,
            "detail_months": selectors.DETAIL_MONTHS,
            "changes": changes_to_many(
                RecommendationAction.history.filter(recommendation_id=page.recommendation.pk),
                lambda action: f"action: {action.description[:80]}",
            ),
        },
    )


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _plan_url(recommendation_id: int) -> str:
    return reverse("recommendations:detail", args=[recommendation_id]) + "#action-plan"


@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    access = recommendation_access(request.user, recommendation_id)
    access.require_action_writer()
    recommendation = access.recommendation
    form = ActionForm(request.POST or None, recommendation=recommendation)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(
                recommendation=recommendation, by=request.user, data=form.to_input()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The action has been added to the plan.")
            return redirect(_plan_url(recommendation.pk))
    return render(
        request,
        "recommendations/action_form.html",
        {"form": form, "recommendation": recommendation, "action": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, recommendation_id: int, action_id: int) -> HttpResponse:
    access = recommendation_access(request.user, recommendation_id)
    recommendation = access.recommendation
    action = get_object_or_404(
        RecommendationAction.objects.select_related("point"),
        pk=action_id,
        recommendation=recommendation,
    )
    access.require_action_writer()
    form = ActionForm(
        request.POST or None,
        recommendation=recommendation,
        initial=ActionForm.initial_for(action),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                action=action,
                by=request.user,
                data=form.to_input(),
                seen_revision=form.cleaned_data["revision"]
                if form.cleaned_data["revision"] is not None
                else -1,
            )
        except services.ActionChanged as changed:
            # Show what is saved now; sending the form again saves the user's version over it.
            action.refresh_from_db()
            data = request.POST.copy()
            data["revision"] = str(action.revision)
            form = ActionForm(data, recommendation=recommendation)
            form.is_valid()
            form.add_error(None, changed.messages[0])
            status = 409
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The action has been updated.")
            return redirect(_plan_url(recommendation.pk))
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "recommendations/action_form.html",
        {
            "form": form,
            "recommendation": recommendation,
            "action": action,
            "conflict": status == 409,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, recommendation_id: int, kind: str) -> HttpResponse:
    access = recommendation_access(request.user, recommendation_id)
    access.require_assessor(kind)
    recommendation = access.recommendation
    form = AssessmentForm(request.POST or None, initial=AssessmentForm.initial_today())
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_record(
                recommendation=recommendation,
                by=request.user,
                kind=kind,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"The {AssessorKind(kind).label.lower()} has been recorded.")
            return redirect(
                reverse("recommendations:detail", args=[recommendation.pk]) + "#assessments"
            )
    return render(
        request,
        "recommendations/assessment_form.html",
        {
            "form": form,
            "recommendation": recommendation,
            "kind": kind,
            "kind_label": AssessorKind(kind).label,
        },
        status=400 if form.errors else 200,
    )
