from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit_app import selectors
from audit_app.permissions import ROUND_READERS, role_required, rounds_for


@role_required(*ROUND_READERS)
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = rounds_for(request.user).order_by("-month", "area__name")
    return render(request, "rounds/round_list.html", {"progress": selectors.round_progress(rounds)})


@role_required(*ROUND_READERS)
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    audit_round = selectors.round_for_user(request.user, round_id)
    return render(
        request,
        "rounds/round_detail.html",
        {"round": audit_round, "audits": selectors.round_audits(audit_round)},
    )
