"""The project's URLs: each app's pages (their names are global, as every template and test uses
them), the reports and recommendations under their namespaces, the API and the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("audit_app.analytics.urls")),
    path("", include("audit_app.accounts.urls")),
    path("", include("audit_app.audits.urls")),
    path("", include("audit_app.rounds.urls")),
    path("", include("audit_app.feedback.urls")),
    path("", include("audit_app.access_log.urls")),
    path("", include("audit_app.directory.urls")),
    path("recommendations/", include("recommendations.urls")),
    path("reports/", include("audit_app.reports.urls")),
    path("api/", include("audit_app.urls_api")),
    path("admin/", admin.site.urls),
]

handler400 = "audit_app.error_pages.bad_request"
handler403 = "audit_app.error_pages.permission_denied"
handler404 = "audit_app.error_pages.page_not_found"
handler500 = "audit_app.error_pages.server_error"
