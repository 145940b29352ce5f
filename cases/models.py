"""Accountability cases (问责案件): the case, its targets, team, decisions, transitions and attachments.

The state names and transition names are a contract (DOMAIN.md). Transitions are declared here with
django-fsm-2 so that `can_proceed` and the admin know them, but they are only ever run by the action
functions in `cases/actions.py`, which check the guards, write the audit row and queue notifications.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accountability.chinese import document_number
from accountability.files import unguessable_name
from registry.models import Clause, OrgUnit, Person, Regulation

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CASE_NUMBER_PREFIX = "问责"
CASE_NUMBER_KIND = "case"


class CaseState(models.TextChoices):
    DRAFT = "draft", _("Clue registered")
    INITIATED = "initiated", _("Investigation started")
    DETERMINED = "determined", _("Responsibility determined")
    DECIDED = "decided", _("Decision made")
    DELIVERED = "delivered", _("Delivered")
    RESPONDED = "responded", _("Response recorded")
    APPEALED = "appealed", _("Under appeal")
    CLOSED = "closed", _("Closed")
    DISMISSED = "dismissed", _("No or exempted accountability")
    WITHDRAWN = "withdrawn", _("Clue not taken up")


TERMINAL_STATES = (CaseState.CLOSED, CaseState.DISMISSED, CaseState.WITHDRAWN)


class CaseSource(models.TextChoices):
    INSPECTION = "inspection", _("Transferred by an inspection tour")
    PETITION = "petition", _("Petition or report")
    ASSIGNED = "assigned", _("Assigned by a higher authority")
    AUDIT = "audit", _("Transferred by an audit")
    SUPERVISION = "supervision", _("Supervision and inspection")
    MEDIA = "media", _("Media exposure")
    OVERDUE_RECTIFICATION = "overdue_rectification", _("Overdue rectification")
    OTHER = "other", _("Other")


def role_permission(codename: str) -> Any:
    """A transition permission checked against the user's role (model permission, cached per user).

    Which case a user may touch at all is decided by cases/access.py, so the object-level check that a
    permission string would trigger (one guardian query per transition) is not needed here.
    """

    def check(instance: Case, user: Any) -> bool:
        return bool(user.has_perm(codename))

    return check


class Case(ConcurrentTransitionMixin, models.Model):
    """One accountability case, numbered 问责〔2026〕第0001号 (gap-free per year)."""

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=32, choices=CaseSource.choices)
    summary = models.TextField(_("facts and clue summary"))
    conduct_date = models.DateField(
        _("conduct date"),
        help_text=_("When the conduct happened: it decides which regulation version applies."),
    )
    regulation = models.ForeignKey(
        Regulation,
        verbose_name=_("regulation version"),
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("The version of the Accountability Regulations in force on the conduct date."),
    )
    situations = models.ManyToManyField(
        Clause, verbose_name=_("situation clauses"), related_name="cases", blank=True
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit concerned"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # case_unit_listing_idx leads with it
        help_text=_("The unit where the case arose; it decides whose jurisdiction the case is in."),
    )
    decision_body = models.ForeignKey(
        OrgUnit,
        verbose_name=_("decision-making body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The party organisation that made the decision; it signs the decision document."),
    )
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_cases",
    )
    confidential = models.BooleanField(
        _("confidential"), default=False, help_text=_("Visible only to the users named on the case.")
    )
    # Named users (besides the lead officer, the creator and the investigation team): the record the
    # case's object permissions are recomputed from (cases/access.py `case_grants`).
    named_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named users"),
        through="CaseNamedUser",
        through_fields=("case", "user"),
        related_name="named_on_cases",
        blank=True,
    )
    state = FSMField(_("state"), default=CaseState.DRAFT, choices=CaseState.choices, protected=True)

    # Investigation
    investigation_report = models.TextField(_("investigation report"), blank=True)
    report_date = models.DateField(_("report date"), null=True, blank=True)

    # Decision meeting
    meeting_date = models.DateField(_("decision meeting date"), null=True, blank=True)
    meeting_attendees = models.TextField(_("meeting attendees"), blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    votes_abstaining = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_facts = models.TextField(_("facts stated in the decision"), blank=True)

    # Delivery
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    decision_document_no = models.CharField(_("decision document number"), max_length=64, blank=True)

    # Appeal
    appellant = models.ForeignKey(
        "Target",
        verbose_name=_("appellant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appeal_filed_on = models.DateField(_("appeal filed on"), null=True, blank=True)
    appeal_grounds = models.TextField(_("grounds of appeal"), blank=True)

    class AppealOutcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        MODIFIED = "modified", _("Modified")
        REVOKED = "revoked", _("Revoked")

    appeal_outcome = models.CharField(
        _("appeal outcome"), max_length=16, choices=AppealOutcome.choices, blank=True
    )
    appeal_decided_on = models.DateField(_("appeal decided on"), null=True, blank=True)
    appeal_decision = models.TextField(_("appeal decision"), blank=True)

    # Ending without a decision
    dismissal_ground = models.ForeignKey(
        Clause,
        verbose_name=_("ground for no accountability"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    end_reason = models.TextField(_("reason"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    # The next legal deadline of the current state, kept by the actions: lists filter "overdue" on it.
    next_due_on = models.DateField(_("next deadline"), null=True, blank=True)
    next_due_rule = models.CharField(_("next deadline rule"), max_length=64, blank=True)
    # One bit per form of accountability (`form_bit`) decided on any target and not revoked, kept by the
    # actions that write or revoke forms: the list's form filter reads the case row instead of joining
    # targets and their forms for every case in a unit subtree.
    form_flags = models.PositiveSmallIntegerField(_("forms decided"), default=0, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system opened the case."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("accountability case")
        verbose_name_plural = _("accountability cases")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="case_unique_number"),
            models.UniqueConstraint(
                fields=["decision_document_no"],
                condition=~Q(decision_document_no=""),
                name="case_unique_decision_document_no",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-year", "-sequence"], name="case_state_number_idx"),
            models.Index(fields=["next_due_on"], name="case_next_due_idx"),
            models.Index(fields=["-created_at"], name="case_created_idx"),
            models.Index(fields=["decision_date"], name="case_decision_date_idx"),
            # A unit subtree's cases in list order, with what the jurisdiction and form filters read: on
            # PostgreSQL the list's key query is an index-only scan (a township's 17,000 cases of 200,000:
            # 25 ms from the table, 6 ms from this index).
            models.Index(
                fields=["unit", "year", "sequence"],
                include=["id", "confidential", "form_flags"],
                name="case_unit_listing_idx",
            ),
        ]
        permissions = [
            ("initiate_case", _("Can approve starting an investigation")),
            ("decide_case", _("Can make accountability decisions")),
            ("process_case", _("Can investigate, deliver and record responses")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return document_number(CASE_NUMBER_PREFIX, self.year, self.sequence)

    @property
    def is_open(self) -> bool:
        return self.state not in TERMINAL_STATES

    @property
    def state_label(self) -> str:
        return str(CaseState(self.state).label)

    @cached_property
    def target_list(self) -> list[Target]:
        return list(self.targets.select_related("org_unit", "person__org_unit").order_by("pk"))

    # Transitions. They declare source, target and the role permission; the guards (cases/guards.py)
    # are not fsm `conditions`: the actions check them once, before the move, and give a reason for each
    # failure. Nothing but the kernel (`WORKFLOW.run` in cases/actions.py) calls these methods.

    @transition(
        field=state,
        source=CaseState.DRAFT,
        target=CaseState.INITIATED,
        permission=role_permission("cases.initiate_case"),
    )
    def initiate(self) -> None:
        pass

    @transition(
        field=state,
        source=CaseState.INITIATED,
        target=CaseState.DETERMINED,
        permission=role_permission("cases.process_case"),
    )
    def determine(self) -> None:
        pass

    @transition(
        field=state,
        source=CaseState.DETERMINED,
        target=CaseState.DECIDED,
        permission=role_permission("cases.decide_case"),
    )
    def decide(self) -> None:
        pass

    @transition(
        field=state,
        source=CaseState.DECIDED,
        target=CaseState.DELIVERED,
        permission=role_permission("cases.process_case"),
    )
    def deliver(self) -> None:
        pass

    @transition(
        field=state,
        source=CaseState.DELIVERED,
        target=CaseState.RESPONDED,
        permission=role_permission("cases.process_case"),
    )
    def record_response(self) -> None:
        pass

    @transition(
        field=state,
        source=[CaseState.DELIVERED, CaseState.RESPONDED],
        target=CaseState.APPEALED,
        permission=role_permission("cases.process_case"),
    )
    def file_appeal(self) -> None:
        pass

    @transition(
        field=state,
        source=CaseState.APPEALED,
        target=CaseState.CLOSED,
        permission=role_permission("cases.decide_case"),
    )
    def decide_appeal(self) -> None:
        pass

    @transition(
        field=state,
        source=[CaseState.DELIVERED, CaseState.RESPONDED],
        target=CaseState.CLOSED,
        permission=role_permission("cases.process_case"),
    )
    def close(self) -> None:
        pass

    @transition(
        field=state,
        source=[CaseState.INITIATED, CaseState.DETERMINED],
        target=CaseState.DISMISSED,
        permission=role_permission("cases.decide_case"),
    )
    def dismiss(self) -> None:
        pass

    @transition(
        field=state,
        source=CaseState.DRAFT,
        target=CaseState.WITHDRAWN,
        permission=role_permission("cases.initiate_case"),
    )
    def withdraw(self) -> None:
        pass


class CaseNamedUser(models.Model):
    """A user named on a case by those working on it: they see it even when it is confidential or outside
    their jurisdiction. Removing the row (by editing the case) revokes their access at once."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    named_at = models.DateTimeField(_("named at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("named user")
        verbose_name_plural = _("named users")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_named_user_once")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.user_id}"


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK object permissions (django-guardian): who is named on which case."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class ResponsibilityLevel(models.TextChoices):
    FULL_LEADERSHIP = "full_leadership", _("Overall leadership responsibility")
    PRINCIPAL_LEADERSHIP = "principal_leadership", _("Principal leadership responsibility")
    IMPORTANT_LEADERSHIP = "important_leadership", _("Important leadership responsibility")
    DIRECT = "direct", _("Direct responsibility")
    LEADERSHIP = "leadership", _("Leadership responsibility")
    NO_LEADERSHIP = "no_leadership", _("No leadership responsibility (dissent on record)")


