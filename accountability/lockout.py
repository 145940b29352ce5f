"""Sign-in lockout (django-axes): which address a request comes from, when a lock ends, who is locked now.

Axes locks a username *from one address* (AXES_LOCKOUT_PARAMETERS), so that someone guessing a password
locks out their own address and never the real user signing in elsewhere. This module gives axes the
client address (behind a trusted proxy as well), renders the lockout page with the time the lock ends,
and lists the current locks for the administrators' unlock page; unlocking is an action
(`accountability.actions.unlock_sign_in`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies, the address the
    outermost of them saw (counted from the right of X-Forwarded-For, since the left part is whatever
    the client sent)."""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    remote = request.META.get("REMOTE_ADDR") or None
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def cool_off() -> dt.timedelta:
    return get_cool_off() or dt.timedelta(0)


def _window_start() -> dt.datetime:
    return timezone.now() - cool_off()


@dataclass(frozen=True)
class Lockout:
    username: str
    ip_address: str | None
    failures: int
    last_failure: dt.datetime
    account: Any = None  # the User, when the username names one

    @property
    def ends_at(self) -> dt.datetime:
        return self.last_failure + cool_off()


def lock_ends_at(username: str | None, ip_address: str | None) -> dt.datetime:
    """When the lock on this username from this address ends: the last counted failure plus the cool-off
    (failures during the lock are not counted, AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT)."""
    last = (
        AccessAttempt.objects.filter(
            username=username, ip_address=ip_address, attempt_time__gte=_window_start()
        ).aggregate(last=Max("attempt_time"))["last"]
        or timezone.now()
    )
    return last + cool_off()


def current_lockouts(limit: int | None = None) -> list[Lockout]:
    """Every username-and-address pair locked now, the most recent first (one grouped query, plus one
    for the accounts)."""
    threshold = limit if limit is not None else int(settings.AXES_FAILURE_LIMIT)
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=_window_start())
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_failure=Max("attempt_time"))
        .filter(failures__gte=threshold)
        .order_by("-last_failure", "username")
    )
    rows = list(rows)
    users = {
        user.get_username(): user
        for user in get_user_model().objects.filter(username__in={row["username"] for row in rows})
    }
    return [
        Lockout(
            username=row["username"] or "",
            ip_address=row["ip_address"],
            failures=row["failures"],
            last_failure=row["last_failure"],
            account=users.get(row["username"]),
        )
        for row in rows
    ]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The lockout page (AXES_LOCKOUT_CALLABLE): axes' own context plus the moment the lock ends."""
    username = get_client_username(request, credentials) or ""
    ip_address = getattr(request, "axes_ip_address", None) or client_ip_address(request)
    context = {
        "username": username,
        "failure_limit": get_failure_limit(request, credentials),
        "locked_until": lock_ends_at(username, ip_address),
    }
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        context,
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )
