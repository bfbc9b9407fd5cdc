from django.urls import path

from audit_app.audits.views import escalations, moderation, walk

urlpatterns = [
    path("my-audits/", walk.my_audits, name="my_audits"),
    path("audits/<int:audit_id>/", walk.audit_overview, name="audit_overview"),
    path(
        "audits/<int:audit_id>/sections/<str:section_code>/",
        walk.audit_section,
        name="audit_section",
    ),
    path("audits/<int:audit_id>/check/", walk.audit_check, name="audit_check"),
    path("audits/<int:audit_id>/grade/", walk.audit_grade, name="audit_grade"),
    path("audits/<int:audit_id>/submitted/", walk.audit_submitted, name="audit_submitted"),
    path("audits/<int:audit_id>/escalate/", walk.escalation_new, name="escalation_new"),
    path(
        "escalations/<int:escalation_id>/",
        escalations.escalation_detail,
        name="escalation_detail",
    ),
    path("moderation/", moderation.queue, name="moderation_queue"),
    path("moderation/audits/<int:audit_id>/", moderation.moderate, name="moderate_audit"),
    path("moderation/consistency/", moderation.consistency, name="consistency"),
    path("moderation/settings/", moderation.settings_page, name="moderation_settings"),
    path(
        "moderation/settings/theme-questions/",
        moderation.theme_questions,
        name="moderation_theme_questions",
    ),
]
