"""Case pages. Thin: fetch through cases/access.py, parse with cases/forms.py, act with cases/actions.py.
The transitions' buttons and pages come from `STEPS` through kernel/action_views.py, as in every app."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accountability.files import serve_file
from accountability.grants import access_log
from accountability.paginator import CappedPaginator
from accountability.submissions import already_sent, submit_once
from accountability.typing import AuthenticatedRequest
from accountability.validation import show_problems
from kernel.action_views import Step, Steps, cleaned, done, submit
from kernel.xlsx import xlsx_response
from registry.models import Person

from . import actions, forms
from .access import cases_for_user, get_case_for_user
from .actions import CaseActionError, CaseConflictError
from .deadlines import deadlines_for_display, today
from .exports import cases_sheet
from .filters import CaseFilter
from .integrity import case_links, integrity_record
from .models import (
    Attachment,
    Case,
    CaseNamedUser,
    CaseSource,
    CaseState,
    DecidedForm,
    InvestigationTeamMember,
    Target,
)

PAGE_SIZE = 30
# Past this many rows the list says "more than 2000" and asks for a filter: counting further costs more
# than the page itself, and nobody pages through thousands of cases.
LIST_COUNT_CAP = 2000
STATE_LABELS = dict(CaseState.choices)
SOURCE_LABELS = dict(CaseSource.choices)


def label_rows(cases: Any) -> None:
    """Display values of each listed case, worked out once per page rather than per template lookup."""
    for case in cases:
        case.state_text = STATE_LABELS[case.state]
        case.source_text = SOURCE_LABELS[case.source]
        case.target_names = "、".join(target.name for target in case.targets.all())
        officer = case.lead_officer
        case.officer_name = (officer.get_full_name() or officer.username) if officer else "—"


def _targets(case: Case) -> list[Target]:
    return list(
        case.targets.select_related("org_unit", "person", "person__org_unit", "exemption_ground__regulation")
        .prefetch_related(
            Prefetch("forms", queryset=DecidedForm.objects.order_by("pk")),
            "circumstances__regulation",
        )
        .order_by("pk")
    )


def _case_and_targets(case: Case) -> dict[str, Any]:
    return {"case": case, "targets": _targets(case)}


def _decision(form: Any) -> dict[str, Any]:
    return {"data": form.decision_data(), "comment": form.cleaned_data["comment"]}


def _responses(form: Any) -> dict[str, Any]:
    return {"responses": form.responses(), "comment": form.cleaned_data["comment"]}


def _appeal_decision(form: Any) -> dict[str, Any]:
    arguments = cleaned("outcome", "decided_on", "decision", "comment")(form)
    return {**arguments, "revised": form.decisions(form.cleaned_data)}


# The transitions the case pages offer: form, button label, action. A warning button ends the case.
STEPS: Steps[Case] = Steps(
    {
        "initiate": Step(
            forms.CommentForm,
            gettext_lazy("Approve the investigation"),
            actions.initiate_case,
            cleaned("comment"),
        ),
        "determine": Step(
            forms.CommentForm,
            gettext_lazy("Confirm the responsibility findings"),
            actions.determine_case,
            cleaned("comment"),
        ),
        "decide": Step(
            forms.DecideForm,
            gettext_lazy("Make the decision"),
            actions.decide_case,
            _decision,
            initial=lambda case: {"decision_date": today(), "facts": case.summary},
            options=_case_and_targets,
        ),
        "deliver": Step(
            forms.DeliverForm,
            gettext_lazy("Record delivery"),
            actions.deliver_case,
            cleaned("delivered_on", "document_no", "comment"),
            initial=lambda case: {"delivered_on": today()},
        ),
        "record_response": Step(
            forms.ResponseForm,
            gettext_lazy("Record the response"),
            actions.record_case_response,
            _responses,
            options=lambda case: {"targets": _targets(case)},
        ),
        "file_appeal": Step(
            forms.AppealForm,
            gettext_lazy("Record an appeal"),
            actions.file_case_appeal,
            cleaned("appellant", "filed_on", "grounds", "comment"),
            options=lambda case: {"case": case},
        ),
        "decide_appeal": Step(
            forms.AppealDecisionForm,
            gettext_lazy("Decide the appeal"),
            actions.decide_case_appeal,
            _appeal_decision,
            options=_case_and_targets,
        ),
        "close": Step(
            forms.CommentForm, gettext_lazy("Close the case"), actions.close_case, cleaned("comment")
        ),
        "dismiss": Step(
            forms.DismissForm,
            gettext_lazy("No or exempted accountability"),
            actions.dismiss_case,
            cleaned("ground", "reason"),
            warning=True,
            options=lambda case: {"case": case},
        ),
        "withdraw": Step(
            forms.WithdrawForm,
            gettext_lazy("Do not take up the clue"),
            actions.withdraw_case,
            cleaned("reason"),
            warning=True,
        ),
    }
)


LIST_COLUMNS = (
    "year",
    "sequence",
    "title",
    "state",
    "source",
    "confidential",
    "next_due_on",
    "conduct_date",
    "decision_date",
    "delivered_on",
    "unit__name",
    "lead_officer__username",
    "lead_officer__first_name",
    "lead_officer__last_name",
)


def _with_list_columns(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Only the columns a list row shows (the long texts stay behind), and the targets' names."""
    targets = Target.objects.select_related("org_unit", "person").only(
        "case_id", "org_unit__name", "person__name"
    )
    return (
        cases.select_related(None)
        .select_related("unit", "lead_officer")
        .only(*LIST_COLUMNS)
        .prefetch_related(Prefetch("targets", queryset=targets.order_by("pk")))
    )


