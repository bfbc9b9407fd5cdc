from django.contrib import admin
from django.urls import include, path

from audit_app.views import (
    accounts,
    auditing,
    coverage,
    escalations,
    feedback,
    home,
    moderation,
    rounds,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("sign-in/", accounts.SignInView.as_view(), name="login"),
    path("sign-out/", accounts.SignOutView.as_view(), name="logout"),
    path("healthz", accounts.healthz, name="healthz"),
    path("my-audits/", auditing.my_audits, name="my_audits"),
    path("audits/<int:audit_id>/", auditing.audit_overview, name="audit_overview"),
    path(
        "audits/<int:audit_id>/sections/<str:section_code>/",
        auditing.audit_section,
        name="audit_section",
    ),
    path("audits/<int:audit_id>/check/", auditing.audit_check, name="audit_check"),
    path("audits/<int:audit_id>/grade/", auditing.audit_grade, name="audit_grade"),
    path("audits/<int:audit_id>/submitted/", auditing.audit_submitted, name="audit_submitted"),
    path("audits/<int:audit_id>/escalate/", auditing.escalation_new, name="escalation_new"),
    path(
        "escalations/<int:escalation_id>/",
        escalations.escalation_detail,
        name="escalation_detail",
    ),
    path("moderation/", moderation.queue, name="moderation_queue"),
    path("moderation/audits/<int:audit_id>/", moderation.moderate, name="moderate_audit"),
    path("moderation/audits/<int:audit_id>/feedback/", feedback.feedback, name="audit_feedback"),
    path(
        "moderation/audits/<int:audit_id>/feedback/sheet/",
        feedback.feedback_sheet,
        name="audit_feedback_sheet",
    ),
    path("moderation/consistency/", moderation.consistency, name="consistency"),
    path("moderation/settings/", moderation.settings_page, name="moderation_settings"),
    path("rounds/", rounds.round_list, name="rounds"),
    path("coverage/", coverage.coverage, name="coverage"),
    path("rounds/<int:round_id>/", rounds.round_detail, name="round_detail"),
    path("recommendations/", include("recommendations.urls")),
    path("reports/", include("audit_app.reports.urls")),
    path("api/", include("audit_app.api.urls")),
    path("admin/", admin.site.urls),
]
