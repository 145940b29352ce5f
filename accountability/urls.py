"""The project's URLs. Uploaded files have no URL of their own: MEDIA_ROOT is never served directly, in
any settings module; each file is reached through its object's download view (accountability/files.py)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from registry.admin import moved_admin_page

from . import statistics_views, views
from .forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accountability.account_urls")),
    path("statistics/", statistics_views.statistics_page, name="statistics"),
    path("statistics/annual/", statistics_views.annual_report, name="annual_report"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("registry.urls")),
    path("cases/", include("cases.urls")),
    path("inspections/", include("inspections.urls")),
    path("petitions/", include("petitions.urls")),
    # The registry's admin pages before it had an app of its own (issue 11).
    path("admin/accountability/", moved_admin_page),
    path("admin/accountability/<str:model>/", moved_admin_page),
    path("admin/accountability/<str:model>/<path:rest>", moved_admin_page),
    path("admin/", admin.site.urls),
]
