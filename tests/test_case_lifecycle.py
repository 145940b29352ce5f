"""Every transition of a case: its happy path and each of its guards failing."""

import datetime as dt

import pytest

from cases import actions
from cases.actions import CaseActionError
from cases.models import Case, CaseState, CaseTransition, DecidedForm, Form, Measure, form_bit, form_flags_of
from tests.case_factories import (
    DECIDED_ON,
    DELIVERED_ON,
    advance,
    clause,
    decision_for,
    draft_case,
    investigate,
    responses_for,
    situation_2019,
)
from tests.personas import Personas, make_person

D = dt.date


def messages_of(raised: pytest.ExceptionInfo[CaseActionError]) -> str:
    return " ".join(raised.value.messages)


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


class TestCreate:
    def test_a_clue_gets_the_next_number_of_the_year(self, personas: Personas) -> None:
        first, second = draft_case(personas), draft_case(personas)
        assert first.state == CaseState.DRAFT
        assert (first.year, second.sequence - first.sequence) == (2026, 1)
        assert first.number == f"问责〔2026〕第{first.sequence:04d}号"
        assert first.transitions.get().name == "create"

    def test_the_regulation_version_follows_the_conduct_date(self, personas: Personas) -> None:
        case = draft_case(personas, conduct_date=D(2019, 9, 1))
        assert case.regulation.code == "ccp-accountability-2019"

    def test_a_2019_situation_cannot_be_cited_for_2018_conduct(self, personas: Personas) -> None:
        with pytest.raises(CaseActionError) as raised:
            draft_case(personas, conduct_date=D(2018, 5, 1))
        assert "2018-05-01" in messages_of(raised) and "不在施行期内" in messages_of(raised)
        assert not Case.objects.exists()

    def test_2016_situations_apply_to_2018_conduct(self, personas: Personas) -> None:
        data = actions.CaseData(
            title="旧案",
            source="other",
            summary="…",
            conduct_date=D(2018, 5, 1),
            unit=personas.forestry,
            situations=[clause("ccp-accountability-2016", "6.3")],
        )
        case = actions.create_case(data, by=personas.officer)
        assert case.regulation.code == "ccp-accountability-2016"

    def test_a_future_conduct_date_is_refused(self, personas: Personas) -> None:
        with pytest.raises(CaseActionError):
            draft_case(personas, conduct_date=D(2099, 1, 1))


class TestInitiate:
    def test_the_approver_starts_the_investigation(self, personas: Personas) -> None:
        case = actions.initiate_case(draft_case(personas), by=personas.approver, comment="同意启动")
        assert fresh(case).state == CaseState.INITIATED
        row = case.transitions.latest("pk")
        assert (row.name, row.source_state, row.target_state, row.by, row.comment) == (
            "initiate",
            "draft",
            "initiated",
            personas.approver,
            "同意启动",
        )

    def test_it_needs_a_target_and_a_situation(self, personas: Personas) -> None:
        case = draft_case(personas, with_targets=False)
        with pytest.raises(CaseActionError) as raised:
            actions.initiate_case(case, by=personas.approver)
        assert raised.value.messages == [
            "请至少列明一个问责对象（党组织或党的领导干部）。",
            "请至少援引一项问责情形条款。",
        ]
        assert fresh(case).state == CaseState.DRAFT
        assert case.transitions.count() == 1


