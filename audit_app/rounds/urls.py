from django.urls import path

from audit_app.rounds.views import coverage, imports, rounds

urlpatterns = [
    path("rounds/", rounds.round_list, name="rounds"),
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
    path("coverage/", coverage.coverage, name="coverage"),
]
