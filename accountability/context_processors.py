from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from . import navigation as nav
from . import roles


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None) or AnonymousUser()
    context: dict[str, object] = {
        "nav_items": nav.items_for(user, request.path),
        "user_role_labels": roles.role_labels(roles.role_names(user)),
    }
    if user.is_authenticated:
        from .models import Notification

        unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        context["unread_notifications"] = unread.count()
    return context
