"""The shared registry: units, people and the profiles of logins, regulations and clauses, deadline rules,
the work calendar, and the import batches that fill units and people.

Every app reads these (a case's unit, a petition's responsible unit, a clause cited); the registry app
writes them (`registry.services`, the admin, `registry.reference`). The tables were created under the
`accountability` app and moved here by migration (issue 11) without losing a row.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import birth_date_from_id, normalise_id_number, validate_id_number


class OrgUnit(models.Model):
    """A unit or party organisation (单位/党组织) in a tree. `code` is the natural key for imports."""

    class Kind(models.TextChoices):
        PARTY_COMMITTEE = "party_committee", _("Party committee")
        PARTY_GROUP = "party_group", _("Party group")
        PARTY_BRANCH = "party_branch", _("Party general branch / branch")
        DISCIPLINE = "discipline", _("Discipline inspection commission (group)")
        GOVERNMENT_DEPT = "government_dept", _("Government department")
        TOWNSHIP = "township", _("Township")
        VILLAGE = "village", _("Village (community)")
        STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
        OTHER = "other", _("Other")

    code = models.CharField(
        _("unit code"),
        max_length=32,
        unique=True,
        error_messages={"unique": _("A unit with this code already exists.")},
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ancestor ids, "/1/7/42/": subtree filters are one indexed prefix match.
    # Maintained by registry.services.units, never by hand.
    path = models.CharField(_("tree path"), max_length=512, blank=True, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path", "code"]
        indexes = [
            models.Index(fields=["path"], name="orgunit_path_like", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A unit cannot be its own parent.")})
        if self.pk is not None:
            # Walk up from the proposed parent: meeting this unit means a cycle.
            seen: set[int] = set()
            ancestor_id: int | None = self.parent_id
            while ancestor_id is not None and ancestor_id not in seen:
                if ancestor_id == self.pk:
                    raise ValidationError(
                        {"parent": _("A unit cannot be placed under itself or one of its own sub-units.")}
                    )
                seen.add(ancestor_id)
                ancestor_id = (
                    OrgUnit.objects.filter(pk=ancestor_id).values_list("parent_id", flat=True).first()
                )

    def subtree_filter(self, prefix: str = "") -> models.Q:
        """A Q matching this unit and its descendants, through the relation `prefix` (e.g. "org_unit__")."""
        return models.Q(**{f"{prefix}path__startswith": self.path})

    def contains(self, other: OrgUnit) -> bool:
        """Whether `other` is this unit or lies under it: the in-memory twin of `subtree_filter`, used
        by the jurisdiction checks on writes."""
        return bool(self.path) and other.path.startswith(self.path)


class Person(models.Model):
    """A person in the registry (人员/干部). `staff_no` is the import key; the ID number is unique."""

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class PoliticalStatus(models.TextChoices):
        CPC_MEMBER = "cpc_member", _("CPC member")
        CYL_MEMBER = "cyl_member", _("Communist Youth League member")
        DEMOCRATIC_PARTY = "democratic_party", _("Democratic party member")
        MASSES = "masses", _("Masses (no party affiliation)")

    staff_no = models.CharField(
        _("staff number"),
        max_length=32,
        error_messages={"unique": _("A person with this staff number already exists.")},
    )
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    # staff_no and id_number are unique through constraints rather than unique=True: their indexes are all
    # lookups need, without the second (LIKE) index Django adds on PostgreSQL, which bulk imports pay for.
    id_number = models.CharField(
        _("ID number"),
        max_length=18,
        validators=[validate_id_number],
        error_messages={"unique": _("A person with this ID number already exists.")},
    )
    birth_date = models.DateField(_("birth date"))
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    post = models.CharField(_("post"), max_length=100, blank=True)
    rank = models.CharField(_("rank"), max_length=50, blank=True)
    appointed_date = models.DateField(_("appointed on"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["id_number"])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["staff_no"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("id_number"), 18), name="person_id_number_18_chars"
            ),
            models.UniqueConstraint(fields=["staff_no"], name="person_unique_staff_no"),
            models.UniqueConstraint(fields=["id_number"], name="person_unique_id_number"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"

    def clean(self) -> None:
        super().clean()
        self.id_number = normalise_id_number(self.id_number)
        born = birth_date_from_id(self.id_number) if len(self.id_number) == 18 else None
        if born and self.birth_date and born != self.birth_date:
            raise ValidationError(
                {
                    "birth_date": ValidationError(
                        _("The birth date does not match the one in the ID number (%(date)s)."),
                        code="birth_date_mismatch",
                        params={"date": born.isoformat()},
                    )
                }
            )

    @property
    def is_party_member(self) -> bool:
        return self.political_status == self.PoliticalStatus.CPC_MEMBER


class Profile(models.Model):
    """What the system knows about a login beyond its roles: the person it is and its unit.

    For officers and approvers `unit` is the root of their jurisdiction (管辖范围); for unit contacts it
    is their own unit.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="profile",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit or jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="profiles",
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)