class TestDetermine:
    def test_the_officer_records_responsibility(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.INITIATED)
        actions.determine_case(investigate(case, personas), by=personas.officer)
        assert fresh(case).state == CaseState.DETERMINED

    def test_each_missing_part_is_named(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.INITIATED)
        with pytest.raises(CaseActionError) as raised:
            actions.determine_case(case, by=personas.officer)
        text = messages_of(raised)
        assert "调查组至少需要两人" in text
        assert "请确定林业局" not in text  # names come from the registry
        assert text.count("责任类型") == 2
        assert text.count("陈述和申辩") == 2
        assert "调查报告" in text
        assert fresh(case).state == CaseState.INITIATED

    def test_a_team_of_one_is_not_enough(self, personas: Personas) -> None:
        case = investigate(advance(draft_case(personas), personas, CaseState.INITIATED), personas)
        only = make_person(personas.discipline, "独行者")
        actions.record_investigation(
            case, by=personas.officer, team=[only], leader=only, report="报告", report_date=None
        )
        with pytest.raises(CaseActionError) as raised:
            actions.determine_case(case, by=personas.officer)
        assert raised.value.messages == ["调查组至少需要两人。"]

    def test_a_waiver_needs_a_note_and_then_counts(self, personas: Personas) -> None:
        case = investigate(advance(draft_case(personas), personas, CaseState.INITIATED), personas)
        target = case.targets.earliest("pk")
        with pytest.raises(CaseActionError):
            actions.record_target_findings(
                target,
                by=personas.officer,
                responsibility=target.responsibility,
                statement="",
                statement_date=None,
                statement_waived=True,
                waiver_note="",
            )
        actions.record_target_findings(
            target,
            by=personas.officer,
            responsibility=target.responsibility,
            statement="",
            statement_date=None,
            statement_waived=True,
            waiver_note="本人书面表示放弃陈述申辩",
        )
        actions.determine_case(case, by=personas.officer)
        assert fresh(case).state == CaseState.DETERMINED

    def test_a_level_must_fit_the_kind_of_target(self, personas: Personas) -> None:
        case = investigate(advance(draft_case(personas), personas, CaseState.INITIATED), personas)
        organisation = case.targets.get(org_unit__isnull=False)
        with pytest.raises(CaseActionError) as raised:
            actions.record_target_findings(
                organisation,
                by=personas.officer,
                responsibility="direct",
                statement="x",
                statement_date=None,
                statement_waived=False,
                waiver_note="",
            )
        assert "不适用于党组织" in messages_of(raised)


class TestDecide:
    def test_the_approver_decides_and_impact_periods_are_set(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DECIDED)
        assert case.votes_for == 5 and case.meeting_date == D(2026, 3, 1)
        forms = {(f.form, f.measure): f for f in DecidedForm.objects.filter(target__case=case)}
        assert set(forms) == {
            (Form.ORG_INSPECTION, ""),
            (Form.ADMONISHMENT, ""),
            (Form.DISCIPLINE, Measure.WARNING),
        }
        assert forms[(Form.DISCIPLINE, Measure.WARNING)].impact_ends_on == D(2027, 3, 2)
        assert forms[(Form.ADMONISHMENT, "")].impact_ends_on == D(2026, 9, 2)
        assert forms[(Form.ORG_INSPECTION, "")].impact_ends_on is None

    def _determined(self, personas: Personas) -> Case:
        return advance(draft_case(personas), personas, CaseState.DETERMINED)

    def test_every_target_needs_a_form_or_an_exemption(self, personas: Personas) -> None:
        case = self._determined(personas)
        data = decision_for(case)
        leader = case.targets.get(person__isnull=False)
        data.targets[leader.pk] = actions.TargetDecision(forms=[])
        with pytest.raises(CaseActionError) as raised:
            actions.decide_case(case, data, by=personas.approver)
        assert "林局长" in messages_of(raised)
        assert fresh(case).state == CaseState.DETERMINED
        assert not DecidedForm.objects.filter(target__case=case).exists()  # nothing half-written

    def test_an_exemption_ground_is_enough(self, personas: Personas) -> None:
        case = self._determined(personas)
        data = decision_for(case)
        leader = case.targets.get(person__isnull=False)
        data.targets[leader.pk] = actions.TargetDecision(
            exemption_ground=clause("ccp-accountability-2019", "17.1.2")
        )
        actions.decide_case(case, data, by=personas.approver)
        assert fresh(case).state == CaseState.DECIDED

    def test_forms_must_fit_the_kind_of_target(self, personas: Personas) -> None:
        case = self._determined(personas)
        data = decision_for(case)
        organisation = case.targets.get(org_unit__isnull=False)
        data.targets[organisation.pk] = actions.TargetDecision(forms=[(Form.ADMONISHMENT, "")])
        with pytest.raises(CaseActionError) as raised:
            actions.decide_case(case, data, by=personas.approver)
        assert "诫勉不能适用于" in messages_of(raised)

    def test_a_sanction_needs_its_measure(self, personas: Personas) -> None:
        case = self._determined(personas)
        data = decision_for(case)
        leader = case.targets.get(person__isnull=False)
        data.targets[leader.pk] = actions.TargetDecision(forms=[(Form.DISCIPLINE, "")])
        with pytest.raises(CaseActionError) as raised:
            actions.decide_case(case, data, by=personas.approver)
        assert "请选择纪律处分的具体措施" in messages_of(raised)

    def test_the_meeting_must_be_recorded_and_carry_the_decision(self, personas: Personas) -> None:
        case = self._determined(personas)
        data = decision_for(case)
        data.meeting_date, data.meeting_attendees, data.votes_for, data.votes_against = None, "", 2, 3
        with pytest.raises(CaseActionError) as raised:
            actions.decide_case(case, data, by=personas.approver)
        text = messages_of(raised)
        assert "会议日期" in text and "参会人员" in text and "赞成票须多于反对票" in text


