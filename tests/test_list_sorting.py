"""The sort menus of the case and petition lists: every choice answers, and a register number sorts by
year, then sequence (one choice, two fields)."""

import pytest
from django.urls import reverse

from cases.models import Case
from petitions.models import Petition
from tests.case_factories import draft_case
from tests.conftest import login
from tests.personas import Personas
from tests.petition_factories import register

CASE_SORTS = ["-number", "number", "-created", "created", "state", "due", "-due"]
PETITION_SORTS = ["-number", "number", "received", "-received", "due", "-due"]


def _numbers(rows) -> list[tuple[int, int]]:
    return [(row.year, row.sequence) for row in rows]


class TestCaseList:
    @pytest.mark.parametrize("sort", CASE_SORTS)
    def test_every_sort_choice_answers(self, client, personas: Personas, sort: str) -> None:
        draft_case(personas)
        login(client, personas.officer)
        assert client.get(reverse("cases:list"), {"sort": sort}).status_code == 200

    def test_the_number_sorts_by_year_then_sequence(self, client, personas: Personas) -> None:
        cases = [draft_case(personas) for _ in range(3)]
        # An older year with a higher sequence must still come after the current year's cases.
        Case.objects.filter(pk=cases[0].pk).update(year=2025, sequence=99)
        login(client, personas.officer)
        newest = client.get(reverse("cases:list"), {"sort": "-number"}).context["page"].object_list
        oldest = client.get(reverse("cases:list"), {"sort": "number"}).context["page"].object_list
        expected = sorted(_numbers(Case.objects.all()), reverse=True)
        assert _numbers(newest) == expected
        assert _numbers(oldest) == expected[::-1]


class TestPetitionList:
    @pytest.mark.parametrize("sort", PETITION_SORTS)
    def test_every_sort_choice_answers(self, client, personas: Personas, sort: str) -> None:
        register(personas)
        login(client, personas.petition_officer)
        assert client.get(reverse("petitions:list"), {"sort": sort}).status_code == 200

    def test_the_number_sorts_by_year_then_sequence(self, client, personas: Personas) -> None:
        petitions = [register(personas) for _ in range(3)]
        Petition.objects.filter(pk=petitions[0].pk).update(year=2025, sequence=99)
        login(client, personas.petition_officer)
        newest = client.get(reverse("petitions:list"), {"sort": "-number"}).context["page"].object_list
        oldest = client.get(reverse("petitions:list"), {"sort": "number"}).context["page"].object_list
        expected = sorted(_numbers(Petition.objects.all()), reverse=True)
        assert _numbers(newest) == expected
        assert _numbers(oldest) == expected[::-1]

    def test_the_sort_menu_names_the_number_in_chinese(self, client, personas: Personas) -> None:
        login(client, personas.petition_officer)
        page = client.get(reverse("petitions:list")).content.decode()
        assert "编号" in page
