"""Inspection pages. Thin: read through inspections/access.py, parse with forms.py, act with actions.py.

Tour pages (assignments, findings) answer 403 to roles that have no business there and 404 for an
object the user may not see; an action the user's place in the team does not allow is 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accountability.files import serve_file
from accountability.grants import access_log
from accountability.submissions import already_sent, submit_once
from accountability.typing import AuthenticatedRequest
from accountability.validation import show_problems
from kernel.action_views import done as _redirect

from . import access, actions, forms
from .actions import InspectionActionError
from .ladder import colour_on, ladder
from .models import (
    Escalation,
    Finding,
    FindingAttachment,
    FindingStatus,
    RectificationItem,
    ReportAttachment,
)

PAGE_SIZE = 30


def _tour_pages(user: Any) -> None:
    if not access.may_use_inspections(user):
        raise PermissionDenied


def _rectification_pages(user: Any) -> None:
    if not access.may_see_rectification(user):
        raise PermissionDenied


def _show(form: Any, error: InspectionActionError) -> None:
    show_problems(form, error.messages)


def _with_colours(items: Iterable[RectificationItem]) -> list[RectificationItem]:
    """Each item with the colour it shows today (`colour`, "" when no step is due yet or it is done)."""
    rungs = ladder()
    on = actions.today()
    listed = list(items)
    for item in listed:
        item.colour = colour_on(item.deadline, on, rungs) if item.is_active else ""  # type: ignore[attr-defined]
    return listed


# --- Tours ----------------------------------------------------------------------------------------


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    _tour_pages(request.user)
    assignments = (
        access.assignments_for_user(request.user)
        .annotate(
            findings_logged=Count("findings", filter=Q(findings__status=FindingStatus.LOGGED), distinct=True),
            findings_total=Count("findings", distinct=True),
        )
        .order_by("-team__round__year", "team__round__name", "team__name", "unit__code")
    )
    return render(request, "inspections/home.html", {"assignments": assignments})


@login_required
def assignment_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _tour_pages(request.user)
    return _assignment_page(request, access.get_assignment_for_user(request.user, pk))


def _assignment_page(
    request: AuthenticatedRequest, assignment: Any, dates_form: forms.DatesForm | None = None
) -> HttpResponse:
    """The tour page; with a refused dates form, that form (what was typed, the errors) and 422."""
    team = assignment.team
    is_leader = access.leads(request.user, team)
    items = _with_colours(
        RectificationItem.objects.filter(finding__assignment=assignment).select_related(
            "responsible_unit", "responsible_person"
        )
    )
    context = {
        "assignment": assignment,
        "team_members": list(team.members.order_by("username")),
        "checklist": list(assignment.checklist.select_related("done_by")),
        "counts": dict(
            assignment.findings.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        ),
        "items": items,
        "is_leader": is_leader,
        "is_member": access.works_in(request.user, team),
        "dates_form": dates_form
        or forms.DatesForm(
            initial={
                "stationed_on": assignment.stationed_on,
                "withdrawn_on": assignment.withdrawn_on,
                "feedback_on": assignment.feedback_on,
            }
        ),
        "default_deadline": actions.default_deadline(assignment),
        "access_log": access_log(team),
    }
    status = 422 if dates_form is not None else 200
    return render(request, "inspections/assignment_detail.html", context, status=status)


@login_required
@require_POST
def assignment_dates(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _tour_pages(request.user)
    assignment = access.get_assignment_for_user(request.user, pk)
    form = forms.DatesForm(request.POST)
    url = reverse("inspections:assignment_detail", args=[assignment.pk])
    if not form.is_valid():
        return _assignment_page(request, assignment, form)
    try:
        actions.update_assignment_dates(assignment, by=request.user, **form.cleaned_data)
    except InspectionActionError as error:
        if isinstance(error, PermissionDenied):
            raise
        _show(form, error)
        assignment.refresh_from_db()
        return _assignment_page(request, assignment, form)
    return _redirect(request, url, _("Dates saved."))


@login_required
@require_POST
def assignment_stage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _tour_pages(request.user)
    assignment = access.get_assignment_for_user(request.user, pk)
    url = reverse("inspections:assignment_detail", args=[assignment.pk])
    try:
        moved = actions.advance_stage(
            assignment, by=request.user, expected_stage=request.POST.get("expected_stage", "")
        )
    except InspectionActionError as error:
        if isinstance(error, PermissionDenied):
            raise
        messages.error(request, " ".join(error.messages))
        return _redirect(request, url)
    return _redirect(request, url, _("The tour moved to “%(stage)s”.") % {"stage": moved.get_stage_display()})


@login_required
@require_POST
def checklist_step(request: AuthenticatedRequest, pk: int, step: str) -> HttpResponse:
    _tour_pages(request.user)
    assignment = access.get_assignment_for_user(request.user, pk)
    try:
        row = actions.set_checklist_step(
            assignment, step, by=request.user, done=request.POST.get("done") == "1"
        )
    except InspectionActionError as error:
        if isinstance(error, PermissionDenied):
            raise
        messages.error(request, " ".join(error.messages))
        row = None
    if request.htmx and row is not None:
        return render(
            request,
            "inspections/_checklist_row.html",
            {"row": row, "assignment": assignment, "can_tick": True},
        )
    return _redirect(request, reverse("inspections:assignment_detail", args=[assignment.pk]))


# --- Findings -------------------------------------------------------------------------------------


@login_required
def finding_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _tour_pages(request.user)
    assignment = access.get_assignment_for_user(request.user, pk)
    queryset = (
        access.findings_for_user(request.user)
        .filter(assignment=assignment)
        .prefetch_related("people", "units")
        .annotate(items=Count("rectification_items"))
    )
    finding_filter = forms.FindingFilter(request.GET or None, queryset=queryset)
    findings = finding_filter.qs if finding_filter.is_bound else finding_filter.queryset
    page = Paginator(findings.order_by("-logged_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    template = (
        "inspections/_finding_table.html"
        if request.htmx and request.htmx.target == "finding-table"
        else "inspections/finding_list.html"
    )
    return render(
        request,
        template,
        {
            "assignment": assignment,
            "filter": finding_filter,
            "page": page,
            "can_log": access.works_in(request.user, assignment.team),
        },
    )


def _finding_form_page(
    request: AuthenticatedRequest, form: forms.FindingForm, assignment: Any, finding: Finding | None
) -> HttpResponse:
    status = 422 if form.is_bound and form.errors else 200
    files_dropped = bool(form.is_bound and form.errors and request.FILES)
    return render(
        request,
        "inspections/finding_form.html",
        {"form": form, "assignment": assignment, "finding": finding, "files_dropped": files_dropped},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _tour_pages(request.user)
    assignment = access.get_assignment_for_user(request.user, pk)
    if not access.works_in(request.user, assignment.team):
        raise PermissionDenied
    form = forms.FindingForm(request.POST or None, request.FILES or None, assignment=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            sent = submit_once(
                request.user,
                form.cleaned_data["submission_key"],
                "inspections.finding",
                lambda: actions.log_finding(assignment, form.finding_data(), by=request.user),
                lambda created: reverse("inspections:finding_detail", args=[created.pk]),
            )
        except InspectionActionError as error:
            if isinstance(error, PermissionDenied):
                raise
            _show(form, error)
        else:
            if sent.record is None:
                return already_sent(request, sent.first_url)
            finding = sent.record
            messages.success(request, _("Finding logged; the team leader will verify it."))
            if "another" in request.POST:
                return HttpResponseRedirect(reverse("inspections:finding_create", args=[assignment.pk]))
            return HttpResponseRedirect(reverse("inspections:finding_detail", args=[finding.pk]))
    return _finding_form_page(request, form, assignment, None)


@login_required
def finding_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _tour_pages(request.user)
    finding = access.get_finding_for_user(request.user, pk)
    team = finding.assignment.team
    is_leader = access.leads(request.user, team)
    attachments = list(finding.attachments.select_related("withdrawn_by"))
    is_member = access.works_in(request.user, team)
    context = {
        "finding": finding,
        "units": list(finding.units.all()),
        "people": list(finding.people.select_related("org_unit")),
        "attachments": [attachment for attachment in attachments if not attachment.withdrawn],
        "withdrawn_attachments": [attachment for attachment in attachments if attachment.withdrawn],
        # As in actions.withdraw_finding_attachment: the leader, or the uploader of a finding awaiting
        # verification; never once transferred.
        "withdrawable": {
            attachment.pk
            for attachment in attachments
            if finding.case_id is None
            and (
                is_leader
                or (
                    is_member
                    and attachment.uploaded_by_id == request.user.pk
                    and finding.status == FindingStatus.LOGGED
                )
            )
        },
        "items": _with_colours(
            finding.rectification_items.select_related("responsible_unit", "responsible_person")
        ),
        "is_leader": is_leader,
        "can_edit": finding.case_id is None
        and (
            is_leader
            or (
                finding.logged_by_id == request.user.pk
                and finding.status == FindingStatus.LOGGED
                and access.works_in(request.user, team)
            )
        ),
        "can_review": is_leader and finding.case_id is None and not finding.rectification_items.exists(),
        "review_form": forms.ReviewForm(),
    }
    return render(request, "inspections/finding_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def finding_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _tour_pages(request.user)
    finding = access.get_finding_for_user(request.user, pk)
    assignment = finding.assignment
    form = forms.FindingForm(
        request.POST or None,
        request.FILES or None,
        assignment=assignment,
        initial=forms.FindingForm.initial_for(finding),
    )
    if request.method == "GET" and not (
        access.leads(request.user, assignment.team)
        or (finding.logged_by_id == request.user.pk and finding.status == FindingStatus.LOGGED)
    ):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            # Sent twice, the edit would attach its files twice.
            sent = submit_once(
                request.user,
                form.cleaned_data["submission_key"],
                "inspections.finding_edit",
                lambda: actions.edit_finding(finding, form.finding_data(), by=request.user),
                lambda edited: reverse("inspections:finding_detail", args=[edited.pk]),
            )
        except InspectionActionError as error:
            if isinstance(error, PermissionDenied):
                raise
            _show(form, error)
        else:
            if sent.repeated:
                return already_sent(request, sent.first_url)
            messages.success(request, _("Finding saved."))
            return HttpResponseRedirect(reverse("inspections:finding_detail", args=[finding.pk]))
    return _finding_form_page(request, form, assignment, finding)


@login_required
@require_POST
def finding_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _tour_pages(request.user)
    finding = access.get_finding_for_user(request.user, pk)
    form = forms.ReviewForm(request.POST)
    url = reverse("inspections:finding_detail", args=[finding.pk])
    if not form.is_valid():
        messages.error(request, _("Choose to verify or reject."))
        return _redirect(request, url)
    verified = form.cleaned_data["decision"] == "verify"
    try:
        actions.review_finding(
            finding, by=request.user, verified=verified, comment=form.cleaned_data["comment"]
        )
    except InspectionActionError as error:
        if isinstance(error, PermissionDenied):
            raise
        messages.error(request, " ".join(error.messages))
        return _redirect(request, url)
    return _redirect(request, url, _("Finding verified.") if verified else _("Finding rejected."))


def _leader_page(request: AuthenticatedRequest, pk: int) -> Finding:
    _tour_pages(request.user)
    finding = access.get_finding_for_user(request.user, pk)
    if not access.leads(request.user, finding.assignment.team):
        raise PermissionDenied
    return finding


@login_required
@require_http_methods(["GET", "POST"])
def finding_transfer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    finding = _leader_page(request, pk)
    assignment = finding.assignment
    initial = {
        "title": _("%(unit)s: %(category)s")
        % {"unit": assignment.unit.name, "category": finding.get_category_display()},
        "summary": finding.description,
        "conduct_date": (assignment.stationed_on or actions.today()),
    }
    form = forms.TransferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.transfer_finding(finding, by=request.user, **form.cleaned_data)
        except InspectionActionError as error:
            if isinstance(error, PermissionDenied):
                raise
            _show(form, error)
        else:
            messages.success(request, _("Transferred as clue %(number)s.") % {"number": case.number})
            return HttpResponseRedirect(reverse("inspections:finding_detail", args=[finding.pk]))
    return render(
        request,
        "inspections/finding_action.html",
        {"form": form, "finding": finding, "heading": _("Transfer as an accountability clue")},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_rectification(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    finding = _leader_page(request, pk)
    assignment = finding.assignment
    form = forms.ItemForm(
        request.POST or None, assignment=assignment, initial={"responsible_unit": assignment.unit}
    )
    if request.method == "POST" and form.is_valid():
        try:
            sent = submit_once(
                request.user,
                form.cleaned_data["submission_key"],
                "inspections.rectification",
                lambda: actions.set_rectification(finding, [form.item_data()], by=request.user),
                lambda items: reverse("inspections:finding_detail", args=[finding.pk]),
            )
        except InspectionActionError as error:
            if isinstance(error, PermissionDenied):
                raise
            _show(form, error)
        else:
            if sent.repeated:
                return already_sent(request, sent.first_url)
            messages.success(request, _("Rectification item set."))
            return HttpResponseRedirect(reverse("inspections:finding_detail", args=[finding.pk]))
    return render(
        request,
        "inspections/finding_action.html",
        {
            "form": form,
            "finding": finding,
            "heading": _("Set a rectification item"),
            "default_deadline": actions.default_deadline(assignment),
        },
        status=422 if form.errors else 200,
    )


def _download(upload: Any) -> HttpResponseBase:
    # Photos show in the finding page's <img>; everything else is downloaded.
    return serve_file(upload.file, filename=upload.original_name, inline=upload.is_image)


@login_required
def finding_attachment(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    _tour_pages(request.user)
    finding = access.get_finding_for_user(request.user, pk)
    return _download(
        access.get_or_404(FindingAttachment.objects.filter(finding=finding, withdrawn=False), attachment_pk)
    )


# --- Rectification --------------------------------------------------------------------------------


@login_required
def item_list(request: AuthenticatedRequest) -> HttpResponse:
    _rectification_pages(request.user)
    item_filter = forms.ItemFilter(
        request.GET or None,
        queryset=access.items_for_user(request.user),
        rungs=ladder(),
        today=actions.today(),
    )
    items = item_filter.qs if item_filter.is_bound else item_filter.queryset
    page = Paginator(items.order_by("deadline", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_colours(page.object_list)
    template = (
        "inspections/_item_table.html"
        if request.htmx and request.htmx.target == "item-table"
        else "inspections/item_list.html"
    )
    return render(request, template, {"filter": item_filter, "page": page, "today": actions.today()})


@login_required
def item_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _rectification_pages(request.user)
    item = access.get_item_for_user(request.user, pk)
    item.colour = _with_colours([item])[0].colour  # type: ignore[attr-defined]
    reports = list(
        item.reports.select_related("submitted_by").prefetch_related(
            Prefetch("attachments", queryset=ReportAttachment.objects.select_related("withdrawn_by"))
        )
    )
    context = {
        "item": item,
        "reports": reports,
        "reviews": list(item.reviews.select_related("by")),
        "escalations": list(
            Escalation.objects.filter(item=item).select_related("step", "case").order_by("step__offset_days")
        ),
        "can_report": access.reports_for(request.user, item) and item.is_active,
        # actions.withdraw_report_attachment: the unit's contact, while the item is the unit's to work on.
        "can_withdraw_files": access.reports_for(request.user, item) and item.is_active,
        "can_review": access.leads(request.user, item.finding.assignment.team) and item.status == "submitted",
        "can_see_finding": access.findings_for_user(request.user).filter(pk=item.finding_id).exists(),
        "report_form": forms.ReportForm(),
        "review_form": forms.ItemReviewForm(),
    }
    return render(request, "inspections/item_detail.html", context)


@login_required
@require_POST
def item_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _rectification_pages(request.user)
    item = access.get_item_for_user(request.user, pk)
    if not access.reports_for(request.user, item):
        raise PermissionDenied
    form = forms.ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            sent = submit_once(
                request.user,
                form.cleaned_data["submission_key"],
                "inspections.report",
                lambda: actions.report_progress(
                    item,
                    by=request.user,
                    text=form.cleaned_data["text"],
                    final=form.cleaned_data["final"],
                    files=form.cleaned_data["attachments"],
                ),
                lambda report: reverse("inspections:item_detail", args=[item.pk]),
            )
        except InspectionActionError as error:
            if isinstance(error, PermissionDenied):
                raise
            _show(form, error)
        else:
            if sent.repeated:
                return already_sent(request, sent.first_url)
            return _redirect(
                request, reverse("inspections:item_detail", args=[item.pk]), _("Report submitted.")
            )
    return render(
        request,
        "inspections/item_report.html",
        {"item": item, "report_form": form, "files_dropped": bool(request.FILES)},
        status=422,
    )


@login_required
@require_POST
def item_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _rectification_pages(request.user)
    item = access.get_item_for_user(request.user, pk)
    if not access.leads(request.user, item.finding.assignment.team):
        raise PermissionDenied
    form = forms.ItemReviewForm(request.POST)
    url = reverse("inspections:item_detail", args=[item.pk])
    if not form.is_valid():
        messages.error(request, _("Choose to accept or return."))
        return _redirect(request, url)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        actions.review_rectification(
            item, by=request.user, accept=accept, comment=form.cleaned_data["comment"]
        )
    except InspectionActionError as error:
        messages.error(request, " ".join(error.messages))
        return _redirect(request, url)
    return _redirect(request, url, _("Rectification accepted.") if accept else _("Rectification returned."))


@login_required
def report_attachment(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    _rectification_pages(request.user)
    item = access.get_item_for_user(request.user, pk)
    return _download(
        access.get_or_404(ReportAttachment.objects.filter(report__item=item, withdrawn=False), attachment_pk)
    )


def _withdraw(request: AuthenticatedRequest, attachment: Any, withdraw: Any, url: str) -> HttpResponse:
    """Run a withdrawal action; a refusal other than a permission one is shown on the page it came from."""
    try:
        withdraw(attachment, by=request.user)
    except InspectionActionError as error:
        if isinstance(error, PermissionDenied):
            raise
        messages.error(request, " ".join(error.messages))
        return _redirect(request, url)
    return _redirect(request, url, _("File withdrawn."))


@login_required
@require_POST
def finding_attachment_withdraw(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> HttpResponse:
    _tour_pages(request.user)
    finding = access.get_finding_for_user(request.user, pk)
    attachment = access.get_or_404(
        FindingAttachment.objects.filter(finding=finding, withdrawn=False), attachment_pk
    )
    url = reverse("inspections:finding_detail", args=[finding.pk])
    return _withdraw(request, attachment, actions.withdraw_finding_attachment, url)


@login_required
@require_POST
def report_attachment_withdraw(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> HttpResponse:
    _rectification_pages(request.user)
    item = access.get_item_for_user(request.user, pk)
    attachment = access.get_or_404(
        ReportAttachment.objects.filter(report__item=item, withdrawn=False), attachment_pk
    )
    url = reverse("inspections:item_detail", args=[item.pk])
    return _withdraw(request, attachment, actions.withdraw_report_attachment, url)
