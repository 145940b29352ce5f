"""Types shared by views."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthenticatedRequest(HttpRequest):
    """A request behind login_required: `user` is a real account, never AnonymousUser."""

    user: User
    htmx: HtmxDetails
