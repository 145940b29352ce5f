"""Where a user's jurisdiction lies, read once per request. Every access module and the statistics ask here.

A login's jurisdiction (管辖范围) is the subtree of its profile's unit (`Profile.unit`): officers and
approvers oversee that subtree, a unit contact works for that unit. `profile_unit(user)` is the unit,
`jurisdiction_path(user)` its materialised path (the subtree is one prefix match). Rules that start from
the profile unit but climb the tree — a petition officer serves the nearest party committee or township
at or above it — use `enclosing_path(user, kinds)`; tasks that need many users at once have the bulk
forms `profile_paths` and `enclosing_paths`.

Why per request, and how. One page asks many times (the cases filter, the petitions filter, the
rectification filter, the statistics roll-up, each app's hook), so the answer is read once and shared.
It is kept in a dict that lives exactly as long as one request (`request_scope`, opened for every
request by `RequestScopeMiddleware`) and is keyed by user id, not stored on the user object: the view's
`request.user` and the same login loaded elsewhere in the request share one read, and nothing survives
into a long-lived user instance (a Celery task's, a management command's, a test's persona) that would
otherwise keep acting on a unit the login no longer has. Outside a request every call reads the database
again: always current, and a task that loops over users loads them anyway. The dict is a context
variable, so threads and asynchronous requests each have their own. Within one request the first read
holds, so that a page shows one consistent answer.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

from .models import OrgUnit, Profile

T = TypeVar("T")

# (what, user or unit id) -> answer, for the request being served; None outside a request.
_request_cache: ContextVar[dict[tuple[Any, int], Any] | None] = ContextVar("jurisdiction_cache", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """Share jurisdiction reads within the block (one request); they are forgotten when it ends."""
    token = _request_cache.set({})
    try:
        yield
    finally:
        _request_cache.reset(token)


class RequestScopeMiddleware:
    """Opens a `request_scope` around every request (settings.MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_scope():
            return self.get_response(request)


def _once_per_request(what: Any, subject: int, read: Callable[[], T]) -> T:
    cache = _request_cache.get()
    if cache is None:
        return read()
    key = (what, subject)
    if key not in cache:
        cache[key] = read()
    answer: T = cache[key]
    return answer


def _user_id(user: Any) -> int | None:
    """The id of a signed-in login; None for an anonymous visitor (who has no jurisdiction)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    user_id: int | None = user.pk
    return user_id


def profile_unit(user: Any) -> OrgUnit | None:
    """The unit of the user's profile (the root of their jurisdiction), or None without one."""
    user_id = _user_id(user)
    if user_id is None:
        return None
    return _once_per_request(
        "unit", user_id, lambda: OrgUnit.objects.filter(profiles__user_id=user_id).first()
    )


def jurisdiction_path(user: Any) -> str | None:
    """The path of the root of the user's jurisdiction: their subtree is `path__startswith` it."""
    unit = profile_unit(user)
    return unit.path if unit is not None else None


def ancestor_ids(path: str) -> list[int]:
    """The ids in a materialised path "/1/7/42/", root first."""
    return [int(part) for part in path.strip("/").split("/") if part]


def _enclosing(units: Collection[OrgUnit], kinds: tuple[str, ...]) -> dict[int, str]:
    """unit id → the path of the nearest unit of one of `kinds` at or above it (its own path when there is
    none), in one query."""
    wanted = {ancestor for unit in units for ancestor in ancestor_ids(unit.path)}
    of_kind = dict(OrgUnit.objects.filter(pk__in=wanted, kind__in=kinds).values_list("pk", "path"))
    result: dict[int, str] = {}
    for unit in units:
        if unit.kind in kinds:
            result[unit.pk] = unit.path
            continue
        found = [of_kind[ancestor] for ancestor in ancestor_ids(unit.path) if ancestor in of_kind]
        result[unit.pk] = found[-1] if found else unit.path
    return result


def enclosing_path(user: Any, kinds: tuple[str, ...]) -> str | None:
    """The path of the nearest unit of one of `kinds` at or above the user's profile unit (the profile
    unit's own path when there is none); None without a profile unit."""
    unit = profile_unit(user)
    if unit is None:
        return None
    return _once_per_request(("enclosing", kinds), unit.pk, lambda: _enclosing([unit], kinds)[unit.pk])


def _profile_units(users: Iterable[Any]) -> dict[int, OrgUnit]:
    """user id → profile unit, for many users in one query (users without a unit are left out)."""
    profiles = Profile.objects.filter(user__in=list(users), unit__isnull=False).select_related("unit")
    return {profile.user_id: profile.unit for profile in profiles if profile.unit is not None}


def profile_paths(users: Iterable[Any]) -> dict[int, str]:
    """user id → `jurisdiction_path`, for many users in one query."""
    return {user_id: unit.path for user_id, unit in _profile_units(users).items()}


def enclosing_paths(users: Iterable[Any], kinds: tuple[str, ...]) -> dict[int, str]:
    """user id → `enclosing_path(user, kinds)`, for many users in two queries."""
    units = _profile_units(users)
    by_unit = _enclosing(list({unit.pk: unit for unit in units.values()}.values()), kinds)
    return {user_id: by_unit[unit.pk] for user_id, unit in units.items()}
