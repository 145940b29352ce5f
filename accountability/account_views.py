"""The administrators' page of current sign-in lockouts, with an unlock button per lock.

Thin: the reads come from `lockout`, the unlock from `actions.unlock_sign_in`, which applies the account
rule and writes the audit row.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from . import accounts, actions, lockout, roles
from .typing import AuthenticatedRequest


class UnlockForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=255)
    ip_address = forms.GenericIPAddressField(label=gettext_lazy("Sign-in address"), required=False)


@roles.admin_only
@require_GET
def lockout_list(request: AuthenticatedRequest) -> HttpResponse:
    locks = lockout.current_lockouts()
    manageable = accounts.manageable_ids(request.user, [lock.account for lock in locks if lock.account])
    rows = [
        {"lock": lock, "can_unlock": lock.account is None or lock.account.pk in manageable} for lock in locks
    ]
    return render(request, "accounts/lockout_list.html", {"rows": rows})


@roles.admin_only
@require_POST
def lockout_unlock(request: AuthenticatedRequest) -> HttpResponse:
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The lock to lift was not recognised; nothing was changed."))
        return redirect("accounts:lockout_list")
    username, address = form.cleaned_data["username"], form.cleaned_data["ip_address"] or None
    try:
        removed = actions.unlock_sign_in(actor=request.user, username=username, ip_address=address)
    except accounts.AccountPermissionError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("accounts:lockout_list")
    if removed:
        messages.success(
            request,
            _("“%(username)s” can sign in again from %(address)s.")
            % {"username": username, "address": address or "—"},
        )
    else:
        messages.info(request, _("That lock had already ended."))
    return redirect("accounts:lockout_list")
