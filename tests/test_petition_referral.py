"""Petition-work responsibility, and a failure of one of the six kinds of Art. 11 opening a draft
accountability case (source 信访举报) that cites the clause, linked both ways."""

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Case, CaseSource, CaseState, CaseTransition
from petitions import actions
from petitions.actions import PetitionActionError
from petitions.models import PetitionFailure, PetitionResponsibility, SubjectKind
from registry.models import Clause
from tests.conftest import login
from tests.personas import Personas, make_person
from tests.petition_factories import (
    PETITIONER,
    advance,
    petition_clock,  # noqa: F401 - autouse: the tests run on 30 Nov 2026
    register,
)

D = dt.date


def article_11(item: int) -> Clause:
    return Clause.objects.get(regulation__code="petition-responsibility-2016", code=f"11.{item}")


def record(petition, personas: Personas, **spec) -> PetitionResponsibility:
    return actions.record_responsibility(
        petition, actions.ResponsibilitySpec(**spec), by=personas.petition_officer
    )


@pytest.fixture
def handled(personas: Personas):
    petition = advance(register(personas, received_on=D(2026, 8, 1)), personas, "handling")
    leader = make_person(personas.forestry, "林局长", post="党组书记、局长")
    clerk = make_person(personas.forestry, "王科员", post="科员")
    team = record(
        petition,
        personas,
        subject_kind=SubjectKind.LEADERSHIP_TEAM,
        org_unit=personas.forestry,
        duty="未将信访工作列入议事日程",
    )
    principal = record(
        petition,
        personas,
        subject_kind=SubjectKind.LEADING_CADRE,
        org_unit=personas.forestry,
        person=leader,
        level="principal_leadership",
    )
    direct = record(
        petition,
        personas,
        subject_kind=SubjectKind.WORKING_DEPARTMENT,
        org_unit=personas.forestry,
        person=clerk,
        level="direct",
        duty="具体承办，推诿拖延",
    )
    return petition, team, principal, direct


class TestResponsibility:
    def test_the_five_subject_kinds_are_offered(self) -> None:
        assert [label for _value, label in SubjectKind.choices] == [
            "党政机关领导班子",
            "领导干部",
            "党政机关工作部门",
            "垂直管理部门",
            "地方党委和政府",
        ]

    def test_individual_and_collective_levels_are_recorded(self, personas: Personas, handled) -> None:
        _petition, team, principal, direct = handled
        assert (team.level, team.is_collective) == ("", True)
        assert (principal.get_level_display(), principal.is_collective) == ("主要领导责任", True)
        assert (direct.get_level_display(), direct.is_collective) == ("直接责任", False)

    def test_a_person_needs_a_level_and_must_belong_to_the_body(self, personas: Personas) -> None:
        petition = register(personas)
        outsider = make_person(personas.finance, "钱某")
        with pytest.raises(PetitionActionError) as raised:
            record(
                petition,
                personas,
                subject_kind=SubjectKind.LEADING_CADRE,
                org_unit=personas.forestry,
                person=outsider,
            )
        text = " ".join(raised.value.messages)
        assert "请确定钱某的责任类型" in text and "钱某不属于测试县林业局" in text

    def test_a_body_alone_carries_no_individual_level(self, personas: Personas) -> None:
        petition = register(personas)
        with pytest.raises(PetitionActionError) as raised:
            record(
                petition,
                personas,
                subject_kind=SubjectKind.WORKING_DEPARTMENT,
                org_unit=personas.forestry,
                level="direct",
            )
        assert raised.value.messages == ["责任类型针对个人；仅列单位的，承担集体责任。"]

    def test_the_same_responsibility_is_not_recorded_twice(self, personas: Personas, handled) -> None:
        petition, *_ = handled
        with pytest.raises(PetitionActionError):
            record(petition, personas, subject_kind=SubjectKind.LEADERSHIP_TEAM, org_unit=personas.forestry)


