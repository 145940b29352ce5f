"""Petition pages. Thin: fetch through petitions/access.py, parse with petitions/forms.py, act with
petitions/actions/. The steps' buttons and pages come from `STEPS` through kernel/action_views.py, as in
every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accountability.grants import access_log
from accountability.submissions import already_sent, submit_once
from accountability.typing import AuthenticatedRequest
from accountability.validation import show_problems
from kernel.action_views import Step, Steps, cleaned, done, submit
from kernel.xlsx import Sheet, xlsx_response

from . import actions, forms
from .access import (
    can_work_on_petitions,
    get_petition_for_user,
    get_plan_for_user,
    may_assign_handlers,
    petitioner_for_display,
    petitions_for_user,
    plans_for_user,
    units_for_user,
)
from .actions import PetitionActionError, PetitionPermissionError
from .assessment import assessment_rows
from .deadlines import deadlines_for_display, max_extension_days, today
from .exports import petitions_sheet
from .filters import PetitionFilter
from .models import (
    Grade,
    Petition,
    PetitionExtension,
    PetitionFailure,
    PetitionHandler,
    PetitionResponsibility,
    PetitionState,
    SupervisionPlan,
)

PAGE_SIZE = 30
EXPORT_LIMIT = 20000


def _posted(request: AuthenticatedRequest) -> Any:
    """The submitted data, even when empty: an empty POST is a submission to validate, not a GET."""
    return request.POST if request.method == "POST" else None


def _require_petition_role(request: AuthenticatedRequest) -> None:
    if not can_work_on_petitions(request.user):
        raise PermissionDenied


def _require_officer(request: AuthenticatedRequest) -> None:
    if not request.user.has_perm("petitions.process_petition"):
        raise PermissionDenied


def _detail_url(petition: Petition) -> str:
    return reverse("petitions:detail", args=[petition.pk])


def _form_page(request: AuthenticatedRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    template = "petitions/_action_form.html" if request.htmx else "petitions/action_page.html"
    return render(request, template, context, status=status)


def _year(request: AuthenticatedRequest) -> int:
    try:
        year = int(request.GET.get("year") or today().year)
    except ValueError:
        year = today().year
    return min(max(year, 2000), today().year + 1)


# --- Petitions ---------------------------------------------------------------------------------------


def _filtered(request: AuthenticatedRequest) -> tuple[PetitionFilter, QuerySet[Petition]]:
    petition_filter = PetitionFilter(
        request.GET or None, queryset=petitions_for_user(request.user), user=request.user
    )
    petitions = petition_filter.qs if petition_filter.is_bound else petition_filter.queryset
    if not request.GET.get("sort"):
        petitions = petitions.order_by("-year", "-sequence")
    return petition_filter, petitions


@login_required
def petition_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_petition_role(request)
    petition_filter, petitions = _filtered(request)
    page = Paginator(petitions, PAGE_SIZE).get_page(request.GET.get("page"))
    on = today()
    rows = []
    for petition in page:
        days_left = (petition.next_due_on - on).days if petition.next_due_on else None
        rows.append(
            {
                "petition": petition,
                "petitioner": petitioner_for_display(petition, petition.personal_visible),  # type: ignore[attr-defined]
                "days_left": days_left,
                "overdue_days": -days_left if days_left is not None and days_left < 0 else 0,
                "overdue": petition.is_overdue(on),
            }
        )
    template = (
        "petitions/_petition_table.html"
        if request.htmx and request.htmx.target == "petition-table"
        else "petitions/petition_list.html"
    )
    return render(
        request,
        template,
        {
            "filter": petition_filter,
            "page": page,
            "rows": rows,
            "can_register": request.user.has_perm("petitions.process_petition"),
        },
    )


@login_required
def petition_export(request: AuthenticatedRequest) -> HttpResponse:
    _require_petition_role(request)
    _filter, petitions = _filtered(request)
    return xlsx_response("petitions.xlsx", petitions_sheet(petitions[:EXPORT_LIMIT], today()))


@login_required
@require_http_methods(["GET", "POST"])
def petition_create(request: AuthenticatedRequest) -> HttpResponse:
    _require_officer(request)
    form = forms.PetitionForm(_posted(request), initial={"received_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            sent = submit_once(
                request.user,
                form.cleaned_data["submission_key"],
                "petitions.petition",
                lambda: actions.register_petition(form.petition_data(), by=request.user),
                _detail_url,
            )
        except PetitionActionError as error:
            show_problems(form, error.messages)
        else:
            if sent.record is None:
                return already_sent(request, sent.first_url)
            petition = sent.record
            return done(
                request,
                _detail_url(petition),
                _("Petition %(number)s registered.") % {"number": petition.number},
            )
    return render(request, "petitions/petition_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def petition_correct(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    _require_officer(request)
    # The form shows the petitioner in full: only to those who may see it so.
    if not petition.personal_visible:  # type: ignore[attr-defined]
        raise PermissionDenied
    initial = {
        "expected_state": petition.state,
        "channel": petition.channel,
        "received_on": petition.received_on,
        "subject": petition.subject,
        "content": petition.content,
        "responsible_unit": petition.responsible_unit_id,
        "complained_unit": petition.complained_unit_id,
        "complained_person": petition.complained_person.staff_no if petition.complained_person else "",
        "anonymous": petition.anonymous,
        "petitioner_name": petition.petitioner_name,
        "petitioner_id_number": petition.petitioner_id_number,
        "petitioner_phone": petition.petitioner_phone,
        "petitioner_address": petition.petitioner_address,
    }
    form = forms.CorrectionForm(_posted(request), initial=initial)
    return _simple_form_view(
        request,
        petition,
        form,
        title=_("Correct the registration"),
        action_url=reverse("petitions:correct", args=[petition.pk]),
        perform=lambda data: actions.correct_petition(
            petition,
            form.petition_data(),
            by=request.user,
            reason=data["reason"],
            expected_state=data.get("expected_state") or None,
        ),
        success=_("Registration corrected."),
    )


@login_required
def petition_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    officer = request.user.has_perm("petitions.process_petition")
    extensions = list(petition.extensions.select_related("requested_by", "decided_by"))
    pending = next((e for e in extensions if e.decision == PetitionExtension.Decision.PENDING), None)
    approved = any(e.decision == PetitionExtension.Decision.APPROVED for e in extensions)
    responsibilities = list(
        PetitionResponsibility.objects.filter(petition=petition)
        .select_related("org_unit", "person")
        .order_by("pk")
    )
    context = {
        "petition": petition,
        "petitioner": petitioner_for_display(petition, petition.personal_visible),  # type: ignore[attr-defined]
        "personal_visible": petition.personal_visible,  # type: ignore[attr-defined]
        "handlers": list(
            PetitionHandler.objects.filter(petition=petition).select_related("user").order_by("pk")
        ),
        "can_assign_handlers": may_assign_handlers(request.user, petition),
        "access_log": access_log(petition),
        "deadlines": deadlines_for_display(petition),
        "transitions": list(petition.transitions.select_related("by")),
        "extensions": extensions,
        "responsibilities": responsibilities,
        "failures": list(
            PetitionFailure.objects.filter(petition=petition)
            .select_related("situation__regulation", "case")
            .prefetch_related(
                Prefetch(
                    "responsibilities",
                    queryset=PetitionResponsibility.objects.select_related("person", "org_unit"),
                )
            )
        ),
        "buttons": STEPS.available(petition, request.user),
        "officer": officer,
        "can_extend": officer
        and petition.state == PetitionState.HANDLING
        and not approved
        and pending is None,
        "pending_extension": pending,
        "can_decide_extension": pending is not None and request.user.has_perm("petitions.approve_extension"),
        "can_refer": officer and any(not r.withdrawn for r in responsibilities),
        "today": today(),
    }
    return render(request, "petitions/petition_detail.html", context)


def _dated(*names: str) -> Callable[[Petition], dict[str, Any]]:
    """The form's date fields, filled with today."""
    return lambda petition: dict.fromkeys(names, today())


