from django.urls import path

from audit_app.directory import views

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("directory/people/<int:staff_id>/", views.person, name="directory_person"),
    path("directory/imports/", views.import_list, name="directory_imports"),
    path(
        "directory/imports/<int:staff_import_id>/",
        views.import_detail,
        name="directory_import_detail",
    ),
]
