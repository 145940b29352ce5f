"""Read-only registry pages: people and units, for staff who look people up."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import OrgUnit, Person


def people_for_user(user: object) -> QuerySet[Person]:
    """The registry is shared reference data: every holder of view_person sees every person (masked)."""
    return Person.objects.select_related("org_unit")


@login_required
@permission_required("registry.view_person", raise_exception=True)
def person_list(request: HttpRequest) -> HttpResponse:
    people = people_for_user(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(Q(name__contains=query) | Q(staff_no__startswith=query))
    unit_code = request.GET.get("unit", "").strip()
    unit = OrgUnit.objects.filter(code=unit_code).first() if unit_code else None
    if unit is not None:
        people = people.filter(unit.subtree_filter("org_unit__"))
    page = Paginator(people.order_by("staff_no"), 50).get_page(request.GET.get("page"))
    return render(request, "registry/person_list.html", {"page": page, "query": query, "unit": unit})


@login_required
@permission_required("registry.view_person", raise_exception=True)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(people_for_user(request.user), pk=pk)
    return render(request, "registry/person_detail.html", {"person": person})