def _handover(form: Any) -> dict[str, Any]:
    return {**cleaned("started_on", "comment")(form), "handlers": list(form.cleaned_data["handlers"])}


# The steps the petition pages offer: form, button label, action. A warning button ends the petition.
STEPS: Steps[Petition] = Steps(
    {
        "accept": Step(
            forms.AcceptForm,
            pgettext_lazy("petition", "Accept"),
            actions.accept_petition,
            cleaned("decided_on", "note"),
            initial=_dated("decided_on"),
        ),
        "reject": Step(
            forms.RejectForm,
            gettext_lazy("Do not accept"),
            actions.reject_petition,
            cleaned("decided_on", "reason"),
            warning=True,
            initial=_dated("decided_on"),
        ),
        "start_handling": Step(
            forms.StartHandlingForm,
            gettext_lazy("Hand over for handling"),
            actions.start_handling,
            _handover,
            initial=_dated("started_on"),
        ),
        "conclude": Step(
            forms.ConcludeForm,
            gettext_lazy("Conclude"),
            actions.conclude_petition,
            cleaned("concluded_on", "outcome", "opinion", "reply_received_on", "comment"),
            initial=_dated("concluded_on", "reply_received_on"),
        ),
        "request_review": Step(
            forms.ReviewRequestForm,
            gettext_lazy("Record a review request"),
            actions.request_review,
            cleaned("requested_on", "grounds", "comment", review_unit="unit"),
            initial=_dated("requested_on"),
        ),
        "decide_review": Step(
            forms.ReviewDecisionForm,
            gettext_lazy("Record the review opinion"),
            actions.decide_review,
            cleaned("decided_on", "outcome", "opinion", "reply_received_on", "comment"),
            initial=_dated("decided_on", "reply_received_on"),
        ),
        "request_rereview": Step(
            forms.ReviewRequestForm,
            gettext_lazy("Record a re-review request"),
            actions.request_rereview,
            cleaned("requested_on", "grounds", "comment", rereview_unit="unit"),
            initial=_dated("requested_on"),
        ),
        "decide_rereview": Step(
            forms.RereviewDecisionForm,
            gettext_lazy("Record the re-review opinion"),
            actions.decide_rereview,
            cleaned("decided_on", "outcome", "opinion", "comment"),
            initial=_dated("decided_on"),
        ),
        "withdraw": Step(
            forms.WithdrawForm,
            gettext_lazy("Withdraw"),
            actions.withdraw_petition,
            cleaned("reason"),
            warning=True,
        ),
    }
)


