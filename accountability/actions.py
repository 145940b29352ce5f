"""Writes to the shared registry's accounts that pages call: atomic, checked against the account rule,
and recorded in the administration's change log (LogEntry), next to the account edits made in the
admin, so that an account's history page shows every change to it in one place."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from . import accounts


@transaction.atomic
def unlock_sign_in(*, actor: User, username: str, ip_address: str | None) -> int:
    """Lift the sign-in lock on `username` from `ip_address` (its counted failures are deleted).

    Refused when the username names an account the actor may not manage: unlocking a superuser or
    another administrator again and again would let an administrator guess their password. Returns the
    number of attempt records removed (0 when the lock had already ended).
    """
    account = get_user_model().objects.filter(username=username).first()
    if account is not None and not accounts.can_manage_account(actor, account):
        raise accounts.AccountPermissionError(
            _("Only a superuser can unlock the sign-in of this account.")
            if accounts.can_manage_accounts(actor)
            else _("You may not unlock sign-ins.")
        )
    if account is None and not accounts.can_manage_accounts(actor):
        raise accounts.AccountPermissionError(_("You may not unlock sign-ins."))
    removed, _details = AccessAttempt.objects.filter(username=username, ip_address=ip_address).delete()
    # Stored in the site's language, whatever the actor's: the change log keeps one text for every reader.
    with translation.override(settings.LANGUAGE_CODE):
        message = _("Sign-in lock lifted for “%(username)s” from address %(address)s.") % {
            "username": username,
            "address": ip_address or "—",
        }
    LogEntry.objects.create(
        user_id=actor.pk,
        content_type=ContentType.objects.get_for_model(get_user_model()) if account else None,
        object_id=str(account.pk) if account else None,
        object_repr=username[:200],
        action_flag=CHANGE,
        change_message=message,
    )
    return removed