class Regulation(models.Model):
    """A regulation (法规) in one version, e.g. the 2019 revision of the CCP Accountability Regulations."""

    class Family(models.TextChoices):
        ACCOUNTABILITY = "accountability", _("CCP Accountability Regulations")
        PETITION_RESPONSIBILITY = "petition_responsibility", _("Petition-work responsibility measures")
        PETITION_WORK = "petition_work", _("Petition work regulations")
        DISCIPLINE = "discipline", _("CCP disciplinary regulations")
        CIVIL_SERVANT = "civil_servant", _("Civil servant law")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    family = models.CharField(_("family"), max_length=32, choices=Family.choices)
    title = models.CharField(_("title"), max_length=200)
    short_title = models.CharField(_("short title"), max_length=100)
    version = models.CharField(_("version"), max_length=20)
    issuer = models.CharField(_("issuer"), max_length=200)
    effective_date = models.DateField(_("effective date"))
    repealed_date = models.DateField(_("repealed on"), null=True, blank=True)
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Checked against the official text.")
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")
        ordering = ["family", "-effective_date"]

    def __str__(self) -> str:
        return f"{self.short_title}（{self.version}）"

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_date <= day and (self.repealed_date is None or day < self.repealed_date)


def regulation_in_force(family: str, day: dt.date) -> Regulation | None:
    """The version of a regulation family in force on `day` (for conduct, the day it happened)."""
    return (
        Regulation.objects.filter(family=family, effective_date__lte=day)
        .filter(models.Q(repealed_date__isnull=True) | models.Q(repealed_date__gt=day))
        .order_by("-effective_date")
        .first()
    )