@login_required
@require_http_methods(["GET", "POST"])
def petition_act(request: AuthenticatedRequest, pk: int, name: str) -> HttpResponse:
    step = STEPS[name]
    petition = get_petition_for_user(request.user, pk)
    if not request.user.has_perm("petitions.process_petition"):
        raise PermissionDenied
    form = STEPS.form(name, petition, _posted(request), request.user)
    sent = STEPS.submit(request, name, petition, form)
    if sent.done:
        message = _("Done: the petition is now “%(state)s”.") % {"state": sent.result.state_label}
        return done(request, _detail_url(petition), message)
    context = {
        "form": form,
        "petition": petition,
        "title": step.label,
        "action_url": reverse("petitions:act", args=[petition.pk, name]),
    }
    return _form_page(request, context, sent.status)


def _simple_form_view(
    request: AuthenticatedRequest,
    petition: Petition,
    form: Any,
    *,
    title: str | Promise,
    action_url: str,
    perform: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
) -> HttpResponse:
    """GET shows the form; a valid POST runs `perform(cleaned_data)`; errors keep what was typed."""
    sent = submit(request, form, lambda: perform(form.cleaned_data))
    if sent.done:
        message = success if isinstance(success, str) else success(sent.result)
        return done(request, _detail_url(petition), message)
    context = {"form": form, "petition": petition, "title": title, "action_url": action_url}
    return _form_page(request, context, sent.status)


