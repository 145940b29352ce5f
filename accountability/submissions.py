"""One submit, one record: the idempotency key of every create form.

A create page carries a one-time key (a random UUID in a hidden input, `OnceForm`). The view runs the
app's create action through `submit_once`, which claims the (user, key) pair in `SubmissionKey` in the
same transaction as the action: a second submission of the same page, even one racing the first,
waits on the unique index until the first commits, then finds the key taken and is shown the record
the first one created (`already_sent`). If the first one was refused (bad input), its claim was rolled
back with it, so the corrected page can be sent again with the same key. A form sent without a key
(an older page, a script) is simply not protected.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from .models import SubmissionKey

T = TypeVar("T")


class OnceForm(forms.Form):
    """A create form: it carries a fresh one-time key each time the page is shown."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)


@dataclass
class Submitted(Generic[T]):
    """What `submit_once` did: created `record` now, or found that `first_url` already holds it."""

    record: T | None = None
    first_url: str = ""

    @property
    def repeated(self) -> bool:
        return self.record is None


def submit_once(
    user: User, key: uuid.UUID | None, kind: str, create: Callable[[], T], url_of: Callable[[T], str]
) -> Submitted[T]:
    """Run `create()` unless this user already sent this key; the claim commits or rolls back with it."""
    if key is None:
        return Submitted(record=create())
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = SubmissionKey.objects.create(user=user, key=key, kind=kind)
        except IntegrityError:
            first = SubmissionKey.objects.filter(user=user, key=key).values_list("url", flat=True).first()
            return Submitted(first_url=first or "/")
        record = create()
        claim.url = url_of(record)[:300]
        claim.save(update_fields=["url"])
        return Submitted(record=record)


def already_sent(request: HttpRequest, url: str) -> HttpResponse:
    """The answer to a page sent twice: nothing new, here is what the first submission created."""
    messages.info(request, _("This form had already been sent: nothing new was created. Here is the record."))
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