class TestDeliver:
    def test_the_officer_delivers(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DELIVERED)
        assert case.delivered_on == DELIVERED_ON
        # One month from 5 March 2026 is 5 April, inside the Qingming holiday (4–6 April): due 7 April.
        assert (case.next_due_rule, case.next_due_on) == ("appeal_filing", D(2026, 4, 7))

    def test_date_and_number_are_required(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DECIDED)
        with pytest.raises(CaseActionError) as raised:
            actions.deliver_case(case, by=personas.officer, delivered_on=None, document_no=" ")
        assert raised.value.messages == ["请填写送达日期。", "请填写决定书文号。"]

    def test_a_document_number_is_used_once(self, personas: Personas) -> None:
        first = advance(draft_case(personas), personas, CaseState.DELIVERED)
        second = advance(draft_case(personas), personas, CaseState.DECIDED)
        with pytest.raises(CaseActionError) as raised:
            actions.deliver_case(
                second, by=personas.officer, delivered_on=DELIVERED_ON, document_no=first.decision_document_no
            )
        assert "已被使用" in messages_of(raised)

    def test_delivery_cannot_precede_the_decision(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DECIDED)
        with pytest.raises(CaseActionError) as raised:
            actions.deliver_case(
                case, by=personas.officer, delivered_on=DECIDED_ON - dt.timedelta(days=1), document_no="X1"
            )
        assert "送达日期（2026年3月1日）不能早于决定日期（2026年3月2日）。" in messages_of(raised)


class TestRespond:
    def test_the_officer_records_the_response(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.RESPONDED)
        assert all(t.response_accepts for t in case.targets.all())

    def test_each_target_must_answer(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DELIVERED)
        responses = responses_for(case)
        leader = case.targets.get(person__isnull=False)
        responses[leader.pk] = actions.ResponseData(
            accepts=None, text="", self_criticism_received=False, response_date=None
        )
        with pytest.raises(CaseActionError) as raised:
            actions.record_case_response(case, responses, by=personas.officer)
        assert len(raised.value.messages) == 3
        assert fresh(case).state == CaseState.DELIVERED