class Clause(models.Model):
    """An article, paragraph or item of a regulation, with what it is used for."""

    class Kind(models.TextChoices):
        PRINCIPLE = "principle", _("Principle")
        SITUATION = "situation", _("Situation requiring accountability")
        FORM = "form", _("Form of accountability")
        EXEMPTION = "exemption", _("Circumstance: no or exempted accountability")
        MITIGATION = "mitigation", _("Circumstance: lighter or reduced accountability")
        AGGRAVATION = "aggravation", _("Circumstance: heavier or increased accountability")
        PROCEDURE = "procedure", _("Procedure")
        DEADLINE = "deadline", _("Deadline")
        OTHER = "other", _("Other")

    regulation = models.ForeignKey(
        Regulation, verbose_name=_("regulation"), on_delete=models.PROTECT, related_name="clauses"
    )
    code = models.CharField(_("code"), max_length=32, help_text=_("e.g. 7.1 for Article 7, item 1"))
    article = models.PositiveSmallIntegerField(_("article"))
    paragraph = models.PositiveSmallIntegerField(_("paragraph"), null=True, blank=True)
    item = models.PositiveSmallIntegerField(_("item"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    short_title = models.CharField(_("short title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Checked against the official text.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["regulation", "article", "paragraph", "item"]
        constraints = [
            models.UniqueConstraint(fields=["regulation", "code"], name="clause_unique_code_per_regulation"),
        ]

    def __str__(self) -> str:
        return f"{self.regulation.short_title}{self.citation}：{self.short_title}"

    @property
    def citation(self) -> str:
        """`第七条第（一）项` in the usual Chinese form."""
        from accountability.chinese import cite_article

        return cite_article(self.article, self.paragraph, self.item)


class WorkCalendarDay(models.Model):
    """An exception to the Monday–Friday week: a statutory holiday, or a make-up working day (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50)
    verified = models.BooleanField(_("verified"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work calendar day")
        verbose_name_plural = _("work calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"


MAX_RULE_AMOUNT = 3660


class DeadlineRule(models.Model):
    """A legal period as data: correcting an unverified period needs no code change."""

    class Unit(models.TextChoices):
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        WORKING_DAYS = "working_days", _("working days")
        MONTHS = "months", _("months")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    clause = models.ForeignKey(
        Clause, verbose_name=_("clause"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Ten years of days at most: every period is far shorter, and a typo such as 99999 would carry the
    # due dates past the calendar (an OverflowError on every page that shows a deadline).
    amount = models.PositiveIntegerField(_("amount"), validators=[MaxValueValidator(MAX_RULE_AMOUNT)])
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    roll_over_holidays = models.BooleanField(
        _("roll over holidays"),
        default=True,
        help_text=_("When a calendar period ends on a rest day, it ends on the next working day instead."),
    )
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Checked against the official text.")
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.amount} {self.get_unit_display()}）"

    def due_date(self, start: dt.date, extra: int = 0) -> dt.date:
        """The last day of the period that starts on `start` (the start day itself is not counted)."""
        from .workcalendar import add_working_days, next_working_day_on_or_after

        amount = self.amount + extra
        if self.unit == self.Unit.WORKING_DAYS:
            return add_working_days(start, amount)
        due = (
            add_months(start, amount) if self.unit == self.Unit.MONTHS else start + dt.timedelta(days=amount)
        )
        return next_working_day_on_or_after(due) if self.roll_over_holidays else due

    @property
    def counts_working_days(self) -> bool:
        return self.unit == self.Unit.WORKING_DAYS


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later; where that month is shorter, its last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


class ImportBatch(models.Model):
    """One uploaded roster of units or people: checked (dry run), confirmed, written all at once, reversible.

    The rows are written by `registry.services.imports` only; the checks and the preview live in
    `registry.imports`.
    """

    class Kind(models.TextChoices):
        PEOPLE = "people", _("People")
        UNITS = "units", _("Units")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Checking")
        PREVIEW = "preview", _("Checked, waiting for confirmation")
        INVALID = "invalid", _("Has errors, nothing imported")
        CONFIRMED = "confirmed", _("Confirmed, waiting to import")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed, nothing imported")
        CANCELLED = "cancelled", _("Discarded")
        ROLLBACK_QUEUED = "rollback_queued", _("Waiting to be rolled back")
        ROLLING_BACK = "rolling_back", _("Rolling back")
        ROLLED_BACK = "rolled_back", _("Rolled back")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size"))
    # What the file unpacks to, as streamed against the limits at upload (`imports.scanning`): decides
    # whether the steps run in the request or the worker, and lets them skip a second scan. Empty for a
    # refused file.
    unpacked_size = models.PositiveBigIntegerField(_("unpacked size"), null=True, blank=True)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rolled back by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rolled_back_at = models.DateTimeField(_("rolled back at"), null=True, blank=True)
    # Steps of this batch whose runner died (a killed worker): the first is run again, the next given up.
    interruptions = models.PositiveSmallIntegerField(_("interruptions"), default=0)
    # Progress of the running step, for the progress bar; the step's start gives the time left.
    step_started_at = models.DateTimeField(_("step started at"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    blank_count = models.PositiveIntegerField(_("blank rows"), default=0)
    # The first rows of each kind, the columns found and ignored: what the preview page shows.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    # The first bad rows, for the page: row number and one entry per problem (column, code, params).
    # Every bad row, with its cells, is in ImportFile.bad_rows for the download.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    # The ids of the rows the import created, as [first, last] ranges (one per chunk, as a rule): what a
    # rollback deletes. What it updated, with the values before, is in ImportChange.
    created_ranges = models.JSONField(_("created rows"), default=list, blank=True)
    # A problem with the file as a whole or with a step ({"code", "params"}): a missing column, a
    # refused rollback.
    notice = models.JSONField(_("notice"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    RUNNING_STATUSES = frozenset({Status.CHECKING, Status.IMPORTING, Status.ROLLING_BACK})
    ACTIVE_STATUSES = frozenset(
        {
            Status.QUEUED,
            Status.CHECKING,
            Status.CONFIRMED,
            Status.IMPORTING,
            Status.ROLLBACK_QUEUED,
            Status.ROLLING_BACK,
        }
    )

    @property
    def is_active(self) -> bool:
        """A step is waiting or running: the page polls for progress."""
        return self.status in self.ACTIVE_STATUSES


class ImportFile(models.Model):
    """The uploaded bytes, kept in the database so that every web process and worker can read them, and
    every bad row found in them (cells and problems), for the download of the bad rows."""

    batch = models.OneToOneField(
        ImportBatch, verbose_name=_("import batch"), primary_key=True, on_delete=models.CASCADE
    )
    content = models.BinaryField(_("content"))
    bad_rows = models.JSONField(_("bad rows"), default=list, blank=True)
    # The rows as the check cleaned them (compressed JSON), so that the import step need not read and
    # check the file again; empty for units and for files with errors.
    checked_rows = models.BinaryField(_("checked rows"), blank=True, default=b"")

    class Meta:
        verbose_name = _("uploaded import file")
        verbose_name_plural = _("uploaded import files")

    def __str__(self) -> str:
        return str(self.batch)


class ImportChange(models.Model):
    """A row an import updated, with the values it replaced: what a rollback restores."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import batch"), on_delete=models.CASCADE, related_name="changes"
    )
    object_id = models.BigIntegerField(_("object id"))
    before = models.JSONField(_("values before"))

    class Meta:
        verbose_name = _("imported change")
        verbose_name_plural = _("imported changes")

    def __str__(self) -> str:
        return f"{self.batch_id} {self.object_id}"
