"""Each step of a petition: the happy path, every guard refusing in Chinese, nothing half-written."""

import datetime as dt
from typing import Any

import pytest

from accountability.models import DocumentSequence
from petitions import actions
from petitions.actions import PetitionActionError, PetitionConflictError, PetitionPermissionError
from petitions.models import (
    Channel,
    Petition,
    PetitionExtension,
    PetitionHandler,
    PetitionState,
    PetitionTransition,
    ReviewOutcome,
)
from tests.personas import Personas
from tests.petition_factories import (
    PETITIONER,
    PetitionPeople,
    advance,
    fresh,
    petition_clock,  # noqa: F401 - autouse: the tests run on 30 Nov 2026
    register,
)

D = dt.date


def text(raised: pytest.ExceptionInfo[PetitionActionError]) -> str:
    return " ".join(raised.value.messages)


class TestRegister:
    def test_a_petition_gets_the_next_gap_free_number_of_the_year(self, personas: Personas) -> None:
        first, second = register(personas), register(personas)
        assert first.number == f"信访〔2026〕第{first.sequence:04d}号"
        assert second.sequence - first.sequence == 1
        assert first.state == PetitionState.REGISTERED
        row = first.transitions.get()
        assert (row.name, row.source_state, row.target_state, row.by) == (
            "register",
            "",
            "registered",
            personas.petition_officer,
        )

    def test_a_refused_registration_uses_no_number(self, personas: Personas) -> None:
        register(personas)
        with pytest.raises(PetitionActionError):
            register(personas, subject=" ")
        third = register(personas)
        assert third.sequence == 2
        assert DocumentSequence.objects.get(kind="petition", year=2026).last_value == 2

    def test_every_missing_part_is_named(self, personas: Personas) -> None:
        data = actions.PetitionData(
            channel="fax", received_on=None, subject="", content="", responsible_unit=None
        )
        with pytest.raises(PetitionActionError) as raised:
            actions.register_petition(data, by=personas.petition_officer)
        assert raised.value.messages == [
            "请选择信访渠道。",
            "请填写收到信访事项的日期。",
            "请填写信访事项的事由。",
            "请填写信访内容。",
            "请选择责任单位。",
            "请填写信访人姓名，或标记为匿名信访。",
        ]
        assert not Petition.objects.exists()

    def test_anonymous_petitions_carry_no_personal_data(self, personas: Personas) -> None:
        petition = register(personas, anonymous=True, channel=Channel.HOTLINE_12388)
        assert petition.anonymous and petition.petitioner_name == "" and petition.petitioner_phone == ""
        with pytest.raises(PetitionActionError) as raised:
            register(personas, anonymous=True, petitioner_phone="13900001111")
        assert text(raised) == "匿名信访不能登记信访人的个人信息。"

    def test_a_wrong_id_number_and_phone_are_refused(self, personas: Personas) -> None:
        with pytest.raises(PetitionActionError) as raised:
            register(personas, petitioner_id_number="53232519680412321X", petitioner_phone="call me")
        assert "校验码" in text(raised)
        assert "电话号码" in text(raised)

    def test_a_future_receipt_date_is_refused(self, personas: Personas) -> None:
        with pytest.raises(PetitionActionError) as raised:
            register(personas, received_on=D(2099, 1, 1))
        assert text(raised) == "收到日期不能晚于今天。"

    def test_only_petition_officers_register(self, personas: Personas) -> None:
        for user in (
            personas.approver,
            personas.officer,
            personas.inspector,
            personas.unit_contact,
            personas.outsider,
        ):
            with pytest.raises(PetitionPermissionError):
                register(personas, by=user)
        assert not Petition.objects.exists()

    def test_handlers_must_be_petition_officers(self, personas: Personas) -> None:
        with pytest.raises(PetitionActionError) as raised:
            register(personas, handlers=[personas.officer])
        assert "周纪检" in text(raised)
        assert not Petition.objects.exists()

    def test_the_history_keeps_no_personal_data(self, personas: Personas) -> None:
        petition = register(personas)
        record = petition.history.get()
        assert not hasattr(record, "petitioner_name")
        assert not hasattr(record, "petitioner_id_number")