class TestAppeal:
    def _appeal(self, personas: Personas, filed_on: dt.date) -> Case:
        case = advance(draft_case(personas), personas, CaseState.DELIVERED)
        appellant = case.targets.get(person__isnull=False)
        return actions.file_case_appeal(
            case, by=personas.officer, appellant=appellant, filed_on=filed_on, grounds="认为处理过重"
        )

    def test_an_appeal_on_the_last_day_is_accepted(self, personas: Personas) -> None:
        case = self._appeal(personas, D(2026, 4, 7))
        assert fresh(case).state == CaseState.APPEALED
        assert fresh(case).next_due_rule == "appeal_decision"

    def test_an_appeal_one_day_late_is_refused(self, personas: Personas) -> None:
        with pytest.raises(CaseActionError) as raised:
            self._appeal(personas, D(2026, 4, 8))
        assert raised.value.messages == ["申诉于2026-04-08提出，已超过申诉期限（2026-04-07届满）。"]
        assert Case.objects.get().state == CaseState.DELIVERED

    def test_an_appeal_can_follow_a_response(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.RESPONDED)
        appellant = case.targets.get(person__isnull=False)
        actions.file_case_appeal(
            case, by=personas.officer, appellant=appellant, filed_on=D(2026, 3, 20), grounds="不服"
        )
        assert fresh(case).state == CaseState.APPEALED

    def test_the_appeal_needs_appellant_grounds_and_date(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DELIVERED)
        with pytest.raises(CaseActionError) as raised:
            actions.file_case_appeal(case, by=personas.officer, appellant=None, filed_on=None, grounds="")
        assert len(raised.value.messages) == 3

    def test_upheld(self, personas: Personas) -> None:
        case = self._appeal(personas, D(2026, 3, 20))
        actions.decide_case_appeal(
            case, by=personas.approver, outcome="upheld", decided_on=D(2026, 4, 15), decision="维持原决定"
        )
        case = fresh(case)
        assert (case.state, case.appeal_outcome, case.closed_on) == (
            CaseState.CLOSED,
            "upheld",
            D(2026, 4, 15),
        )
        assert not DecidedForm.objects.filter(target__case=case, revoked=True).exists()

    def test_revoked_ends_every_impact_period(self, personas: Personas) -> None:
        case = self._appeal(personas, D(2026, 3, 20))
        actions.decide_case_appeal(
            case, by=personas.approver, outcome="revoked", decided_on=D(2026, 4, 15), decision="撤销"
        )
        assert set(DecidedForm.objects.filter(target__case=case).values_list("revoked", flat=True)) == {True}
        assert fresh(case).form_flags == 0

    def test_modified_replaces_the_forms(self, personas: Personas) -> None:
        case = self._appeal(personas, D(2026, 3, 20))
        leader = case.targets.get(person__isnull=False)
        organisation = case.targets.get(org_unit__isnull=False)
        revised = {
            leader.pk: actions.TargetDecision(forms=[(Form.NOTICE, "")]),
            organisation.pk: actions.TargetDecision(forms=[(Form.ORG_INSPECTION, "")]),
        }
        actions.decide_case_appeal(
            case,
            by=personas.approver,
            outcome="modified",
            decided_on=D(2026, 4, 15),
            decision="改为通报",
            revised=revised,
        )
        assert list(leader.forms.filter(revoked=False).values_list("form", flat=True)) == [Form.NOTICE]
        # The forms first decided stay on record, revoked.
        assert set(leader.forms.filter(revoked=True).values_list("form", flat=True)) == {
            Form.ADMONISHMENT,
            Form.DISCIPLINE,
        }
        assert fresh(case).form_flags == form_flags_of([Form.NOTICE, Form.ORG_INSPECTION])

    def test_the_appeal_decision_needs_its_parts(self, personas: Personas) -> None:
        case = self._appeal(personas, D(2026, 3, 20))
        with pytest.raises(CaseActionError) as raised:
            actions.decide_case_appeal(case, by=personas.approver, outcome="", decided_on=None, decision="")
        assert len(raised.value.messages) == 3


