from django.urls import path

from audit_app.reports import key_message_views, views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("generate/", views.report_generate, name="generate"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/generate/", views.report_regenerate, name="regenerate"),
    path("versions/<int:version_id>/download/", views.version_download, name="download"),
    path("versions/<int:version_id>/preview/", views.version_preview, name="preview"),
    path("actions/", views.action_list, name="actions"),
    path("actions/new/", views.action_new, name="action_new"),
    path("actions/<int:action_id>/", views.action_edit, name="action_edit"),
    path("key-messages/", key_message_views.key_messages_list, name="key_messages"),
    path(
        "key-messages/<str:meeting>/<str:month>/",
        key_message_views.key_messages_edit,
        name="key_messages_edit",
    ),
]
