"""Inspection tours (巡察): rounds, teams, assignments, findings, rectification items and their escalation.

State changes happen in `inspections/actions.py` (and the escalation run in `inspections/escalation.py`);
reads go through `inspections/access.py`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accountability.files import unguessable_name
from accountability.validation import to_validation_error
from registry.models import OrgUnit, Person


class InspectionRound(models.Model):
    """A round of inspection tours (巡察轮次), e.g. 县委第一轮巡察."""

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-year", "-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        from .guards import round_problems

        problems = round_problems(self)
        if problems:
            raise to_validation_error(problems)


class InspectionTeam(models.Model):
    """An inspection team (巡察组) of one round: a leader and members.

    Who may work on the team's assignments is held as django-guardian object permissions on the team,
    kept in step with `leader` and `members` by `actions.sync_team_permissions`.
    """

    round = models.ForeignKey(
        InspectionRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team leader"),
        on_delete=models.PROTECT,
        related_name="led_inspection_teams",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="inspection_teams",
    )
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("inspection team")
        verbose_name_plural = _("inspection teams")
        ordering = ["round", "name"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="team_unique_name_per_round")]
        permissions = [
            ("lead_team", _("Can lead the team: verify findings, transfer clues, set rectification")),
            ("work_in_team", _("Can work in the team: log findings, tick the checklist")),
        ]

    def __str__(self) -> str:
        return f"{self.round.name}{self.name}"


class InspectionTeamUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK object permissions (django-guardian): who works in which team."""

    content_object = models.ForeignKey(InspectionTeam, on_delete=models.CASCADE)


class InspectionTeamGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(InspectionTeam, on_delete=models.CASCADE)


class Stage(models.TextChoices):
    PREPARATION = "preparation", _("Preparation")
    STATIONED = "stationed", _("Stationed and learning")
    REPORT = "report", _("Report")
    FEEDBACK = "feedback", _("Feedback")
    TRANSFER = "transfer", _("Transfer")
    RECTIFICATION = "rectification", _("Rectification")


STAGE_ORDER = list(Stage.values)


class ChecklistStep(models.TextChoices):
    """The fourteen steps of a tour, in order (from the seed material's description of the procedure)."""

    NOTICE = "notice", _("Issue the notice")
    MOBILISATION = "mobilisation", _("Mobilisation meeting")
    ANNOUNCEMENT = "announcement", _("Inspection announcement")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire survey")
    INTERVIEWS = "interviews", _("Individual interviews")
    PETITIONS = "petitions", _("Receive petitions and reports")
    RECORDS = "records", _("Review records and documents")
    EXTENSION = "extension", _("Extend to subordinate units")
    CLUE_ANALYSIS = "clue_analysis", _("Analyse problems and clues")
    TRANSFER_REVIEW = "transfer_review", _("Review and transfer clues")
    REPORT = "report", _("Inspection report")
    FEEDBACK = "feedback", _("Inspection feedback")
    RECTIFICATION = "rectification", _("Urge rectification")
    USE_OF_RESULTS = "use_of_results", _("Use of the results")


CHECKLIST_ORDER = {code: index for index, code in enumerate(ChecklistStep.values, start=1)}


class Assignment(models.Model):
    """A team stationed at one inspected unit (巡察进驻), with its dates and its stage."""

    team = models.ForeignKey(
        InspectionTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("inspected unit"),
        on_delete=models.PROTECT,
        related_name="inspection_assignments",
    )
    stationed_on = models.DateField(_("stationed on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    feedback_on = models.DateField(
        _("feedback on"),
        null=True,
        blank=True,
        help_text=_("Rectification deadlines are counted from this day."),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.PREPARATION)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["team", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["team", "unit"], name="assignment_unit_once_per_team")]

    def __str__(self) -> str:
        return f"{self.team.name} → {self.unit.name}"

    def clean(self) -> None:
        """The admin's check of the dates; the rules are those the actions apply (`guards.py`)."""
        super().clean()
        from .guards import assignment_problems

        problems = assignment_problems(self) if self.team_id else []
        if problems:
            raise to_validation_error(problems)

    @property
    def next_stage(self) -> str | None:
        index = STAGE_ORDER.index(self.stage)
        return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


