from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit_app import selectors
from audit_app.models import Role
from audit_app.permissions import role_required


@role_required(Role.AUDITOR)
def my_audits(request: HttpRequest) -> HttpResponse:
    audits = list(selectors.auditor_audits(request.user))
    return render(
        request,
        "auditing/my_audits.html",
        {"audits": audits, "today": timezone.localdate()},
    )
