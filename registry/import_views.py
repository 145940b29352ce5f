"""The import and export pages of the registry, for system administrators only.

Thin: each view checks the role, then calls `services.imports` or the download builders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accountability import roles
from accountability.typing import AuthenticatedRequest
from kernel.xlsx import xlsx_response

from .import_forms import ImportUploadForm
from .imports import display, exports
from .models import ImportBatch
from .services import imports as service


def _batches() -> Any:
    return ImportBatch.objects.select_related("created_by", "confirmed_by", "rolled_back_by")


def _list_page(request: AuthenticatedRequest, form: ImportUploadForm, status: int = 200) -> HttpResponse:
    page = Paginator(_batches(), 30).get_page(request.GET.get("page"))
    return render(request, "registry/import_list.html", {"form": form, "page": page}, status=status)


@roles.admin_only
@require_GET
def import_list(request: AuthenticatedRequest) -> HttpResponse:
    kind = request.GET.get("kind")
    form = ImportUploadForm(initial={"kind": kind if kind in ImportBatch.Kind.values else ""})
    return _list_page(request, form)


@roles.admin_only
@require_POST
def import_upload(request: AuthenticatedRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    batch = service.create_batch(
        user=request.user, kind=form.cleaned_data["kind"], file_name=upload.name, content=upload.read()
    )
    return redirect("registry:import_detail", batch.pk)


@roles.admin_only
@require_GET
@never_cache
def import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(_batches(), pk=pk)
    context = {
        "batch": batch,
        "progress": display.progress(batch),
        "notice": display.notice(batch),
        "problem_rows": display.problem_rows(batch),
        "preview": batch.preview,
    }
    return render(request, "registry/import_detail.html", context)


@roles.admin_only
@require_GET
@never_cache
def import_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The progress fragment, polled by htmx; once the step is over the page reloads to show the result."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    response = render(
        request, "registry/import_progress.html", {"batch": batch, "progress": display.progress(batch)}
    )
    if not batch.is_active:
        response["HX-Refresh"] = "true"
    return response


@roles.admin_only
@require_POST
def import_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    if not service.confirm_batch(batch, request.user):
        messages.error(request, _("This batch cannot be imported in its present state."))
    return redirect("registry:import_detail", batch.pk)


@roles.admin_only
@require_POST
def import_discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    if service.discard_batch(batch, request.user):
        messages.success(request, _("The batch was discarded; nothing was imported."))
    else:
        messages.error(request, _("Only a batch that was checked and not imported can be discarded."))
    return redirect("registry:import_list")


@roles.admin_only
@require_POST
def import_rollback(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    if not service.request_rollback(batch, request.user):
        messages.error(request, _("Only an imported batch can be rolled back."))
    return redirect("registry:import_detail", batch.pk)


@roles.admin_only
@require_GET
def import_bad_rows(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    if not batch.error_count:
        raise Http404
    return xlsx_response(_("rows-with-errors-batch-%(pk)s.xlsx") % {"pk": batch.pk}, exports.bad_rows(batch))


@roles.admin_only
@require_GET
def import_template(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    if kind not in ImportBatch.Kind.values:
        raise Http404
    label = ImportBatch.Kind(kind).label
    return xlsx_response(_("%(kind)s-template.xlsx") % {"kind": label}, exports.template(kind))


@roles.admin_only
@require_GET
def export_people(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(_("people-%(date)s.xlsx") % {"date": today}, exports.export_people(request.user))


@roles.admin_only
@require_GET
def export_units(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(_("units-%(date)s.xlsx") % {"date": today}, exports.export_units())