class ChecklistItem(models.Model):
    """One of the fourteen steps of an assignment, ticked with who and when."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="checklist"
    )
    step = models.CharField(_("step"), max_length=20, choices=ChecklistStep.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist step")
        verbose_name_plural = _("checklist")
        ordering = ["assignment", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "step"], name="checklist_step_once_per_assignment")
        ]

    def __str__(self) -> str:
        return str(self.get_step_display())


class FindingCategory(models.TextChoices):
    """The problem categories of the seed material."""

    LEADERSHIP = "leadership", _("Weakened party leadership")
    PARTY_BUILDING = "party_building", _("Lacking party building")
    STRICT_GOVERNANCE = "strict_governance", _("Ineffective strict self-governance of the party")
    RESPONSIBILITY = "responsibility", _("Principal responsibility or dual duties not carried out")
    POLITICAL_DISCIPLINE = "political_discipline", _("Breach of political discipline and rules")
    EIGHT_RULES = "eight_rules", _("Breach of the central eight-point rules")
    GRASSROOTS = "grassroots", _("Four-winds and corruption problems close to the people")
    DECISIONS = "decisions", _("Poor execution of major decisions (inaction, slow or reckless action)")
    OTHER = "other", _("Other")


class FindingStatus(models.TextChoices):
    LOGGED = "logged", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Finding(models.Model):
    """A problem found during a tour (发现问题), logged by a team member and verified by the leader."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="findings"
    )
    category = models.CharField(_("category"), max_length=32, choices=FindingCategory.choices)
    description = models.TextField(_("description"))
    units = models.ManyToManyField(
        OrgUnit, verbose_name=_("units involved"), blank=True, related_name="inspection_findings"
    )
    people = models.ManyToManyField(
        Person, verbose_name=_("people involved"), blank=True, related_name="inspection_findings"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.LOGGED
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("transferred as case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_finding",
    )
    history = HistoricalRecords(m2m_fields=[units, people])

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-logged_at", "-pk"]
        indexes = [models.Index(fields=["assignment", "status"], name="finding_assignment_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.description[:30]}"

    @property
    def summary(self) -> str:
        text = " ".join(self.description.split())
        return text if len(text) <= 40 else f"{text[:40]}…"


UPLOAD_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".ofd", ".txt"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png"}


def finding_attachment_path(instance: FindingAttachment, filename: str) -> str:
    """A random name (accountability/files.py): the finding id and the original name stay in the row."""
    return unguessable_name("inspections/findings", filename)


class UploadedFile(models.Model):
    file = models.FileField(_("file"))
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return PurePath(self.original_name).suffix.lower() in IMAGE_EXTENSIONS


class FindingAttachment(UploadedFile):
    """A photo or document backing a finding."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=finding_attachment_path)

    class Meta(UploadedFile.Meta):
        verbose_name = _("finding attachment")
        verbose_name_plural = _("finding attachments")


class RectificationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("rectification", "Open")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for more work")


# Items the unit still has to work on: these are escalated as their deadline nears and passes.
ACTIVE_STATUSES = (RectificationStatus.OPEN, RectificationStatus.RETURNED)


class RectificationItem(models.Model):
    """A rectification item (整改事项) set from a verified finding."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.PROTECT, related_name="rectification_items"
    )
    # No single-column index: `rectification_unit_status_idx` leads with the unit.
    responsible_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="rectification_items",
        db_index=False,
    )
    responsible_person = models.ForeignKey(
        Person,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification_items",
    )
    requirement = models.TextField(_("requirement"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_on = models.DateField(_("accepted on"), null=True, blank=True)
    # The day the item's next escalation step falls due (none: no step left), written only by
    # `inspections/escalation.py`: planned when the item is set, moved on by the daily run in the same
    # statement that records the steps fired, re-planned when the ladder changes. The daily run reads
    # only the items whose next step is due, by one range scan of `rectification_escalation_due`.
    escalation_due_on = models.DateField(_("next escalation step due on"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["escalation_due_on"])

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["deadline", "pk"]
        indexes = [
            # The lists' colour filter: date ranges over the deadlines of active items.
            models.Index(
                fields=["deadline"],
                name="rectification_active_deadline",
                condition=models.Q(status__in=["open", "returned"]),
            ),
            # The daily escalation run: active items whose next step is due by today.
            models.Index(
                fields=["escalation_due_on"],
                name="rectification_escalation_due",
                condition=models.Q(status__in=["open", "returned"], escalation_due_on__isnull=False),
            ),
            models.Index(fields=["responsible_unit", "status"], name="rectification_unit_status_idx"),
        ]

    def __str__(self) -> str:
        text = " ".join(self.requirement.split())
        return f"{self.responsible_unit.name}：{text[:30]}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


def report_attachment_path(instance: ReportAttachment, filename: str) -> str:
    """A random name (accountability/files.py): the report id and the original name stay in the row."""
    return unguessable_name("inspections/reports", filename)


class RectificationReport(models.Model):
    """A progress report of the responsible unit; `final` submits the item for acceptance."""

    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("rectification item"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    text = models.TextField(_("progress"))
    final = models.BooleanField(_("submitted for acceptance"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class ReportAttachment(UploadedFile):
    report = models.ForeignKey(
        RectificationReport,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=report_attachment_path)

    class Meta(UploadedFile.Meta):
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")


class RectificationReview(models.Model):
    """The leader's acceptance, or return for more work, of a submitted item."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("rectification item"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acceptance review")
        verbose_name_plural = _("acceptance reviews")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return str(self.get_outcome_display())


# --- The escalation ladder ------------------------------------------------------------------------


class Colour(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class Level(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    WARNING = "warning", pgettext_lazy("escalation", "Warning")
    SUPERVISION = "supervision", _("Supervision order")
    NOTICE = "notice", _("Circulated notice")
    ACCOUNTABILITY = "accountability", _("Accountability clue")


class Recipient(models.TextChoices):
    """Who a step notifies; each kind is resolved from the item in `escalation.py`."""

    HANDLER = "handler", _("Handler: the responsible unit's contacts and the responsible person")
    SUPERVISING_LEADER = "supervising_leader", _("Supervising leader: the inspection team's leader")
    PARTY_SECRETARY = "party_secretary", _("The responsible unit's party secretary")
    DISCIPLINE_OFFICE = "discipline_office", _("Discipline office: case officers with jurisdiction")
    APPROVER = "approver", _("Approving leaders with jurisdiction")


class Action(models.TextChoices):
    NOTIFY = "notify", _("Notify")
    OPEN_CASE = "open_case", _("Notify and open an accountability clue")


MAX_STEP_OFFSET = 366


class EscalationStep(models.Model):
    """A rung of the escalation ladder (逐级递进), relative to an item's deadline. Admin-editable data.

    A step falls due on `deadline + offset_days` (negative: before the deadline; 1: the first day overdue).
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    offset_days = models.SmallIntegerField(
        _("offset in days"),
        help_text=_("Days from the deadline: −20 is twenty days before it, 1 the first day overdue."),
        # Within a year of the deadline; the run's "no step fired yet" sentinel lies below any offset.
        validators=[MinValueValidator(-MAX_STEP_OFFSET), MaxValueValidator(MAX_STEP_OFFSET)],
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    recipients = models.JSONField(
        _("recipients"), default=list, blank=True, help_text=_("Who is notified when the step fires.")
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices, default=Action.NOTIFY)
    active = models.BooleanField(pgettext_lazy("escalation step", "active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation ladder")
        ordering = ["offset_days", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        unknown = [value for value in self.recipients or [] if value not in Recipient.values]
        if not isinstance(self.recipients, list) or unknown:
            raise ValidationError({"recipients": _("Choose recipients from the list.")})

    def due_on(self, deadline: dt.date) -> dt.date:
        return deadline + dt.timedelta(days=self.offset_days)


class EscalationRun(models.Model):
    """One run of the escalation task: when, for which day, and what it fired."""

    day = models.DateField(_("day"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    fired = models.PositiveIntegerField(_("steps fired"), default=0)
    notifications = models.PositiveIntegerField(pgettext_lazy("escalation run", "notifications"), default=0)
    cases_queued = models.PositiveIntegerField(_("clues queued"), default=0)
    # The active steps and offsets the run used ("id:offset,…"): a run that finds them changed since the
    # previous run re-plans every item's next due day first.
    ladder = models.TextField(_("ladder"), blank=True, editable=False)

    class Meta:
        verbose_name = _("escalation run")
        verbose_name_plural = _("escalation runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} #{self.pk}"


class Escalation(models.Model):
    """A step fired for an item. The unique (item, step) pair makes every step fire at most once.

    When several steps fall due at once (the first run, missed days, an item returned after some fell
    due), only the highest fires and the lower notifying steps are not recorded; a clue-opening step
    passed over is recorded `superseded`: it notifies nobody, but the clue opens.
    """

    # No single-column indexes on item and run: the unique (item, step) and the (run, step) index lead
    # with them, and every index costs the daily run a write per row.
    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("rectification item"),
        on_delete=models.CASCADE,
        related_name="escalations",
        db_index=False,
    )
    step = models.ForeignKey(
        EscalationStep, verbose_name=_("step"), on_delete=models.PROTECT, related_name="escalations"
    )
    run = models.ForeignKey(
        EscalationRun,
        verbose_name=_("run"),
        on_delete=models.PROTECT,
        related_name="escalations",
        db_index=False,
    )
    fired_on = models.DateField(_("fired on"))
    superseded = models.BooleanField(_("superseded"), default=False)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("accountability clue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="overdue_rectification",
    )
    # A clue-opening step whose case could not be opened: why (the last attempt), and whether the reason
    # lies in the data (`failure_lasting`: not tried again until an admin asks) or may pass (retried by
    # each day's run). `reported_on`: the day the admins were told, once. Database defaults: the run's
    # own INSERT … SELECT leaves them out.
    failure = models.TextField(_("why the clue could not be opened"), blank=True, default="", db_default="")
    failed_on = models.DateField(_("last failed on"), null=True, blank=True)
    failure_lasting = models.BooleanField(_("needs an admin"), default=False, db_default=False)
    reported_on = models.DateField(_("reported to the admins on"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["fired_on", "step__offset_days", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "step"], name="escalation_step_once_per_item")]
        indexes = [models.Index(fields=["run", "step"], name="escalation_run_step_idx")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.step.name}"
