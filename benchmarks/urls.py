from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from audit_app.urls import urlpatterns as app_urlpatterns


@login_not_required
def bare(request):
    """The cheapest Django response: the baseline every page is compared with."""
    return HttpResponse("ok", content_type="text/plain")


def signed_in(request):
    """The same, behind sign-in: adds the session and user lookups every app page pays."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/signed-in/", signed_in),
    *app_urlpatterns,
]
