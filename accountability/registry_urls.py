from django.urls import path

from . import registry_views

app_name = "registry"

urlpatterns = [
    path("people/", registry_views.person_list, name="person_list"),
    path("people/<int:pk>/", registry_views.person_detail, name="person_detail"),
]
