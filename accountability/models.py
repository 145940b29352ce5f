"""The shell's own records: the access log of grants (AccessChange), document numbers, in-app
notifications and the one-time keys of create forms. The registry's models (units, people, profiles,
regulations, deadline rules, the work calendar, import batches) are in `registry.models`."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessGround(models.TextChoices):
    """Why a user holds access to a record: what the record says about them."""

    LEAD_OFFICER = "lead_officer", _("lead officer")
    CREATOR = "creator", _("registered the clue")
    NAMED = "named", _("named on the case")
    INVESTIGATOR = "investigator", _("investigation team member")
    TEAM_LEADER = "team_leader", _("inspection team leader")
    TEAM_MEMBER = "team_member", _("inspection team member")
    HANDLER = "handler", _("petition handler")


class AccessCause(models.TextChoices):
    """The change to the record that gave or took the access."""

    CASE_CREATED = "case_created", _("clue registered")
    CASE_EDITED = "case_edited", _("case edited")
    TEAM_RECORDED = "team_recorded", _("investigation team recorded")
    INSPECTION_TEAM_SAVED = "inspection_team_saved", _("inspection team changed")
    PETITION_REGISTERED = "petition_registered", _("petition registered")
    HANDLERS_ASSIGNED = "handlers_assigned", _("handlers assigned")
    HANDLER_REMOVED = "handler_removed", _("handler removed")


class AccessChange(models.Model):
    """The audit row of one grant or revocation: who gained or lost which access to which record, because
    of which change, made by whom and when. Written by `accountability/grants.py` in the transaction of the
    change itself; never edited or deleted."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    granted = models.BooleanField(_("granted"), help_text=_("False: the access was revoked."))
    permissions = models.CharField(_("permissions"), max_length=200)
    grounds = models.CharField(
        _("grounds"), max_length=200, blank=True, help_text=_("Why the access is held (grants only).")
    )
    cause = models.CharField(_("cause"), max_length=32, choices=AccessCause.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system acted."),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("access change")
        verbose_name_plural = _("access changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="access_change_record_idx")]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.user_id} {'+' if self.granted else '-'}"


class DocumentSequence(models.Model):
    """The last number issued per document kind and year: numbers are gap-free and never reused."""

    kind = models.CharField(_("document kind"), max_length=32)
    year = models.PositiveSmallIntegerField(_("year"))
    last_value = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("document number sequence")
        verbose_name_plural = _("document number sequences")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="document_sequence_unique_kind_year")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_value}"


class Notification(models.Model):
    """An in-app message to one user about something they must act on or know; e-mailed as well."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class SubmissionKey(models.Model):
    """A create form that was sent: the one-time key its page carried, who sent it, what it created.

    The unique (user, key) pair is claimed in the transaction that creates the record, so the same page
    sent twice (a double click, a resend after a timeout, two tabs) creates one record; the second
    submission is shown the first one's. See `accountability/submissions.py`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.UUIDField(_("submission key"))
    kind = models.CharField(_("form"), max_length=64)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="submission_key_once_per_user")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
