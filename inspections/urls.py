from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.home, name="home"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/dates/", views.assignment_dates, name="assignment_dates"),
    path("assignments/<int:pk>/stage/", views.assignment_stage, name="assignment_stage"),
    path("assignments/<int:pk>/checklist/<slug:step>/", views.checklist_step, name="checklist_step"),
    path("assignments/<int:pk>/findings/", views.finding_list, name="finding_list"),
    path("assignments/<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/edit/", views.finding_edit, name="finding_edit"),
    path("findings/<int:pk>/review/", views.finding_review, name="finding_review"),
    path("findings/<int:pk>/transfer/", views.finding_transfer, name="finding_transfer"),
    path("findings/<int:pk>/rectification/", views.finding_rectification, name="finding_rectification"),
    path(
        "findings/<int:pk>/attachments/<int:attachment_pk>/",
        views.finding_attachment,
        name="finding_attachment",
    ),
    path(
        "findings/<int:pk>/attachments/<int:attachment_pk>/withdraw/",
        views.finding_attachment_withdraw,
        name="finding_attachment_withdraw",
    ),
    path("rectification/", views.item_list, name="item_list"),
    path("rectification/<int:pk>/", views.item_detail, name="item_detail"),
    path("rectification/<int:pk>/report/", views.item_report, name="item_report"),
    path("rectification/<int:pk>/review/", views.item_review, name="item_review"),
    path(
        "rectification/<int:pk>/attachments/<int:attachment_pk>/",
        views.report_attachment,
        name="report_attachment",
    ),
    path(
        "rectification/<int:pk>/attachments/<int:attachment_pk>/withdraw/",
        views.report_attachment_withdraw,
        name="report_attachment_withdraw",
    ),
]
