"""Coverage: how many cases of each theme and team were audited over the last twelve months."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit_app.models import Role
from audit_app.permissions import role_required


@role_required(Role.AUDIT_MANAGER)
def coverage(request: HttpRequest) -> HttpResponse:
    return render(request, "rounds/coverage.html", {})
