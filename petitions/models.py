"""Petitions (信访): the petition and its deadlines, petition-work responsibility, annual supervision and
the yearly assessment.

State and transition names are a contract, like those of cases. Transitions are declared here with
django-fsm-2 so that `can_proceed` and the admin know them; only `petitions/actions/` runs them, after
checking the guards in `petitions/guards.py`, and writes the audit row (PetitionTransition).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from accountability.chinese import document_number
from registry.models import Clause, OrgUnit, Person

PETITION_NUMBER_PREFIX = "信访"
PETITION_NUMBER_KIND = "petition"

# The regulations petitions are judged by (reference data, looked up by code).
RESPONSIBILITY_REGULATION = "petition-responsibility-2016"
PETITION_WORK_REGULATION = "petition-work-2022"
# The six situations of Art. 11 of the 2016 implementing measures, by clause code.
ARTICLE_11_SITUATIONS = ("11.1", "11.2", "11.3", "11.4", "11.5", "11.6")


def can_process(instance: models.Model, user: AbstractUser | AnonymousUser | PermissionsMixin) -> bool:
    """The fsm permission of every step: the model permission, read from the user's cached permissions
    (petitions have no object permissions; who may see which petition is petitions/access.py's)."""
    return bool(user.has_perm("petitions.process_petition"))


class Channel(models.TextChoices):
    LETTER = "letter", pgettext_lazy("petition channel", "Letter")
    VISIT = "visit", pgettext_lazy("petition channel", "Visit")
    ONLINE = "online", pgettext_lazy("petition channel", "Online")
    PHONE = "phone", pgettext_lazy("petition channel", "Telephone")
    HOTLINE_12388 = "hotline_12388", pgettext_lazy("petition channel", "12388 report")


class PetitionState(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("petition state", "Registered")
    ACCEPTED = "accepted", pgettext_lazy("petition state", "Accepted")
    NOT_ACCEPTED = "not_accepted", pgettext_lazy("petition state", "Not accepted")
    HANDLING = "handling", pgettext_lazy("petition state", "Being handled")
    CONCLUDED = "concluded", pgettext_lazy("petition state", "Concluded")
    REVIEW_REQUESTED = "review_requested", pgettext_lazy("petition state", "Under review")
    REVIEWED = "reviewed", pgettext_lazy("petition state", "Reviewed")
    REREVIEW_REQUESTED = "rereview_requested", pgettext_lazy("petition state", "Under re-review")
    REREVIEWED = "rereviewed", pgettext_lazy("petition state", "Re-reviewed")
    WITHDRAWN = "withdrawn", pgettext_lazy("petition state", "Withdrawn")


TERMINAL_STATES = (PetitionState.NOT_ACCEPTED, PetitionState.REREVIEWED, PetitionState.WITHDRAWN)


class Outcome(models.TextChoices):
    """The three kinds of handling opinion of Art. 32 of the 2022 regulations."""

    SUPPORTED = "supported", pgettext_lazy("petition outcome", "Request supported")
    EXPLAINED = "explained", pgettext_lazy("petition outcome", "Reasonable but no legal basis: explained")
    NOT_SUPPORTED = "not_supported", pgettext_lazy("petition outcome", "Request not supported")


class ReviewOutcome(models.TextChoices):
    UPHELD = "upheld", pgettext_lazy("petition review", "Original opinion upheld")
    CHANGED = "changed", pgettext_lazy("petition review", "Original opinion changed")
    REVOKED = "revoked", pgettext_lazy("petition review", "Original opinion revoked and redone")


class Petition(ConcurrentTransitionMixin, models.Model):
    """One petition (信访事项), numbered 信访〔2026〕第0001号 (gap-free per year)."""

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    subject = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content of the petition"))

    # The petitioner: personal data shown in full only to the petition officers handling the petition.
    anonymous = models.BooleanField(_("anonymous"), default=False)
    petitioner_name = models.CharField(_("petitioner's name"), max_length=64, blank=True)
    petitioner_id_number = models.CharField(_("petitioner's ID number"), max_length=18, blank=True)
    petitioner_phone = models.CharField(_("petitioner's phone"), max_length=20, blank=True)
    petitioner_address = models.CharField(_("petitioner's address"), max_length=200, blank=True)

    complained_person = models.ForeignKey(
        Person,
        verbose_name=_("person complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_about",
    )
    complained_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_about",
    )
    responsible_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="petitions",
        help_text=_("The unit responsible under territorial management (属地管理); it decides jurisdiction."),
    )
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handlers"),
        through="PetitionHandler",
        through_fields=("petition", "user"),
        related_name="handled_petitions",
        blank=True,
    )
    state = FSMField(
        _("state"), default=PetitionState.REGISTERED, choices=PetitionState.choices, protected=True
    )

    # Acceptance (受理) or not
    decided_on = models.DateField(_("acceptance decided on"), null=True, blank=True)
    acceptance_note = models.TextField(_("acceptance note or reason for not accepting"), blank=True)
    # Handling (转送/交办 and the handling itself)
    handling_started_on = models.DateField(_("handling started on"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    # Conclusion (办结): the handling opinion (信访处理意见书) and the written reply
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    outcome = models.CharField(
        pgettext_lazy("petition", "outcome"), max_length=16, choices=Outcome.choices, blank=True
    )
    opinion = models.TextField(_("handling opinion"), blank=True)
    reply_received_on = models.DateField(
        _("written reply received on"),
        null=True,
        blank=True,
        help_text=_("The petitioner received the written reply: the review window starts here."),
    )
    # Review (复查, Art. 35) and re-review (复核, Art. 36)
    review_requested_on = models.DateField(_("review requested on"), null=True, blank=True)
    review_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("reviewing body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_grounds = models.TextField(_("grounds for review"), blank=True)
    review_decided_on = models.DateField(_("review opinion issued on"), null=True, blank=True)
    review_outcome = models.CharField(
        _("review outcome"), max_length=16, choices=ReviewOutcome.choices, blank=True
    )
    review_opinion = models.TextField(_("review opinion"), blank=True)
    review_reply_received_on = models.DateField(_("review opinion received on"), null=True, blank=True)
    rereview_requested_on = models.DateField(_("re-review requested on"), null=True, blank=True)
    rereview_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("re-reviewing body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rereview_grounds = models.TextField(_("grounds for re-review"), blank=True)
    rereview_decided_on = models.DateField(_("re-review opinion issued on"), null=True, blank=True)
    rereview_outcome = models.CharField(
        _("re-review outcome"), max_length=16, choices=ReviewOutcome.choices, blank=True
    )
    rereview_opinion = models.TextField(_("re-review opinion"), blank=True)
    # Withdrawal
    end_reason = models.TextField(_("reason for withdrawal"), blank=True)

    # The office's next legal deadline in the current state, kept by the actions: "overdue" is one
    # indexed filter (next_due_on < today); empty when nothing is owed (concluded, closed...).
    next_due_on = models.DateField(_("next deadline"), null=True, blank=True)
    next_due_rule = models.CharField(_("next deadline rule"), max_length=64, blank=True)

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The petitioner's personal data stays out of the history tables (admins can browse those).
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "petitioner_name",
            "petitioner_id_number",
            "petitioner_phone",
            "petitioner_address",
        ]
    )

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="petition_unique_number"),
        ]
        indexes = [
            models.Index(fields=["state", "-year", "-sequence"], name="petition_state_number_idx"),
            models.Index(fields=["next_due_on"], name="petition_next_due_idx"),
            models.Index(fields=["received_on"], name="petition_received_idx"),
        ]
        permissions = [
            ("process_petition", _("Can register, accept, handle and conclude petitions")),
            ("approve_extension", _("Can approve extending a petition's handling period")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        return document_number(PETITION_NUMBER_PREFIX, self.year, self.sequence)

    @property
    def is_open(self) -> bool:
        return self.state not in TERMINAL_STATES

    @property
    def state_label(self) -> str:
        return str(PetitionState(self.state).label)

    def is_overdue(self, today: dt.date) -> bool:
        return self.next_due_on is not None and self.next_due_on < today

    # Transitions; guards live in petitions/guards.py and are checked by the actions.

    @transition(
        field=state,
        source=PetitionState.REGISTERED,
        target=PetitionState.ACCEPTED,
        permission=can_process,
    )
    def accept(self) -> None:
        pass

    @transition(
        field=state,
        source=PetitionState.REGISTERED,
        target=PetitionState.NOT_ACCEPTED,
        permission=can_process,
    )
    def reject(self) -> None:
        pass

    @transition(
        field=state,
        source=PetitionState.ACCEPTED,
        target=PetitionState.HANDLING,
        permission=can_process,
    )
    def start_handling(self) -> None:
        pass

    @transition(
        field=state,
        source=PetitionState.HANDLING,
        target=PetitionState.CONCLUDED,
        permission=can_process,
    )
    def conclude(self) -> None:
        pass

    @transition(
        field=state,
        source=PetitionState.CONCLUDED,
        target=PetitionState.REVIEW_REQUESTED,
        permission=can_process,
    )
    def request_review(self) -> None:
        pass

    @transition(
        field=state,
        source=PetitionState.REVIEW_REQUESTED,
        target=PetitionState.REVIEWED,
        permission=can_process,
    )
    def decide_review(self) -> None:
        pass

    @transition(
        field=state,
        source=PetitionState.REVIEWED,
        target=PetitionState.REREVIEW_REQUESTED,
        permission=can_process,
    )
    def request_rereview(self) -> None:
        pass

    @transition(
        field=state,
        source=PetitionState.REREVIEW_REQUESTED,
        target=PetitionState.REREVIEWED,
        permission=can_process,
    )
    def decide_rereview(self) -> None:
        pass

    @transition(
        field=state,
        source=[PetitionState.REGISTERED, PetitionState.ACCEPTED, PetitionState.HANDLING],
        target=PetitionState.WITHDRAWN,
        permission=can_process,
    )
    def withdraw(self) -> None:
        pass


class PetitionHandler(models.Model):
    """A petition officer assigned to handle a petition (承办人): they see the petitioner in full."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handler"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("petition handler")
        verbose_name_plural = _("petition handlers")
        constraints = [
            models.UniqueConstraint(fields=["petition", "user"], name="petition_handler_once"),
        ]
        indexes = [models.Index(fields=["user", "petition"], name="petition_handler_user_idx")]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.user_id}"


STEP_LABELS = {
    "register": pgettext_lazy("petition step", "Registered"),
    "accept": pgettext_lazy("petition step", "Accepted"),
    "reject": pgettext_lazy("petition step", "Not accepted"),
    "start_handling": pgettext_lazy("petition step", "Handed over for handling"),
    "conclude": pgettext_lazy("petition step", "Concluded"),
    "request_review": pgettext_lazy("petition step", "Review requested"),
    "decide_review": pgettext_lazy("petition step", "Review opinion issued"),
    "request_rereview": pgettext_lazy("petition step", "Re-review requested"),
    "decide_rereview": pgettext_lazy("petition step", "Re-review opinion issued"),
    "withdraw": pgettext_lazy("petition step", "Withdrawn"),
    "extension_approved": pgettext_lazy("petition step", "Extension approved"),
    "extension_refused": pgettext_lazy("petition step", "Extension refused"),
    "refer_failure": pgettext_lazy("petition step", "Referred for accountability"),
    "correct": pgettext_lazy("petition step", "Registration corrected"),
}


class PetitionTransition(models.Model):
    """The audit row of one step: who moved the petition from which state to which, when and why."""

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.CASCADE, related_name="transitions"
    )
    name = models.CharField(pgettext_lazy("petition", "step"), max_length=32)
    source_state = models.CharField(_("from"), max_length=20, choices=PetitionState.choices, blank=True)
    target_state = models.CharField(_("to"), max_length=20, choices=PetitionState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    was_late = models.BooleanField(_("after the deadline"), default=False)

    class Meta:
        verbose_name = _("petition step")
        verbose_name_plural = _("petition steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.source_state} → {self.target_state}"

    @property
    def label(self) -> str:
        return str(STEP_LABELS.get(self.name, self.name))


class PetitionExtension(models.Model):
    """The one extension of the handling period (Art. 34): asked for with a reason, decided by a leader."""

    class Decision(models.TextChoices):
        PENDING = "pending", pgettext_lazy("extension", "Awaiting approval")
        APPROVED = "approved", pgettext_lazy("extension", "Approved")
        REFUSED = "refused", pgettext_lazy("extension", "Refused")

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.CASCADE, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField(_("days"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField(_("requested on"))
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension of the handling period")
        verbose_name_plural = _("extensions of the handling period")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition"], condition=Q(decision="approved"), name="petition_one_approved_extension"
            ),
            models.UniqueConstraint(
                fields=["petition"], condition=Q(decision="pending"), name="petition_one_pending_extension"
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="petition_extension_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}: +{self.days}"


class SubjectKind(models.TextChoices):
    """The five kinds of responsibility subject of the 2016 implementing measures (Ch. 2)."""

    LEADERSHIP_TEAM = "leadership_team", _("Leadership team of a party or government organ")
    LEADING_CADRE = "leading_cadre", _("Leading cadre")
    WORKING_DEPARTMENT = "working_department", _("Working department")
    VERTICAL_DEPARTMENT = "vertical_department", _("Vertically managed department")
    LOCAL_COMMITTEE = "local_committee", _("Local party committee and government")


SUBJECT_DUTIES = {
    SubjectKind.LEADERSHIP_TEAM: _(
        "Put petition work on the agenda, provide the people and means, decide scientifically and "
        "democratically to prevent disputes at the source; the principal leader is responsible overall."
    ),
    SubjectKind.LEADING_CADRE: _(
        "Read and instruct on letters and online petitions, receive visiting petitioners regularly, "
        "coordinate difficult and complex petition problems."
    ),
    SubjectKind.WORKING_DEPARTMENT: _(
        "Handle the petitions within its remit promptly and properly, by law and procedure."
    ),
    SubjectKind.VERTICAL_DEPARTMENT: _(
        "Be responsible for petition work in its own system and push lower units to resolve problems "
        "lawfully, promptly and locally."
    ),
    SubjectKind.LOCAL_COMMITTEE: _(
        "Bear the main responsibility for preventing and resolving the petition problems of the area: "
        "screening disputes, warning of risks, assigning responsibility, supervising resolution."
    ),
}


class ResponsibilityLevel(models.TextChoices):
    """Art. 11 ¶2: individual responsibility (direct, leadership) and collective responsibility."""

    DIRECT = "direct", _("Direct responsibility")
    LEADERSHIP = "leadership", _("Leadership responsibility")
    PRINCIPAL_LEADERSHIP = "principal_leadership", _("Principal leadership responsibility")
    IMPORTANT_LEADERSHIP = "important_leadership", _("Important leadership responsibility")
    NO_LEADERSHIP = "no_leadership", _("No leadership responsibility (dissent on record)")


INDIVIDUAL_LEVELS = (ResponsibilityLevel.DIRECT, ResponsibilityLevel.LEADERSHIP)
COLLECTIVE_LEVELS = (
    ResponsibilityLevel.PRINCIPAL_LEADERSHIP,
    ResponsibilityLevel.IMPORTANT_LEADERSHIP,
    ResponsibilityLevel.NO_LEADERSHIP,
)


class PetitionResponsibility(models.Model):
    """Who bore petition-work responsibility for this petition's handling, and at which level.

    A row names a responsible body (org_unit, of one of the five subject kinds) and, for an individual,
    the person in it with their level; a body alone carries the collective responsibility of its team.
    """

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.CASCADE, related_name="responsibilities"
    )
    subject_kind = models.CharField(
        _("kind of responsibility subject"), max_length=24, choices=SubjectKind.choices
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("responsible body"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petition_responsibilities",
    )
    level = models.CharField(
        _("responsibility level"), max_length=24, choices=ResponsibilityLevel.choices, blank=True
    )
    duty = models.TextField(_("duty concerned"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("petition-work responsibility")
        verbose_name_plural = _("petition-work responsibilities")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True, level="") | Q(person__isnull=False) & ~Q(level=""),
                name="petition_responsibility_level_iff_person",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.person.name if self.person_id and self.person else self.org_unit.name

    @property
    def is_collective(self) -> bool:
        return self.person_id is None or self.level in COLLECTIVE_LEVELS


class PetitionFailure(models.Model):
    """A failure of petition work in one of the six ways of Art. 11, referred as an accountability clue.

    The draft case it opened is `case`; the case page links back here (petitions/integrity.py).
    """

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="failures"
    )
    situation = models.ForeignKey(
        Clause, verbose_name=_("situation (Art. 11)"), on_delete=models.PROTECT, related_name="+"
    )
    facts = models.TextField(_("facts of the failure"))
    conduct_date = models.DateField(_("date of the failure"))
    responsibilities = models.ManyToManyField(
        PetitionResponsibility, verbose_name=_("responsible"), related_name="failures"
    )
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("accountability case"),
        on_delete=models.PROTECT,
        related_name="petition_failure",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("referred by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("referred at"), auto_now_add=True)

    class Meta:
        verbose_name = _("petition-work failure referred")
        verbose_name_plural = _("petition-work failures referred")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "situation"], name="petition_failure_once_per_situation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.situation_id}"


class SupervisionPlan(models.Model):
    """The special supervision of petition-work responsibility a unit must receive each year (Art. 38)."""

    class State(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("supervision", "Not yet supervised")
        DONE = "done", pgettext_lazy("supervision", "Supervised")
        MISSED = "missed", pgettext_lazy("supervision", "Missed")

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="supervision_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PLANNED)
    supervised_on = models.DateField(_("supervised on"), null=True, blank=True)
    supervised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    findings = models.TextField(pgettext_lazy("supervision", "findings"), blank=True)
    missed_on = models.DateField(_("marked missed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual supervision plan")
        verbose_name_plural = _("annual supervision plans")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="supervision_plan_once_per_unit_year"),
        ]
        indexes = [models.Index(fields=["year", "state"], name="supervision_year_state_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.unit_id}"


class SupervisionReminder(models.Model):
    """One reminder step sent for one plan: the unique (plan, kind, period) claims it, so a rerun sends
    nothing twice. `run` names the task run that claimed it."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", pgettext_lazy("supervision", "Monthly reminder")
        ESCALATION = "escalation", pgettext_lazy("supervision", "Fourth-quarter escalation")
        MISSED = "missed", pgettext_lazy("supervision", "Marked missed at year end")

    plan = models.ForeignKey(
        SupervisionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=7, help_text=_("2026-03 for a month, 2026 for a year"))
    run = models.UUIDField(_("task run"), db_index=True)
    sent_on = models.DateField(_("sent on"))

    class Meta:
        verbose_name = _("supervision reminder")
        verbose_name_plural = _("supervision reminders")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "period"], name="supervision_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.kind} {self.period}"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", pgettext_lazy("assessment grade", "Excellent")
    GOOD = "good", pgettext_lazy("assessment grade", "Good")
    FAIR = "fair", pgettext_lazy("assessment grade", "Fair")
    POOR = "poor", pgettext_lazy("assessment grade", "Poor")


class Assessment(models.Model):
    """The yearly assessment of a unit's petition work (Art. 39). Honours eligibility is never stored:
    it is derived from admonishment (诫勉) decisions about the unit's petition work that year."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="petition_assessments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    notes = models.TextField(_("notes"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["assessed_at"])

    class Meta:
        verbose_name = _("petition-work assessment")
        verbose_name_plural = _("petition-work assessments")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="assessment_once_per_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit_id}: {self.grade}"