class TestAcceptOrNot:
    def test_accept(self, personas: Personas) -> None:
        petition = register(personas)
        actions.accept_petition(
            petition, by=personas.petition_officer, decided_on=D(2025, 9, 20), note="予以受理"
        )
        petition = fresh(petition)
        assert (petition.state, petition.decided_on, petition.next_due_rule) == (
            "accepted",
            D(2025, 9, 20),
            "petition_registration",
        )

    def test_the_decision_cannot_precede_the_receipt(self, personas: Personas) -> None:
        petition = register(personas, received_on=D(2025, 9, 16))
        with pytest.raises(PetitionActionError) as raised:
            actions.accept_petition(petition, by=personas.petition_officer, decided_on=D(2025, 9, 15))
        assert text(raised) == "受理决定日期（2025年9月15日）不能早于收到信访事项的日期（2025年9月16日）。"
        assert fresh(petition).state == PetitionState.REGISTERED

    def test_not_accepting_needs_a_reason(self, personas: Personas) -> None:
        petition = register(personas)
        with pytest.raises(PetitionActionError) as raised:
            actions.reject_petition(
                petition, by=personas.petition_officer, decided_on=D(2025, 9, 20), reason=" "
            )
        assert text(raised) == "请说明不予受理的理由。"
        actions.reject_petition(
            petition, by=personas.petition_officer, decided_on=D(2025, 9, 20), reason="已经复核终结"
        )
        petition = fresh(petition)
        assert (petition.state, petition.next_due_on) == (PetitionState.NOT_ACCEPTED, None)
        assert not petition.is_open


class TestHandling:
    def test_hand_over_assigns_the_handlers(self, personas: Personas) -> None:
        people = PetitionPeople(personas)
        petition = advance(register(personas), personas, "accepted")
        actions.start_handling(
            petition,
            by=personas.petition_officer,
            started_on=D(2025, 9, 20),
            handlers=[people.township_officer],
        )
        assert set(
            PetitionHandler.objects.filter(petition=petition).values_list("user__username", flat=True)
        ) == {"town_officer"}
        assert fresh(petition).next_due_rule == "petition_conclusion"

    def test_hand_over_needs_a_handler(self, personas: Personas) -> None:
        petition = advance(register(personas), personas, "accepted")
        with pytest.raises(PetitionActionError) as raised:
            actions.start_handling(petition, by=personas.petition_officer, started_on=D(2025, 9, 20))
        assert text(raised) == "请至少指定一名承办人。"

    def test_conclusion_needs_outcome_opinion_and_reply(self, personas: Personas) -> None:
        petition = advance(register(personas), personas, "handling")
        with pytest.raises(PetitionActionError) as raised:
            actions.conclude_petition(
                petition,
                by=personas.petition_officer,
                concluded_on=D(2025, 10, 1),
                outcome="",
                opinion="",
                reply_received_on=None,
            )
        assert raised.value.messages == [
            "请选择处理意见的类型。",
            "请填写处理意见。",
            "请填写信访人收到书面答复的日期。",
        ]
        petition = fresh(petition)
        assert (petition.state, petition.concluded_on, petition.opinion) == ("handling", None, "")


class TestReviews:
    def test_review_and_re_review_end_the_petition(self, personas: Personas) -> None:
        petition = advance(register(personas), personas, "rereviewed")
        assert not petition.is_open
        assert [row.name for row in petition.transitions.all()] == [
            "register",
            "accept",
            "start_handling",
            "conclude",
            "request_review",
            "decide_review",
            "request_rereview",
            "decide_rereview",
        ]
        assert petition.rereview_outcome == ReviewOutcome.UPHELD

    def test_a_review_request_needs_a_body_and_grounds(self, personas: Personas) -> None:
        petition = advance(register(personas), personas, "concluded")
        with pytest.raises(PetitionActionError) as raised:
            actions.request_review(
                petition,
                by=personas.petition_officer,
                requested_on=D(2025, 9, 25),
                review_unit=None,
                grounds="",
            )
        assert len(raised.value.messages) == 2

    def test_the_review_opinion_needs_its_parts(self, personas: Personas) -> None:
        petition = advance(register(personas), personas, "review_requested")
        with pytest.raises(PetitionActionError) as raised:
            actions.decide_review(
                petition,
                by=personas.petition_officer,
                decided_on=None,
                outcome="",
                opinion="",
                reply_received_on=None,
            )
        assert raised.value.messages == [
            "请填写复查意见日期。",
            "请选择复查结果。",
            "请填写复查意见。",
            "请填写信访人收到复查意见的日期。",
        ]


