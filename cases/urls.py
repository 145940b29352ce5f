from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export/", views.case_export, name="export"),
    path("new/", views.case_create, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/targets/add/", views.target_add, name="target_add"),
    path("<int:pk>/targets/<int:target_pk>/remove/", views.target_remove, name="target_remove"),
    path("<int:pk>/targets/<int:target_pk>/findings/", views.target_findings, name="target_findings"),
    path("<int:pk>/investigation/", views.investigation, name="investigation"),
    path("<int:pk>/act/<slug:name>/", views.case_act, name="act"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/withdraw/",
        views.attachment_withdraw,
        name="attachment_withdraw",
    ),
    path("<int:pk>/decision-document/", views.decision_document, name="decision_document"),
    path("people/<int:person_pk>/integrity/", views.person_integrity, name="integrity"),
]