class TestReferral:
    def _refer(self, personas: Personas, handled, item: int = 3, chosen=None) -> PetitionFailure:
        petition, team, principal, direct = handled
        return actions.refer_failure(
            petition,
            by=personas.petition_officer,
            situation=article_11(item),
            facts="对群众合理合法诉求推诿扯皮，超期未办结。",
            conduct_date=D(2026, 10, 15),
            responsibilities=chosen if chosen is not None else [team, principal, direct],
        )

    def test_a_draft_case_is_opened_citing_the_clause(self, personas: Personas, handled) -> None:
        failure = self._refer(personas, handled)
        case = failure.case
        assert (case.state, case.source, case.unit) == (
            CaseState.DRAFT,
            CaseSource.PETITION,
            personas.forestry,
        )
        assert list(case.situations.all()) == [article_11(3)]
        assert case.number.startswith("问责〔2026〕第")
        targets = {(t.name, t.responsibility) for t in case.targets.all()}
        assert targets == {
            ("测试县林业局", ""),
            ("林局长", "principal_leadership"),
            ("王科员", "direct"),
        }
        assert CaseTransition.objects.get(case=case).by == personas.petition_officer
        assert failure.petition.transitions.latest("pk").name == "refer_failure"

    def test_the_case_does_not_carry_the_petitioner(self, personas: Personas, handled) -> None:
        case = self._refer(personas, handled).case
        assert PETITIONER["petitioner_name"] not in f"{case.title} {case.summary}"

    def test_linked_both_ways_on_the_pages(self, client, personas: Personas, handled) -> None:
        failure = self._refer(personas, handled)
        login(client, personas.petition_officer)
        petition_page = client.get(reverse("petitions:detail", args=[failure.petition_id])).content.decode()
        assert reverse("cases:detail", args=[failure.case_id]) in petition_page
        # The officer who referred it is named on the case and can open it; the case links back.
        case_page = client.get(reverse("cases:detail", args=[failure.case_id]))
        assert case_page.status_code == 200
        assert reverse("petitions:detail", args=[failure.petition_id]) in case_page.content.decode()
        login(client, personas.approver)
        case_page = client.get(reverse("cases:detail", args=[failure.case_id])).content.decode()
        assert failure.petition.number in case_page

    def test_the_approver_is_asked_to_take_the_clue_up(self, personas: Personas, handled) -> None:
        from accountability.models import Notification

        personas.approver  # noqa: B018 - exists before the referral
        case = self._refer(personas, handled).case
        assert Notification.objects.filter(recipient=personas.approver, title__contains=case.number).exists()

    def test_the_persons_integrity_record_lists_the_petition_work(
        self, client, personas: Personas, handled
    ) -> None:
        self._refer(personas, handled)
        principal = handled[2]
        login(client, personas.approver)
        page = client.get(reverse("cases:integrity", args=[principal.person_id])).content.decode()
        assert "信访工作责任" in page and handled[0].number in page and "主要领导责任" in page

    def test_each_situation_is_referred_once(self, personas: Personas, handled) -> None:
        self._refer(personas, handled)
        with pytest.raises(PetitionActionError) as raised:
            self._refer(personas, handled)
        assert raised.value.messages == ["该情形已经移送问责。"]
        assert Case.objects.count() == 1
        self._refer(personas, handled, item=6)
        assert Case.objects.count() == 2

    def test_only_the_six_article_11_situations(self, personas: Personas, handled) -> None:
        petition, team, *_ = handled
        other = Clause.objects.get(regulation__code="ccp-accountability-2019", code="7.1")
        with pytest.raises(PetitionActionError) as raised:
            actions.refer_failure(
                petition,
                by=personas.petition_officer,
                situation=other,
                facts="x",
                conduct_date=D(2026, 10, 1),
                responsibilities=[team],
            )
        assert raised.value.messages == ["请选择属于第十一条六种情形中的哪一种。"]
        assert not Case.objects.exists()

    def test_a_refused_case_leaves_nothing_behind(self, personas: Personas, handled) -> None:
        """The cases app refuses a conduct date in the future: no case, no failure, no number used."""
        petition, team, *_ = handled
        with pytest.raises(PetitionActionError) as raised:
            actions.refer_failure(
                petition,
                by=personas.petition_officer,
                situation=article_11(2),
                facts="x",
                conduct_date=D(2099, 1, 1),
                responsibilities=[team],
            )
        assert raised.value.messages == ["行为发生日期不能晚于今天。"]
        assert not Case.objects.exists() and not PetitionFailure.objects.exists()
        failure = self._refer(personas, handled)
        assert failure.case.sequence == 1

    def test_a_withdrawn_or_foreign_responsibility_cannot_be_referred(
        self, personas: Personas, handled
    ) -> None:
        _petition, _team, _principal, direct = handled
        actions.withdraw_responsibility(direct, by=personas.petition_officer)
        direct.refresh_from_db()
        other = record(
            register(personas),
            personas,
            subject_kind=SubjectKind.WORKING_DEPARTMENT,
            org_unit=personas.finance,
        )
        for chosen in ([direct], [other], []):
            with pytest.raises(PetitionActionError):
                self._refer(personas, handled, chosen=chosen)
        assert not Case.objects.exists()

    def test_a_referred_responsibility_cannot_be_withdrawn(self, personas: Personas, handled) -> None:
        self._refer(personas, handled)
        with pytest.raises(PetitionActionError):
            actions.withdraw_responsibility(handled[1], by=personas.petition_officer)

    def test_roles_outside_petition_work_cannot_refer(self, personas: Personas, handled) -> None:
        petition, team, *_ = handled
        for user in (personas.officer, personas.approver, personas.inspector, personas.outsider):
            with pytest.raises(actions.PetitionPermissionError):
                actions.refer_failure(
                    petition,
                    by=user,
                    situation=article_11(1),
                    facts="x",
                    conduct_date=D(2026, 10, 1),
                    responsibilities=[team],
                )
        assert not Case.objects.exists()