class TestWithdraw:
    def test_withdraw_with_a_reason_keeps_the_record(self, personas: Personas) -> None:
        petition = advance(register(personas), personas, "handling")
        with pytest.raises(PetitionActionError):
            actions.withdraw_petition(petition, by=personas.petition_officer, reason="")
        actions.withdraw_petition(petition, by=personas.petition_officer, reason="信访人书面撤回")
        petition = fresh(petition)
        assert (petition.state, petition.end_reason, petition.next_due_on) == (
            "withdrawn",
            "信访人书面撤回",
            None,
        )

    def test_a_concluded_petition_cannot_be_withdrawn(self, personas: Personas) -> None:
        petition = advance(register(personas), personas, "concluded")
        with pytest.raises(PetitionActionError) as raised:
            actions.withdraw_petition(petition, by=personas.petition_officer, reason="x")
        assert text(raised) == "信访事项处于“已办结”状态，不能进行此操作。"


class TestIllegalMovesAndRoles:
    @pytest.mark.parametrize(
        "move",
        [
            lambda p, who: actions.conclude_petition(
                p,
                by=who,
                concluded_on=D(2025, 9, 20),
                outcome="supported",
                opinion="x",
                reply_received_on=D(2025, 9, 20),
            ),
            lambda p, who: actions.start_handling(p, by=who, started_on=D(2025, 9, 20), handlers=[who]),
            lambda p, who: actions.decide_rereview(
                p, by=who, decided_on=D(2025, 9, 20), outcome="upheld", opinion="x"
            ),
        ],
    )
    def test_a_move_from_the_wrong_state_is_refused(self, personas: Personas, move) -> None:
        petition = register(personas)
        with pytest.raises(PetitionActionError) as raised:
            move(petition, personas.petition_officer)
        assert "不能进行此操作" in text(raised)
        assert fresh(petition).state == PetitionState.REGISTERED
        assert PetitionTransition.objects.filter(petition=petition).count() == 1

    def test_other_roles_cannot_take_steps(self, personas: Personas) -> None:
        petition = register(personas)
        for user in (personas.approver, personas.officer):
            with pytest.raises(PetitionPermissionError):
                actions.accept_petition(petition, by=user, decided_on=D(2025, 9, 20))
        for user in (personas.inspector, personas.unit_contact, personas.outsider):
            with pytest.raises(PetitionPermissionError):
                actions.accept_petition(petition, by=user, decided_on=D(2025, 9, 20))
        assert fresh(petition).state == PetitionState.REGISTERED

    def test_an_officer_of_another_jurisdiction_cannot_act(self, personas: Personas) -> None:
        people = PetitionPeople(personas)
        petition = register(personas)
        with pytest.raises(PetitionPermissionError):
            actions.accept_petition(petition, by=people.outside_officer, decided_on=D(2025, 9, 20))

    def test_a_stale_form_is_a_conflict_and_changes_nothing(self, personas: Personas) -> None:
        petition = register(personas)
        stale = fresh(petition)
        actions.accept_petition(petition, by=personas.petition_officer, decided_on=D(2025, 9, 20))
        with pytest.raises(PetitionConflictError) as raised:
            actions.reject_petition(
                stale,
                by=personas.petition_officer,
                decided_on=D(2025, 9, 20),
                reason="x",
                expected_state="registered",
            )
        assert "已受理" in text(raised)
        assert fresh(petition).state == PetitionState.ACCEPTED