ORGANISATION_LEVELS = (ResponsibilityLevel.FULL_LEADERSHIP,)
LEADER_LEVELS = (
    ResponsibilityLevel.PRINCIPAL_LEADERSHIP,
    ResponsibilityLevel.IMPORTANT_LEADERSHIP,
    ResponsibilityLevel.DIRECT,
    ResponsibilityLevel.LEADERSHIP,
    ResponsibilityLevel.NO_LEADERSHIP,
)


class Target(models.Model):
    """A target of accountability (问责对象): a party organisation or a party leader."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="targets")
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_targets",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("party leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_targets",
    )
    responsibility = models.CharField(
        _("responsibility level"), max_length=32, choices=ResponsibilityLevel.choices, blank=True
    )
    statement = models.TextField(_("statement and defence"), blank=True)
    statement_date = models.DateField(_("statement date"), null=True, blank=True)
    statement_waived = models.BooleanField(_("statement waived"), default=False)
    waiver_note = models.CharField(_("waiver note"), max_length=300, blank=True)

    # Decision
    circumstances = models.ManyToManyField(
        Clause, verbose_name=_("circumstances"), related_name="+", blank=True
    )
    exemption_ground = models.ForeignKey(
        Clause,
        verbose_name=_("exemption ground"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Response
    response_accepts = models.BooleanField(_("accepts the decision"), null=True, blank=True)
    response_text = models.TextField(_("response"), blank=True)
    self_criticism_received = models.BooleanField(_("written self-criticism received"), default=False)
    response_date = models.DateField(_("response date"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(org_unit__isnull=False, person__isnull=True)
                    | Q(org_unit__isnull=True, person__isnull=False)
                ),
                name="target_is_unit_or_person",
            ),
            models.UniqueConstraint(fields=["case", "org_unit"], name="target_unit_once_per_case"),
            models.UniqueConstraint(fields=["case", "person"], name="target_person_once_per_case"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_organisation(self) -> bool:
        return self.org_unit_id is not None

    @property
    def name(self) -> str:
        if self.org_unit_id is not None:
            return self.org_unit.name if self.org_unit else ""
        return self.person.name if self.person else ""

    @property
    def kind_label(self) -> str:
        return str(_("Party organisation") if self.is_organisation else _("Party leader"))

    @property
    def statement_settled(self) -> bool:
        return bool(self.statement.strip()) or (self.statement_waived and bool(self.waiver_note.strip()))


class Form(models.TextChoices):
    """Forms of accountability (问责方式), Art. 8 of the 2019 regulations."""

    ORG_INSPECTION = "org_inspection", _("Written self-examination (organisation)")
    ORG_NOTICE = "org_notice", _("Circulated notice (organisation)")
    ORG_REORGANISATION = "org_reorganisation", _("Reorganisation (organisation)")
    NOTICE = "notice", _("Circulated notice")
    ADMONISHMENT = "admonishment", _("Admonishment")
    ORGANISATIONAL_HANDLING = "organisational_handling", _("Organisational adjustment or handling")
    DISCIPLINE = "discipline", _("Disciplinary sanction")


def form_bit(form: str) -> int:
    """The bit of `Case.form_flags` that stands for this form; the order of `Form` must not change."""
    return 1 << Form.values.index(form)


def form_flags_of(forms: Iterable[str]) -> int:
    flags = 0
    for form in forms:
        flags |= form_bit(form)
    return flags


ORGANISATION_FORMS = (Form.ORG_INSPECTION, Form.ORG_NOTICE, Form.ORG_REORGANISATION)
LEADER_FORMS = (Form.NOTICE, Form.ADMONISHMENT, Form.ORGANISATIONAL_HANDLING, Form.DISCIPLINE)


class Measure(models.TextChoices):
    """Sub-measures of organisational handling and of disciplinary sanctions."""

    SUSPENSION = "suspension", _("Suspension for examination")
    REASSIGNMENT = "reassignment", _("Reassignment")
    ORDERED_RESIGNATION = "ordered_resignation", _("Ordered to resign")
    REMOVAL = "removal", _("Removal from post")
    DEMOTION = "demotion", _("Demotion")
    WARNING = "warning", pgettext_lazy("party sanction", "Warning")
    SERIOUS_WARNING = "serious_warning", _("Serious warning")
    REMOVAL_FROM_PARTY_POST = "removal_from_party_post", _("Removal from party posts")
    PROBATION = "probation", _("Probation within the party")
    EXPULSION = "expulsion", _("Expulsion from the party")


MEASURES_BY_FORM: dict[str, tuple[str, ...]] = {
    Form.ORGANISATIONAL_HANDLING: (
        Measure.SUSPENSION,
        Measure.REASSIGNMENT,
        Measure.ORDERED_RESIGNATION,
        Measure.REMOVAL,
        Measure.DEMOTION,
    ),
    Form.DISCIPLINE: (
        Measure.WARNING,
        Measure.SERIOUS_WARNING,
        Measure.REMOVAL_FROM_PARTY_POST,
        Measure.PROBATION,
        Measure.EXPULSION,
    ),
}

# Impact periods (影响期): DeadlineRule codes per form or measure; several rules may apply, the longest wins.
IMPACT_RULES: dict[str, tuple[str, ...]] = {
    Form.ADMONISHMENT: ("impact_admonishment",),
    Measure.REASSIGNMENT: ("impact_adjustment",),
    Measure.DEMOTION: ("impact_adjustment",),
    Measure.ORDERED_RESIGNATION: ("impact_dismissal_no_leading_post", "impact_dismissal_not_above_level"),
    Measure.REMOVAL: ("impact_dismissal_no_leading_post", "impact_dismissal_not_above_level"),
    Measure.WARNING: ("impact_warning",),
    Measure.SERIOUS_WARNING: ("impact_serious_warning",),
    Measure.REMOVAL_FROM_PARTY_POST: ("impact_removal_from_party_post",),
    Measure.PROBATION: ("impact_probation",),
    Measure.EXPULSION: ("impact_expulsion",),
}


class DecidedForm(models.Model):
    """A form of accountability decided for one target, with its impact period."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="forms"
    )
    form = models.CharField(_("form of accountability"), max_length=32, choices=Form.choices)
    measure = models.CharField(_("measure"), max_length=32, choices=Measure.choices, blank=True)
    impact_starts_on = models.DateField(_("impact period starts"), null=True, blank=True)
    impact_ends_on = models.DateField(_("impact period ends"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decided form")
        verbose_name_plural = _("decided forms")
        ordering = ["pk"]
        constraints = [
            # Once among the forms in effect: a modified appeal may decide again a form it revoked.
            models.UniqueConstraint(
                fields=["target", "form", "measure"],
                condition=Q(revoked=False),
                name="decided_form_once_per_target",
            ),
        ]
        indexes = [models.Index(fields=["form"], name="decided_form_form_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        form = str(Form(self.form).label)
        return f"{form}（{Measure(self.measure).label}）" if self.measure else form

    def impact_running_on(self, day: dt.date) -> bool:
        return (
            not self.revoked
            and self.impact_ends_on is not None
            and self.impact_starts_on is not None
            and self.impact_starts_on <= day < self.impact_ends_on
        )


class InvestigationTeamMember(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="team")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    is_leader = models.BooleanField(_("team leader"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("investigation team member")
        verbose_name_plural = _("investigation team")
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="team_member_once_per_case")]

    def __str__(self) -> str:
        return str(self.person)


class CaseTransition(models.Model):
    """The audit row of one transition: who moved the case from which state to which, when and why."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="transitions"
    )
    name = models.CharField(_("transition"), max_length=32)
    source_state = models.CharField(_("from"), max_length=16, choices=CaseState.choices, blank=True)
    target_state = models.CharField(_("to"), max_length=16, choices=CaseState.choices)
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
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("case transition")
        verbose_name_plural = _("case transitions")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.source_state} → {self.target_state}"


ATTACHMENT_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".ofd", ".txt"}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name (accountability/files.py): the case id and the original name stay in the row."""
    return unguessable_name("cases", filename)


class Attachment(models.Model):
    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("Evidence")
        STATEMENT = "statement", _("Statement and defence")
        REPORT = "report", _("Investigation report")
        MEETING = "meeting", _("Meeting minutes")
        DECISION = "decision", _("Decision document")
        DELIVERY = "delivery", _("Proof of delivery")
        SELF_CRITICISM = "self_criticism", _("Written self-criticism")
        APPEAL = "appeal", _("Appeal")
        OTHER = "other", _("Other")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
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
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


def user_display(user: User | Any) -> str:
    return (user.get_full_name() or user.username) if user else ""
