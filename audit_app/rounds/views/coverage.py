"""Coverage: how many cases of each theme and team were audited over the last twelve months."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from audit_app.models import Area, Role
from audit_app.permissions import areas_for, role_required
from audit_app.rounds import coverage as selectors


class AreaFilterForm(forms.Form):
    area = forms.ChoiceField(
        label="Area",
        required=False,
        error_messages={"invalid_choice": "Select one of your areas"},
    )

    def __init__(self, *args, areas: list[Area], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(a.code, a.name) for a in areas]
        if len(areas) > 1:
            choices.insert(0, ("", "All your areas"))
        self.fields["area"].choices = choices


@role_required(Role.AUDIT_MANAGER)
def coverage(request: HttpRequest) -> HttpResponse:
    areas = areas_for(request.user, (Role.AUDIT_MANAGER,)).order_by("name")
    form = AreaFilterForm(request.GET or None, areas=list(areas))
    chosen = areas
    if form.is_valid() and form.cleaned_data["area"]:
        chosen = areas.filter(code=form.cleaned_data["area"])
    result = selectors.coverage(areas=chosen)
    charts = [
        (area, mark_safe(svg))  # noqa: S308 - SVG drawn by matplotlib from escaped labels
        for area, svg in selectors.heat_maps(result)
    ]
    return render(
        request,
        "rounds/coverage.html",
        {"form": form, "coverage": result, "charts": charts},
        status=400 if form.errors else 200,
    )