class TestClose:
    def test_not_while_the_appeal_window_is_open(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.RESPONDED)
        with pytest.raises(CaseActionError) as raised:
            actions.close_case(case, by=personas.officer, on=D(2026, 4, 7))
        assert "2026-04-07" in messages_of(raised)

    def test_after_the_window(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.RESPONDED)
        actions.close_case(case, by=personas.officer, on=D(2026, 4, 8))
        assert (fresh(case).state, fresh(case).closed_on) == (CaseState.CLOSED, D(2026, 4, 8))

    def test_straight_from_delivered(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DELIVERED)
        actions.close_case(case, by=personas.officer)
        assert fresh(case).state == CaseState.CLOSED


class TestDismissAndWithdraw:
    def test_dismiss_from_initiated_with_an_article_17_ground(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.INITIATED)
        actions.dismiss_case(
            case, by=personas.approver, ground=clause("ccp-accountability-2019", "17.1.3"), reason="不可抗力"
        )
        assert fresh(case).state == CaseState.DISMISSED

    def test_dismiss_from_determined(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DETERMINED)
        actions.dismiss_case(
            case,
            by=personas.approver,
            ground=clause("ccp-accountability-2019", "17.1.1"),
            reason="探索性失误",
        )
        assert fresh(case).state == CaseState.DISMISSED

    def test_dismiss_needs_an_exemption_clause_and_a_reason(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.INITIATED)
        with pytest.raises(CaseActionError) as raised:
            actions.dismiss_case(case, by=personas.approver, ground=situation_2019(1), reason="")
        assert len(raised.value.messages) == 2
        with pytest.raises(CaseActionError):
            actions.dismiss_case(case, by=personas.approver, ground=None, reason="理由")
        assert fresh(case).state == CaseState.INITIATED

    def test_withdraw_a_clue(self, personas: Personas) -> None:
        case = draft_case(personas)
        actions.withdraw_case(case, by=personas.approver, reason="线索不实")
        assert (fresh(case).state, fresh(case).end_reason) == (CaseState.WITHDRAWN, "线索不实")

    def test_withdraw_needs_a_reason(self, personas: Personas) -> None:
        case = draft_case(personas)
        with pytest.raises(CaseActionError) as raised:
            actions.withdraw_case(case, by=personas.approver, reason=" ")
        assert raised.value.messages == ["请说明线索不予立案的理由。"]


class TestIllegalMoves:
    @pytest.mark.parametrize(
        "move",
        [
            lambda case, p: actions.deliver_case(
                case, by=p.officer, delivered_on=DELIVERED_ON, document_no="X"
            ),
            lambda case, p: actions.determine_case(case, by=p.officer),
            lambda case, p: actions.close_case(case, by=p.officer),
            lambda case, p: actions.dismiss_case(case, by=p.approver, ground=None, reason="x"),
        ],
    )
    def test_a_move_from_the_wrong_state_is_refused_with_a_message(self, personas: Personas, move) -> None:
        case = draft_case(personas)
        with pytest.raises(CaseActionError) as raised:
            move(case, personas)
        assert "当前状态" in messages_of(raised) or "不能" in messages_of(raised)
        assert fresh(case).state == CaseState.DRAFT
        assert CaseTransition.objects.filter(case=case).count() == 1

    def test_a_closed_case_cannot_be_withdrawn(self, personas: Personas) -> None:
        case = advance(draft_case(personas), personas, CaseState.DELIVERED)
        with pytest.raises(CaseActionError):
            actions.withdraw_case(case, by=personas.approver, reason="x")


def test_the_form_bits_keep_the_order_the_migration_filled_them_in() -> None:
    """`Case.form_flags` of existing rows were filled in this order; reordering `Form` would misread them."""
    import importlib

    migration = importlib.import_module("cases.migrations.0005_form_flags_and_team_history")
    assert list(Form.values) == migration.FORMS
    assert [form_bit(form) for form in Form.values] == [1 << i for i in range(len(Form.values))]