@login_required
@require_http_methods(["GET", "POST"])
def petition_handlers(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    if not may_assign_handlers(request.user, petition):
        raise PermissionDenied
    form = forms.HandlersForm(_posted(request))
    return _simple_form_view(
        request,
        petition,
        form,
        title=_("Add handlers"),
        action_url=reverse("petitions:handlers", args=[petition.pk]),
        perform=lambda data: actions.assign_handlers(petition, list(data["handlers"]), by=request.user),
        success=_("Handlers added."),
    )


@login_required
@require_POST
def petition_handler_remove(request: AuthenticatedRequest, pk: int, user_pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    if not may_assign_handlers(request.user, petition):
        raise PermissionDenied
    handler = get_object_or_404(
        PetitionHandler.objects.select_related("user"), petition=petition, user_id=user_pk
    )
    try:
        actions.remove_handler(petition, handler.user, by=request.user)
    except PetitionPermissionError as error:
        raise PermissionDenied from error
    except PetitionActionError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("petitions:detail", pk=petition.pk)
    return done(request, _detail_url(petition), _("Handler removed."))


@login_required
@require_http_methods(["GET", "POST"])
def extension_request(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    _require_officer(request)
    form = forms.ExtensionForm(_posted(request), initial={"days": max_extension_days()})
    return _simple_form_view(
        request,
        petition,
        form,
        title=_("Ask for an extension of the handling period"),
        action_url=reverse("petitions:extension", args=[petition.pk]),
        perform=lambda data: actions.request_extension(
            petition, by=request.user, days=data["days"], reason=data["reason"]
        ),
        success=_("The extension awaits a leader's approval."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_decide(request: AuthenticatedRequest, pk: int, extension_pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    if not request.user.has_perm("petitions.approve_extension"):
        raise PermissionDenied
    extension = get_object_or_404(PetitionExtension, pk=extension_pk, petition=petition)
    form = forms.ExtensionDecisionForm(_posted(request))
    return _simple_form_view(
        request,
        petition,
        form,
        title=_("Decide on the extension (%(days)d days)") % {"days": extension.days},
        action_url=reverse("petitions:extension_decide", args=[petition.pk, extension.pk]),
        perform=lambda data: actions.decide_extension(
            extension, by=request.user, approve=data["decision"] == "approve", note=data["note"]
        ),
        success=_("Extension decided."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def responsibility_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    _require_officer(request)
    form = forms.ResponsibilityForm(_posted(request), initial={"org_unit": petition.responsible_unit_id})
    return _simple_form_view(
        request,
        petition,
        form,
        title=_("Record petition-work responsibility"),
        action_url=reverse("petitions:responsibility_add", args=[petition.pk]),
        perform=lambda data: actions.record_responsibility(petition, form.spec(), by=request.user),
        success=_("Responsibility recorded."),
    )


@login_required
@require_POST
def responsibility_withdraw(request: AuthenticatedRequest, pk: int, responsibility_pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    _require_officer(request)
    responsibility = get_object_or_404(PetitionResponsibility, pk=responsibility_pk, petition=petition)
    try:
        actions.withdraw_responsibility(responsibility, by=request.user)
    except PetitionActionError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("petitions:detail", pk=petition.pk)
    return done(request, _detail_url(petition), _("Responsibility withdrawn."))


@login_required
@require_http_methods(["GET", "POST"])
def failure_refer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    petition = get_petition_for_user(request.user, pk)
    _require_officer(request)
    candidates = PetitionResponsibility.objects.filter(petition=petition, withdrawn=False).select_related(
        "person", "org_unit"
    )
    form = forms.FailureForm(_posted(request), responsibilities=candidates, initial={"conduct_date": today()})
    return _simple_form_view(
        request,
        petition,
        form,
        title=_("Refer a petition-work failure for accountability"),
        action_url=reverse("petitions:refer", args=[petition.pk]),
        perform=lambda data: actions.refer_failure(
            petition,
            by=request.user,
            situation=data["situation"],
            facts=data["facts"],
            conduct_date=data["conduct_date"],
            responsibilities=list(data["responsibilities"]),
        ),
        success=lambda failure: (
            _("Accountability clue %(number)s opened from this petition.") % {"number": failure.case.number}
        ),
    )


# --- Annual supervision ------------------------------------------------------------------------------


def _plan_status(plan: SupervisionPlan, on: Any) -> str:
    """done / due / overdue: a plan not done by the fourth quarter is overdue (and escalated); one not
    done by 31 December is missed (also overdue)."""
    if plan.state == SupervisionPlan.State.DONE:
        return "done"
    if plan.state == SupervisionPlan.State.MISSED or plan.year < on.year:
        return "overdue"
    if plan.year == on.year and on.month >= actions.ESCALATION_FROM_MONTH:
        return "overdue"
    return "due"


def _board(request: AuthenticatedRequest) -> tuple[int, QuerySet[SupervisionPlan]]:
    if not request.user.has_perm("petitions.view_supervisionplan"):
        raise PermissionDenied
    year = _year(request)
    plans = (
        plans_for_user(request.user)
        .filter(year=year)
        .annotate(reminder_count=Count("reminders"), last_reminder=Max("reminders__sent_on"))
        .order_by("unit__path", "unit__code")
    )
    status = request.GET.get("status")
    on = today()
    late = Q(state=SupervisionPlan.State.MISSED)
    if year < on.year or on.month >= actions.ESCALATION_FROM_MONTH:
        late |= Q(state=SupervisionPlan.State.PLANNED)
    if status == "done":
        plans = plans.filter(state=SupervisionPlan.State.DONE)
    elif status == "overdue":
        plans = plans.filter(late)
    elif status == "due":
        plans = plans.filter(state=SupervisionPlan.State.PLANNED).exclude(late)
    return year, plans


@login_required
def supervision_board(request: AuthenticatedRequest) -> HttpResponse:
    year, plans = _board(request)
    on = today()
    totals = (
        plans_for_user(request.user)
        .filter(year=year)
        .aggregate(
            total=Count("pk"),
            done=Count("pk", filter=Q(state=SupervisionPlan.State.DONE)),
            missed=Count("pk", filter=Q(state=SupervisionPlan.State.MISSED)),
            planned=Count("pk", filter=Q(state=SupervisionPlan.State.PLANNED)),
        )
    )
    late_open = year < on.year or on.month >= actions.ESCALATION_FROM_MONTH
    totals["overdue"] = totals["missed"] + (totals["planned"] if late_open else 0)
    totals["due"] = 0 if late_open else totals["planned"]
    page = Paginator(plans, 100).get_page(request.GET.get("page"))
    rows = [{"plan": plan, "status": _plan_status(plan, on)} for plan in page]
    return render(
        request,
        "petitions/supervision_board.html",
        {
            "year": year,
            "years": list(range(on.year, on.year - 5, -1)),
            "page": page,
            "rows": rows,
            "totals": totals,
            "status": request.GET.get("status", ""),
            "can_record": request.user.has_perm("petitions.process_petition"),
        },
    )


@login_required
def supervision_export(request: AuthenticatedRequest) -> HttpResponse:
    year, plans = _board(request)
    on = today()
    labels = {"done": _("Supervised"), "due": _("Due"), "overdue": _("Overdue")}
    rows = (
        [
            plan.unit.code,
            plan.unit.name,
            plan.year,
            labels[_plan_status(plan, on)],
            plan.supervised_on,
            plan.findings,
            plan.reminder_count,  # type: ignore[attr-defined]
        ]
        for plan in plans[:EXPORT_LIMIT]
    )
    header = [
        _("Unit code"),
        _("Unit"),
        _("Year"),
        _("Status"),
        _("Supervised on"),
        _("Supervision findings"),
        _("Reminders"),
    ]
    sheet = Sheet(_("Supervision %(year)d") % {"year": year}, header, rows)
    return xlsx_response(f"supervision-{year}.xlsx", sheet)


@login_required
@require_http_methods(["GET", "POST"])
def supervision_record(request: AuthenticatedRequest, plan_pk: int) -> HttpResponse:
    _require_officer(request)
    plan = get_plan_for_user(request.user, plan_pk)
    form = forms.SupervisionForm(_posted(request), initial={"supervised_on": today()})
    board = f"{reverse('petitions:supervision')}?year={plan.year}"
    sent = submit(
        request,
        form,
        lambda: actions.record_supervision(
            plan,
            by=request.user,
            supervised_on=form.cleaned_data["supervised_on"],
            findings=form.cleaned_data["findings"],
        ),
    )
    if sent.done:
        return done(request, board, _("Supervision of %(unit)s recorded.") % {"unit": plan.unit.name})
    context = {
        "form": form,
        "title": _("Record the %(year)d supervision of %(unit)s")
        % {"year": plan.year, "unit": plan.unit.name},
        "action_url": reverse("petitions:supervision_record", args=[plan.pk]),
        "back_url": board,
    }
    template = "petitions/_plain_form.html" if request.htmx else "petitions/plain_form_page.html"
    return render(request, template, context, status=sent.status)


# --- Assessment --------------------------------------------------------------------------------------


def _assessment(request: AuthenticatedRequest) -> tuple[int, QuerySet[Any]]:
    if not request.user.has_perm("petitions.view_assessment"):
        raise PermissionDenied
    year = _year(request)
    return year, assessment_rows(units_for_user(request.user).filter(is_active=True), year)


@login_required
def assessment_table(request: AuthenticatedRequest) -> HttpResponse:
    year, units = _assessment(request)
    page = Paginator(units, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "petitions/assessment_table.html",
        {
            "year": year,
            "years": list(range(today().year, today().year - 5, -1)),
            "page": page,
            "grades": dict(Grade.choices),
            "can_grade": request.user.has_perm("petitions.change_assessment"),
        },
    )


@login_required
def assessment_export(request: AuthenticatedRequest) -> HttpResponse:
    year, units = _assessment(request)
    grades = dict(Grade.choices)
    rows = (
        [
            unit.code,
            unit.name,
            year,
            str(grades.get(unit.grade, "")),
            unit.admonishments,
            _("Eligible") if unit.honours_eligible else _("Not eligible"),
            unit.assessment_notes or "",
        ]
        for unit in units[:EXPORT_LIMIT]
    )
    header = [
        _("Unit code"),
        _("Unit"),
        _("Year"),
        _("Grade"),
        _("Admonishments for petition work"),
        _("Comprehensive honours"),
        _("Notes"),
    ]
    sheet = Sheet(_("Assessment %(year)d") % {"year": year}, header, rows)
    return xlsx_response(f"assessment-{year}.xlsx", sheet)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_grade(request: AuthenticatedRequest, unit_pk: int, year: int) -> HttpResponse:
    if not request.user.has_perm("petitions.change_assessment"):
        raise PermissionDenied
    unit = get_object_or_404(units_for_user(request.user), pk=unit_pk)
    current = unit.petition_assessments.filter(year=year).first()
    form = forms.AssessmentForm(
        _posted(request),
        initial={"grade": current.grade, "notes": current.notes} if current else None,
    )
    back = f"{reverse('petitions:assessment')}?year={year}"
    sent = submit(
        request,
        form,
        lambda: actions.grade_unit(
            unit,
            year=year,
            grade=form.cleaned_data["grade"],
            notes=form.cleaned_data["notes"],
            by=request.user,
        ),
    )
    if sent.done:
        return done(request, back, _("Grade of %(unit)s recorded.") % {"unit": unit.name})
    context = {
        "form": form,
        "title": _("%(year)d assessment of %(unit)s") % {"year": year, "unit": unit.name},
        "action_url": reverse("petitions:assessment_grade", args=[unit.pk, year]),
        "back_url": back,
    }
    template = "petitions/_plain_form.html" if request.htmx else "petitions/plain_form_page.html"
    return render(request, template, context, status=sent.status)
