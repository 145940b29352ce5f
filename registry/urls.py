from django.urls import path

from . import import_views, views

app_name = "registry"

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/upload/", import_views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/discard/", import_views.import_discard, name="import_discard"),
    path("imports/<int:pk>/rollback/", import_views.import_rollback, name="import_rollback"),
    path("imports/<int:pk>/bad-rows.xlsx", import_views.import_bad_rows, name="import_bad_rows"),
    path("imports/template/<str:kind>.xlsx", import_views.import_template, name="import_template"),
    path("export/people.xlsx", import_views.export_people, name="export_people"),
    path("export/units.xlsx", import_views.export_units, name="export_units"),
]
