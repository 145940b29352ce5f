"""Response hardening that every page shares: the Content-Security-Policy, no caching of signed-in pages,
and one quiet log line per refused request.

- CSP: django-csp builds the header from CONTENT_SECURITY_POLICY (settings/base.py); every script is a
  vendored static file, so scripts run only from our own origin or with the per-request nonce
  (`request.csp_nonce`). The Django admin's and its add-ons' own templates carry a few inline `style`
  attributes and blocks that we cannot give a nonce, so the admin alone may use inline styles; its
  scripts are as strictly held as everywhere else.
- no-store: every response to a signed-in user holds case or personal data (pages, exports,
  attachments), so browsers and proxies must not keep it, unless the view chose its own cache policy.
  Static files never get here (WhiteNoise answers them first) and keep their long caching.
- A 403 is an expected refusal, not a fault: Django's request logger would write its whole traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.cache import add_never_cache_headers


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with inline styles allowed on the Django admin's pages only."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(reverse("admin:index")):
            # A nonce in style-src would make browsers ignore 'unsafe-inline', so the admin has none.
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
            parts.nonce = None
        return parts


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` (Django's never_cache headers) on every response to a signed-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


def _escaped(value: str) -> str:
    # As Django's own log_response does: a path cannot break the line or forge another entry.
    return value.encode("unicode_escape").decode("ascii")


class OneLineForbidden(logging.Filter):
    """On `django.request`: a 403 becomes one line — method, path, user id — without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403:
            return True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else "anonymous"
        record.msg = "Forbidden: %s %s (user %s)"
        record.args = (
            getattr(request, "method", "-") or "-",
            _escaped(getattr(request, "path", "-")),
            user_id,
        )
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True
