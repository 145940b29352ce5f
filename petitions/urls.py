from django.urls import path

from . import views

app_name = "petitions"

urlpatterns = [
    path("", views.petition_list, name="list"),
    path("export/", views.petition_export, name="export"),
    path("new/", views.petition_create, name="create"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/act/<slug:name>/", views.petition_act, name="act"),
    path("<int:pk>/correct/", views.petition_correct, name="correct"),
    path("<int:pk>/handlers/", views.petition_handlers, name="handlers"),
    path("<int:pk>/handlers/<int:user_pk>/remove/", views.petition_handler_remove, name="handler_remove"),
    path("<int:pk>/extension/", views.extension_request, name="extension"),
    path("<int:pk>/extension/<int:extension_pk>/", views.extension_decide, name="extension_decide"),
    path("<int:pk>/responsibility/", views.responsibility_add, name="responsibility_add"),
    path(
        "<int:pk>/responsibility/<int:responsibility_pk>/withdraw/",
        views.responsibility_withdraw,
        name="responsibility_withdraw",
    ),
    path("<int:pk>/refer/", views.failure_refer, name="refer"),
    path("supervision/", views.supervision_board, name="supervision"),
    path("supervision/export/", views.supervision_export, name="supervision_export"),
    path("supervision/<int:plan_pk>/record/", views.supervision_record, name="supervision_record"),
    path("assessment/", views.assessment_table, name="assessment"),
    path("assessment/export/", views.assessment_export, name="assessment_export"),
    path("assessment/<int:unit_pk>/<int:year>/", views.assessment_grade, name="assessment_grade"),
]