class TestExtensionDecision:
    def _pending(self, personas: Personas) -> PetitionExtension:
        petition = advance(
            register(personas, received_on=D(2025, 7, 1)), personas, "handling", accepted_on=D(2025, 7, 3)
        )
        return actions.request_extension(
            petition, by=personas.petition_officer, days=20, reason="需要鉴定", on=D(2025, 8, 1)
        )

    def test_a_petition_officer_cannot_approve(self, personas: Personas) -> None:
        extension = self._pending(personas)
        with pytest.raises(PetitionPermissionError):
            actions.decide_extension(extension, by=personas.petition_officer, approve=True)

    def test_another_countys_approver_cannot_approve(self, personas: Personas) -> None:
        extension = self._pending(personas)
        with pytest.raises(PetitionPermissionError):
            actions.decide_extension(extension, by=PetitionPeople(personas).outside_approver, approve=True)
        assert PetitionExtension.objects.get().decision == "pending"

    def test_a_refusal_needs_a_reason_and_keeps_the_deadline(self, personas: Personas) -> None:
        extension = self._pending(personas)
        with pytest.raises(PetitionActionError) as raised:
            actions.decide_extension(extension, by=personas.approver, approve=False)
        assert text(raised) == "请说明不同意延期的理由。"
        actions.decide_extension(extension, by=personas.approver, approve=False, note="事实已清楚，无需延期")
        petition = fresh(extension.petition)
        assert (petition.extension_days, petition.next_due_on) == (0, D(2025, 9, 1))
        assert petition.transitions.latest("pk").name == "extension_refused"

    def test_approval_is_recorded_with_the_approver(self, personas: Personas) -> None:
        extension = self._pending(personas)
        actions.decide_extension(extension, by=personas.approver, approve=True, on=D(2025, 8, 2))
        extension.refresh_from_db()
        assert (extension.decision, extension.decided_by, extension.decided_on) == (
            "approved",
            personas.approver,
            D(2025, 8, 2),
        )
        assert fresh(extension.petition).next_due_on == D(
            2025, 9, 22
        )  # +80 days = Sunday 21 Sep, rolled to Monday
        with pytest.raises(PetitionActionError):
            actions.decide_extension(extension, by=personas.approver, approve=True)

    def test_the_approver_is_notified_of_a_request(self, personas: Personas) -> None:
        from accountability.models import Notification

        personas.approver  # noqa: B018 - exists before the request
        self._pending(personas)
        assert Notification.objects.filter(recipient=personas.approver, title__contains="延期").count() == 1


def test_the_petitioner_data_is_stored_as_typed(personas: Personas) -> None:
    petition = register(personas)
    assert petition.petitioner_id_number == PETITIONER["petitioner_id_number"]


class TestCorrection:
    def _data(self, personas: Personas, **changes) -> actions.PetitionData:
        values: dict[str, Any] = {
            "channel": Channel.LETTER,
            "received_on": D(2025, 9, 13),
            "subject": "反映林地承包纠纷（更正）",
            "content": "更正后的内容",
            "responsible_unit": personas.forestry,
            **PETITIONER,
            "petitioner_phone": "13900002222",
        }
        values.update(changes)
        return actions.PetitionData(**values)

    def test_a_correction_moves_the_deadline_and_is_audited(self, personas: Personas) -> None:
        petition = register(personas, received_on=D(2025, 9, 16))
        actions.correct_petition(
            petition, self._data(personas), by=personas.petition_officer, reason="收到日期登记有误"
        )
        petition = fresh(petition)
        assert (petition.received_on, petition.next_due_on, petition.petitioner_phone) == (
            D(2025, 9, 13),
            D(2025, 9, 28),  # +15 = the make-up Sunday
            "13900002222",
        )
        row = petition.transitions.latest("pk")
        assert (row.name, row.comment) == ("correct", "收到日期登记有误")
        assert "13900002222" not in row.comment
        assert petition.history.count() == 2

    def test_a_correction_needs_a_reason_and_valid_data(self, personas: Personas) -> None:
        petition = register(personas)
        with pytest.raises(PetitionActionError) as raised:
            actions.correct_petition(
                petition,
                self._data(personas, subject="", petitioner_phone="x"),
                by=personas.petition_officer,
                reason="",
            )
        assert (
            "请填写信访事项的事由。" in raised.value.messages
            and "请说明更正的内容和理由。" in raised.value.messages
        )
        assert fresh(petition).subject == "反映林地承包纠纷久拖不决"

    def test_only_officers_who_see_the_petitioner_correct_open_petitions(self, personas: Personas) -> None:
        from tests.personas import make_user

        petition = register(personas)
        root = make_user("root", unit=personas.county, is_superuser=True)
        with pytest.raises(PetitionPermissionError):
            actions.correct_petition(petition, self._data(personas), by=root, reason="x")
        with pytest.raises(PetitionPermissionError):
            actions.correct_petition(petition, self._data(personas), by=personas.approver, reason="x")
        closed = advance(register(personas), personas, "rereviewed")
        with pytest.raises(PetitionActionError):
            actions.correct_petition(closed, self._data(personas), by=personas.petition_officer, reason="x")
