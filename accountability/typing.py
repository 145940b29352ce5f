"""Types shared by views."""

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedRequest(HttpRequest):
    """A request behind login_required: `user` is a real account, never AnonymousUser."""

    user: User