def _list_queryset(user: Any) -> QuerySet[Case]:
    """The permission-filtered cases, as the list and the export read them."""
    return _with_list_columns(cases_for_user(user))


def _page_rows(keys: list[int]) -> QuerySet[Case]:
    # The keys come from the permission-filtered, filtered list: the page's rows need no filter again.
    return _with_list_columns(Case.objects.filter(pk__in=keys))


@login_required
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.has_perm("cases.view_case"):
        raise PermissionDenied
    case_filter = CaseFilter(request.GET or None, queryset=_list_queryset(request.user))
    cases = case_filter.qs if case_filter.is_bound else case_filter.queryset
    if not (request.GET.get("sort")):
        cases = cases.order_by("-year", "-sequence")
    page = CappedPaginator(cases, PAGE_SIZE, cap=LIST_COUNT_CAP, rows=_page_rows).get_page(
        request.GET.get("page")
    )
    label_rows(page.object_list)
    template = (
        "cases/_case_table.html"
        if request.htmx and request.htmx.target == "case-table"
        else "cases/case_list.html"
    )
    return render(
        request,
        template,
        {
            "filter": case_filter,
            "page": page,
            "today": today(),
            "can_create": request.user.has_perm("cases.add_case"),
        },
    )


@login_required
def case_export(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.has_perm("cases.view_case"):
        raise PermissionDenied
    case_filter = CaseFilter(request.GET or None, queryset=_list_queryset(request.user))
    cases = (case_filter.qs if case_filter.is_bound else case_filter.queryset).order_by("-year", "-sequence")
    return xlsx_response("cases.xlsx", cases_sheet(cases[:20000]))


@login_required
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    targets = _targets(case)
    attachments = list(case.attachments.select_related("uploaded_by", "withdrawn_by"))
    context = {
        "case": case,
        "targets": targets,
        "situations": list(case.situations.select_related("regulation")),
        "team": list(
            InvestigationTeamMember.objects.filter(case=case)
            .select_related("person")
            .order_by("-is_leader", "pk")
        ),
        "transitions": list(case.transitions.select_related("by")),
        "attachments": [attachment for attachment in attachments if not attachment.withdrawn],
        "withdrawn_attachments": [attachment for attachment in attachments if attachment.withdrawn],
        "can_withdraw_attachments": request.user.has_perm("cases.process_case"),
        "access_log": access_log(case),
        "deadlines": deadlines_for_display(case, targets=targets),
        "buttons": STEPS.available(case, request.user),
        "can_edit": case.state in actions.EDITABLE_STATES and request.user.has_perm("cases.change_case"),
        "can_investigate": case.state == CaseState.INITIATED and request.user.has_perm("cases.process_case"),
        "can_edit_targets": case.state in actions.EDITABLE_STATES
        and request.user.has_perm("cases.change_case"),
        "can_attach": request.user.has_perm("cases.add_attachment"),
        "attachment_form": forms.AttachmentForm(),
        "dismissal_ground": case.dismissal_ground,
        "links": case_links(case, request.user),
        "appellant": case.appellant,
    }
    return render(request, "cases/case_detail.html", context)


def _case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _done(request: AuthenticatedRequest, case: Case, message: str) -> HttpResponse:
    return done(request, _case_url(case), message)


TARGET_FIELD = re.compile(r"^t\d+_")


def _form_page(
    request: AuthenticatedRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    form = context["form"]
    context.setdefault("general_fields", [field for field in form if not TARGET_FIELD.match(field.name)])
    if request.htmx:
        return render(request, "cases/_action_form.html", context, status=status)
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.has_perm("cases.add_case"):
        raise PermissionDenied
    form = forms.CaseCreateForm(request.POST or None, initial={"lead_officer": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            sent = submit_once(
                request.user,
                form.cleaned_data["submission_key"],
                "cases.case",
                lambda: actions.create_case(form.case_data(), by=request.user),
                _case_url,
            )
        except CaseActionError as error:
            show_problems(form, error.messages)
        else:
            if sent.record is None:
                return already_sent(request, sent.first_url)
            case = sent.record
            return _done(request, case, _("Clue %(number)s registered.") % {"number": case.number})
    return render(request, "cases/case_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not request.user.has_perm("cases.change_case"):
        raise PermissionDenied
    initial = {
        "expected_state": case.state,
        "title": case.title,
        "source": case.source,
        "summary": case.summary,
        "conduct_date": case.conduct_date,
        "unit": case.unit_id,
        "lead_officer": case.lead_officer_id,
        "situations": list(case.situations.values_list("pk", flat=True)),
        "confidential": case.confidential,
        "named_users": list(CaseNamedUser.objects.filter(case=case).values_list("user_id", flat=True)),
    }
    form = forms.CaseForm(request.POST or None, initial=initial)
    sent = submit(
        request,
        form,
        lambda: actions.update_case(
            case, form.case_data(), by=request.user, expected_state=form.cleaned_data["expected_state"]
        ),
    )
    if sent.done:
        return _done(request, case, _("Case %(number)s saved.") % {"number": case.number})
    return render(request, "cases/case_form.html", {"form": form, "case": case}, status=sent.status)


@login_required
@require_http_methods(["GET", "POST"])
def target_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not request.user.has_perm("cases.change_case"):
        raise PermissionDenied
    form = forms.TargetAddForm(request.POST or None, initial={"expected_state": case.state})
    sent = submit(
        request,
        form,
        lambda: actions.add_target(
            case, form.spec(), by=request.user, expected_state=form.cleaned_data["expected_state"]
        ),
    )
    if sent.done:
        return _done(request, case, _("Target added."))
    context = {
        "form": form,
        "case": case,
        "title": _("Add a target"),
        "action_url": reverse("cases:target_add", args=[case.pk]),
    }
    return _form_page(request, "cases/action_page.html", context, sent.status)


@login_required
@require_POST
def target_remove(request: AuthenticatedRequest, pk: int, target_pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not request.user.has_perm("cases.change_case"):
        raise PermissionDenied
    target = get_object_or_404(Target, pk=target_pk, case=case)
    try:
        actions.remove_target(target, by=request.user)
    except CaseActionError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("cases:detail", pk=case.pk)
    return _done(request, case, _("Target removed."))


@login_required
@require_http_methods(["GET", "POST"])
def investigation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not request.user.has_perm("cases.process_case"):
        raise PermissionDenied
    team = list(
        InvestigationTeamMember.objects.filter(case=case)
        .select_related("person")
        .order_by("-is_leader", "pk")
    )
    initial = {
        "expected_state": case.state,
        "team": " ".join(member.person.staff_no for member in team),
        "report": case.investigation_report,
        "report_date": case.report_date,
    }
    form = forms.InvestigationForm(request.POST or None, initial=initial)

    def record() -> Case:
        members: list[Person] = form.cleaned_data["team"]
        return actions.record_investigation(
            case,
            by=request.user,
            team=members,
            leader=members[0] if members else None,
            report=form.cleaned_data["report"],
            report_date=form.cleaned_data["report_date"],
            expected_state=form.cleaned_data["expected_state"],
        )

    sent = submit(request, form, record)
    if sent.done:
        return _done(request, case, _("Investigation saved."))
    context = {
        "form": form,
        "case": case,
        "title": _("Investigation team and report"),
        "action_url": reverse("cases:investigation", args=[case.pk]),
    }
    return _form_page(request, "cases/action_page.html", context, sent.status)


@login_required
@require_http_methods(["GET", "POST"])
def target_findings(request: AuthenticatedRequest, pk: int, target_pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not request.user.has_perm("cases.process_case"):
        raise PermissionDenied
    target = get_object_or_404(Target.objects.select_related("org_unit", "person"), pk=target_pk, case=case)
    initial = {
        "expected_state": case.state,
        "responsibility": target.responsibility,
        "statement": target.statement,
        "statement_date": target.statement_date,
        "statement_waived": target.statement_waived,
        "waiver_note": target.waiver_note,
    }
    form = forms.TargetFindingsForm(request.POST or None, initial=initial, target=target)

    def record() -> Target:
        seen = form.cleaned_data["expected_state"]
        if seen and seen != case.state:
            raise CaseConflictError(_("Someone else has just acted on this case."))
        arguments = cleaned(
            "responsibility", "statement", "statement_date", "statement_waived", "waiver_note"
        )
        return actions.record_target_findings(target, by=request.user, **arguments(form))

    sent = submit(request, form, record)
    if sent.done:
        return _done(request, case, _("Saved for %(target)s.") % {"target": target.name})
    context = {
        "form": form,
        "case": case,
        "title": _("Responsibility and statement of %(target)s") % {"target": target.name},
        "action_url": reverse("cases:target_findings", args=[case.pk, target.pk]),
    }
    return _form_page(request, "cases/action_page.html", context, sent.status)


@login_required
@require_http_methods(["GET", "POST"])
def case_act(request: AuthenticatedRequest, pk: int, name: str) -> HttpResponse:
    step = STEPS[name]
    case = get_case_for_user(request.user, pk)
    form = STEPS.form(name, case, request.POST or None, request.user)
    sent = STEPS.submit(request, name, case, form)
    if sent.done:
        state = sent.result.state_label
        return _done(request, case, _("Done: the case is now “%(state)s”.") % {"state": state})
    context = {
        "form": form,
        "case": case,
        "name": name,
        "title": step.label,
        "action_url": reverse("cases:act", args=[case.pk, name]),
        "target_groups": form.target_groups() if hasattr(form, "target_groups") else None,
    }
    return _form_page(request, "cases/action_page.html", context, sent.status)


@login_required
@require_POST
def attachment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("cases:detail", pk=case.pk)
    try:
        sent = submit_once(
            request.user,
            form.cleaned_data["submission_key"],
            "cases.attachment",
            lambda: actions.add_attachment(
                case, by=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            ),
            lambda attachment: _case_url(case),
        )
    except actions.CasePermissionError as error:
        raise PermissionDenied from error
    except CaseActionError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("cases:detail", pk=case.pk)
    if sent.repeated:
        return already_sent(request, sent.first_url)
    return _done(request, case, _("Attachment uploaded."))


@login_required
def attachment_download(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    case = get_case_for_user(request.user, pk)
    # A withdrawn attachment stays in the record (its row and its file) but is no longer handed out.
    attachment = get_object_or_404(Attachment, pk=attachment_pk, case=case, withdrawn=False)
    return serve_file(attachment.file, filename=attachment.original_name)


@login_required
@require_POST
def attachment_withdraw(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, case=case, withdrawn=False)
    try:
        actions.withdraw_attachment(attachment, by=request.user)
    except actions.CasePermissionError as error:
        raise PermissionDenied from error
    except CaseActionError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("cases:detail", pk=case.pk)
    return _done(request, case, _("Attachment withdrawn."))


@login_required
def decision_document(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if case.state in (
        CaseState.DRAFT,
        CaseState.INITIATED,
        CaseState.DETERMINED,
        CaseState.DISMISSED,
        CaseState.WITHDRAWN,
    ):
        raise Http404
    from .deadlines import rule

    context = {
        "case": case,
        "targets": _targets(case),
        "situations": list(case.situations.select_related("regulation")),
        "appeal_rule": rule("appeal_filing"),
    }
    return render(request, "cases/decision_document.html", context)


@login_required
def person_integrity(request: AuthenticatedRequest, person_pk: int) -> HttpResponse:
    if not request.user.has_perm("cases.view_case"):
        raise PermissionDenied
    person = get_object_or_404(Person.objects.select_related("org_unit"), pk=person_pk)
    return render(request, "cases/integrity.html", integrity_record(person, request.user))
