"""The capped paginator counts at most cap + 1 rows and says when there are more."""

from django.urls import reverse

from accountability.paginator import CappedPaginator
from cases.models import Case
from tests.case_factories import draft_case
from tests.conftest import login
from tests.personas import Personas


def test_counts_exactly_below_the_cap(personas: Personas) -> None:
    for _ in range(3):
        draft_case(personas)
    paginator = CappedPaginator(Case.objects.order_by("pk"), 2, cap=5)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (3, False, 2)


def test_stops_counting_at_the_cap(personas: Personas, django_assert_num_queries) -> None:
    for _ in range(4):
        draft_case(personas)
    paginator = CappedPaginator(Case.objects.order_by("pk"), 2, cap=3)
    with django_assert_num_queries(1):
        assert (paginator.count, paginator.capped) == (3, True)
    assert len(paginator.page(2).object_list) == 1


def test_the_list_says_when_it_stopped_counting(client, personas: Personas, monkeypatch) -> None:
    for _ in range(3):
        draft_case(personas)
    monkeypatch.setattr("cases.views.LIST_COUNT_CAP", 2)
    login(client, personas.officer)
    page = client.get(reverse("cases:list")).content.decode()
    assert "超过 2 件，请使用筛选条件缩小范围。" in page
