"""Pages for the key messages of a PVP meeting: the list (every report reader: the chairs read the
drafts before the meeting) and the page to write them (the area's moderator, audit managers)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from audit_app.months import parse_month
from audit_app.permissions import role_required
from audit_app.reports import key_messages, selectors, services
from audit_app.reports.forms import month_choices
from audit_app.reports.models import KEY_MESSAGES_MAX_LENGTH

TOO_LONG = f"Key messages must be {KEY_MESSAGES_MAX_LENGTH} characters or fewer"


class KeyMessagesForm(forms.Form):
    text = forms.CharField(
        label="Key messages for managers",
        help_text=(
            "The main messages from this month's audits, for the meeting to pass on to managers. "
            "Name cases by reference and team only: never a child's details."
        ),
        max_length=KEY_MESSAGES_MAX_LENGTH,
        error_messages={"required": "Enter the key messages", "max_length": TOO_LONG},
    )


class ChooseMeetingForm(forms.Form):
    meeting = forms.ChoiceField(label="Meeting")
    month = forms.ChoiceField(label="Month")


def _month_or_404(value: str) -> datetime.date:
    month = parse_month(value)
    if month is None or services.report_month_problem(month) is not None:
        raise Http404("No such month.")
    return month


@role_required(*selectors.REPORT_READERS)
@require_GET
def key_messages_list(request: HttpRequest) -> HttpResponse:
    meetings = key_messages.key_message_meetings(request.user)
    chooser = None
    if meetings:
        chooser = ChooseMeetingForm(request.GET or None)
        chooser.fields["meeting"].choices = [(m.key, m.label) for m in meetings]
        chooser.fields["month"].choices = month_choices()
        if chooser.is_bound and chooser.is_valid():
            return redirect(
                "reports:key_messages_edit",
                meeting=chooser.cleaned_data["meeting"],
                month=chooser.cleaned_data["month"],
            )
    may_write = {m.key for m in meetings}
    written = list(key_messages.key_messages_readable(request.user, selectors.REPORT_READERS))
    for item in written:
        key = f"area-{item.area_id}" if item.area_id else f"force-{item.force_id}"
        item.edit_url = (
            reverse("reports:key_messages_edit", args=[key, f"{item.month:%Y-%m}"])
            if key in may_write
            else ""
        )
    return render(
        request, "reports/key_messages_list.html", {"chooser": chooser, "written": written}
    )


@role_required(*key_messages.KEY_MESSAGE_WRITERS)
@require_http_methods(["GET", "POST"])
def key_messages_edit(request: HttpRequest, meeting: str, month: str) -> HttpResponse:
    chosen = key_messages.key_message_meeting_for(request.user, meeting)
    month_day = _month_or_404(month)
    current = key_messages.key_messages_get(force=chosen.force, area=chosen.area, month=month_day)
    initial = {"text": current.text} if current else None
    form = KeyMessagesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            key_messages.key_messages_save(
                force=chosen.force,
                area=chosen.area,
                month=month_day,
                text=form.cleaned_data["text"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(request, "The key messages have been saved.")
            return redirect("reports:key_messages_edit", meeting=meeting, month=month)
    return render(
        request,
        "reports/key_messages_form.html",
        {
            "form": form,
            "meeting": chosen,
            "month": month_day,
            "current": current,
            "history": key_messages.key_messages_history(current),
        },
        status=400 if form.errors else 200,
    )
