"""Account pages beyond signing in and out (which keep their stock names `login` and `logout`)."""

from django.urls import path

from . import account_views

app_name = "accounts"

urlpatterns = [
    path("lockouts/", account_views.lockout_list, name="lockout_list"),
    path("lockouts/unlock/", account_views.lockout_unlock, name="lockout_unlock"),
]
