"""Views of the shell: home page, health check, the registry's people pages."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app
from .typing import AuthenticatedRequest


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    from .models import Profile

    profile = Profile.objects.select_related("person", "unit").filter(user=request.user).first()
    return render(request, "home.html", {"profile": profile})


def _database_status() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


def _broker_status() -> str:
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
