from django.contrib import admin
from django.urls import include, path

from audit_app.views import (
    access_log,
    account_admin,
    accounts,
    auditing,
    coverage,
    dashboard,
    escalations,
    feedback,
    home,
    imports,
    moderation,
    rounds,
    tokens,
    two_factor,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("sign-in/", accounts.SignInView.as_view(), name="login"),
    path("sign-out/", accounts.SignOutView.as_view(), name="logout"),
    path("healthz", accounts.healthz, name="healthz"),
    path("account/api-tokens/", tokens.token_list, name="api_tokens"),
    path("account/two-factor/", two_factor.setup, name="two_factor_setup"),
    path("account/two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("account/sign-in-security/", account_admin.sign_in_security, name="sign_in_security"),
    path(
        "account/users/<int:user_id>/two-factor/reset/",
        account_admin.two_factor_reset,
        name="two_factor_reset",
    ),
    path("account/api-tokens/<int:token_id>/revoke/", tokens.token_revoke, name="api_token_revoke"),
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
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("access-log/", access_log.access_log, name="access_log"),
    path("rounds/new/", rounds.round_create, name="round_create"),
    path("rounds/<int:round_id>/", rounds.round_detail, name="round_detail"),
    path("rounds/<int:round_id>/select/", rounds.round_select, name="round_select"),
    path("rounds/<int:round_id>/allocate/", rounds.round_allocate, name="round_allocate"),
    path("rounds/<int:round_id>/open/", rounds.round_open, name="round_open"),
    path("rounds/<int:round_id>/close/", rounds.round_close, name="round_close"),
    path("rounds/<int:round_id>/reported/", rounds.round_reported, name="round_reported"),
    path("rounds/<int:round_id>/slots/<int:slot_id>/", rounds.slot_change, name="slot_change"),
    path(
        "rounds/<int:round_id>/audits/<int:audit_id>/reassign/",
        rounds.audit_reassign,
        name="audit_reassign",
    ),
    path("imports/", imports.import_list, name="imports"),
    path("imports/<int:import_id>/", imports.import_detail, name="import_detail"),
    path("recommendations/", include("recommendations.urls")),
    path("reports/", include("audit_app.reports.urls")),
    path("api/", include("audit_app.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "audit_app.views.errors.bad_request"
handler403 = "audit_app.views.errors.permission_denied"
handler404 = "audit_app.views.errors.page_not_found"
handler500 = "audit_app.views.errors.server_error"
