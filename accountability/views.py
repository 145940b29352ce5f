"""Views of the shell: home page, health check, notifications."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .celery import app as celery_app
from .typing import AuthenticatedRequest


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    from registry.models import Profile

    from .dashboard import dashboard_cards, grouped

    profile = Profile.objects.select_related("person", "unit").filter(user=request.user).first()
    return render(
        request, "home.html", {"profile": profile, "card_groups": grouped(dashboard_cards(request.user))}
    )


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


@login_required
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    from django.core.paginator import Paginator

    from .models import Notification

    notifications = Notification.objects.filter(recipient=request.user)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404, redirect
    from django.utils import timezone
    from django.utils.http import url_has_allowed_host_and_scheme

    from .models import Notification

    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = (
        notification.url
        if notification.url
        and url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()})
        else "notifications"
    )
    return redirect(target)


@login_required
@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    from django.shortcuts import redirect
    from django.utils import timezone

    from .models import Notification

    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")
