"""Every petition deadline at its boundary, across statutory holidays and make-up working days.

2025 National Day: 1–8 October off, make-up working days Sunday 28 September and Saturday 11 October.
2026 Spring Festival: 15–23 February off, make-up working days Saturday 14 and Saturday 28 February.
All petition periods are calendar days that roll over to the next working day when they end on a rest day.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from petitions import actions, deadlines
from petitions.actions import PetitionActionError
from petitions.models import Petition, PetitionState, PetitionTransition
from tests.conftest import login
from tests.personas import Personas
from tests.petition_factories import (
    advance,
    fresh,
    petition_clock,  # noqa: F401 - autouse: the tests run on 30 Nov 2026
    register,
)

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def late_flags(petition: Petition) -> dict[str, bool]:
    return dict(PetitionTransition.objects.filter(petition=petition).values_list("name", "was_late"))


class TestAcceptance:
    """Decide on acceptance within 15 days of receipt (petition_acceptance)."""

    def test_a_period_ending_on_national_day_rolls_to_9_october(self, personas: Personas) -> None:
        petition = register(personas, received_on=D(2025, 9, 16))  # +15 = 1 Oct, a holiday
        assert (petition.next_due_rule, petition.next_due_on) == ("petition_acceptance", D(2025, 10, 9))

    def test_a_period_ending_on_the_make_up_sunday_does_not_roll(self, personas: Personas) -> None:
        petition = register(personas, received_on=D(2025, 9, 13))  # +15 = Sunday 28 Sep, a working day
        assert petition.next_due_on == D(2025, 9, 28)

    def test_a_period_ending_on_the_make_up_saturday_does_not_roll(self, personas: Personas) -> None:
        petition = register(personas, received_on=D(2025, 9, 26))  # +15 = Saturday 11 Oct, a working day
        assert petition.next_due_on == D(2025, 10, 11)

    def test_an_ordinary_saturday_rolls_to_monday(self, personas: Personas) -> None:
        petition = register(personas, received_on=D(2025, 11, 7))  # +15 = Saturday 22 Nov
        assert petition.next_due_on == D(2025, 11, 24)

    def test_deciding_on_the_last_day_is_on_time(self, personas: Personas) -> None:
        petition = register(personas, received_on=D(2025, 9, 16))
        actions.accept_petition(petition, by=personas.petition_officer, decided_on=D(2025, 10, 9))
        assert late_flags(petition)["accept"] is False

    def test_deciding_the_day_after_is_recorded_late(self, personas: Personas) -> None:
        petition = register(personas, received_on=D(2025, 9, 16))
        actions.accept_petition(petition, by=personas.petition_officer, decided_on=D(2025, 10, 10))
        assert late_flags(petition)["accept"] is True

    def test_the_overdue_filter_flips_the_day_after_the_due_date(self, client, personas: Personas) -> None:
        register(personas, received_on=D(2025, 9, 16))
        login(client, personas.petition_officer)
        url = reverse("petitions:list") + "?overdue=true"
        with time_machine.travel(dt.datetime(2025, 10, 9, 18, 0, tzinfo=SHANGHAI), tick=False):
            assert client.get(url).context["page"].paginator.count == 0
        with time_machine.travel(dt.datetime(2025, 10, 10, 9, 0, tzinfo=SHANGHAI), tick=False):
            page = client.get(url)
            assert page.context["page"].paginator.count == 1
            assert "已逾期 1 天" in page.content.decode()


class TestHandOver:
    """Hand over (转送/交办) within 15 days of receipt (petition_registration, Art. 22)."""

    def test_the_accepted_petition_is_due_for_hand_over_from_the_receipt(self, personas: Personas) -> None:
        petition = advance(
            register(personas, received_on=D(2025, 9, 16)), personas, "accepted", accepted_on=D(2025, 9, 20)
        )
        assert (petition.next_due_rule, petition.next_due_on) == ("petition_registration", D(2025, 10, 9))

    def test_handing_over_on_the_last_day_and_after(self, personas: Personas) -> None:
        on_time = advance(register(personas), personas, "accepted", accepted_on=D(2025, 9, 20))
        actions.start_handling(
            on_time,
            by=personas.petition_officer,
            started_on=D(2025, 10, 9),
            handlers=[personas.petition_officer],
        )
        late = advance(register(personas), personas, "accepted", accepted_on=D(2025, 9, 20))
        actions.start_handling(
            late,
            by=personas.petition_officer,
            started_on=D(2025, 10, 10),
            handlers=[personas.petition_officer],
        )
        assert (late_flags(on_time)["start_handling"], late_flags(late)["start_handling"]) == (False, True)


class TestConclusion:
    """Conclude within 60 days of acceptance (petition_conclusion, Art. 34)."""

    def test_ending_on_the_spring_festival_make_up_saturday_stays(self, personas: Personas) -> None:
        petition = advance(
            register(personas, received_on=D(2025, 12, 10)), personas, "handling", accepted_on=D(2025, 12, 16)
        )
        assert (petition.next_due_rule, petition.next_due_on) == ("petition_conclusion", D(2026, 2, 14))

    def test_ending_inside_the_spring_festival_rolls_to_24_february(self, personas: Personas) -> None:
        petition = advance(
            register(personas, received_on=D(2025, 12, 10)), personas, "handling", accepted_on=D(2025, 12, 17)
        )
        assert petition.next_due_on == D(2026, 2, 24)  # +60 = Sunday 15 Feb, inside the holiday

    @pytest.mark.parametrize(("concluded_on", "late"), [(D(2026, 2, 24), False), (D(2026, 2, 25), True)])
    def test_concluding_at_the_boundary(self, personas: Personas, concluded_on: dt.date, late: bool) -> None:
        petition = advance(
            register(personas, received_on=D(2025, 12, 10)),
            personas,
            "concluded",
            accepted_on=D(2025, 12, 17),
            concluded_on=concluded_on,
        )
        assert late_flags(petition)["conclude"] is late
        assert petition.next_due_on is None  # nothing is owed once concluded: never "overdue"


class TestExtension:
    """One extension of at most 30 days (petition_extension), asked for before the period ends."""

    def _handling(self, personas: Personas, accepted_on: dt.date) -> Petition:
        return advance(
            register(personas, received_on=accepted_on), personas, "handling", accepted_on=accepted_on
        )

    def test_an_approved_extension_moves_the_deadline_and_rolls_over_national_day(
        self, personas: Personas
    ) -> None:
        petition = self._handling(personas, D(2025, 7, 3))
        assert petition.next_due_on == D(2025, 9, 1)  # +60
        with time_machine.travel(dt.datetime(2025, 8, 20, 10, 0, tzinfo=SHANGHAI), tick=False):
            extension = actions.request_extension(
                petition, by=personas.petition_officer, days=30, reason="情况复杂"
            )
            actions.decide_extension(extension, by=personas.approver, approve=True)
        assert fresh(petition).next_due_on == D(2025, 10, 9)  # +90 = 1 Oct, a holiday
        assert fresh(petition).extension_days == 30

    def test_more_than_30_days_is_refused(self, personas: Personas) -> None:
        petition = self._handling(personas, D(2025, 7, 3))
        with pytest.raises(PetitionActionError) as raised:
            actions.request_extension(
                petition, by=personas.petition_officer, days=31, reason="情况复杂", on=D(2025, 8, 20)
            )
        assert raised.value.messages == ["延长期限应在1至30日之间。"]
        assert not petition.extensions.exists()

    def test_asking_on_the_last_day_of_the_period_is_allowed(self, personas: Personas) -> None:
        petition = self._handling(personas, D(2025, 7, 3))
        actions.request_extension(
            petition, by=personas.petition_officer, days=10, reason="待鉴定", on=D(2025, 9, 1)
        )
        assert petition.extensions.count() == 1

    def test_asking_the_day_after_the_period_ended_is_refused(self, personas: Personas) -> None:
        petition = self._handling(personas, D(2025, 7, 3))
        with pytest.raises(PetitionActionError) as raised:
            actions.request_extension(
                petition, by=personas.petition_officer, days=10, reason="待鉴定", on=D(2025, 9, 2)
            )
        assert raised.value.messages == ["办理期限已于2025年9月1日届满，延长办理期限应在期限届满前提出。"]

    def test_a_second_extension_is_refused(self, personas: Personas) -> None:
        petition = self._handling(personas, D(2025, 7, 3))
        extension = actions.request_extension(
            petition, by=personas.petition_officer, days=5, reason="待鉴定", on=D(2025, 8, 1)
        )
        actions.decide_extension(extension, by=personas.approver, approve=True)
        with pytest.raises(PetitionActionError) as raised:
            actions.request_extension(
                petition, by=personas.petition_officer, days=5, reason="再延", on=D(2025, 8, 2)
            )
        assert "已延长过一次" in " ".join(raised.value.messages)


class TestReviewWindows:
    """Art. 35 and 36: 30 days to ask, 30 days to answer, each from the written reply or request."""

    def test_a_review_asked_on_the_rolled_over_last_day_is_accepted(self, personas: Personas) -> None:
        petition = advance(
            register(personas, received_on=D(2025, 8, 1)), personas, "concluded", reply_on=D(2025, 9, 1)
        )
        assert deadlines.due_date(petition, deadlines.REVIEW_REQUEST) == D(2025, 10, 9)
        actions.request_review(
            petition,
            by=personas.petition_officer,
            requested_on=D(2025, 10, 9),
            review_unit=personas.county,
            grounds="不服",
        )
        assert fresh(petition).state == PetitionState.REVIEW_REQUESTED

    def test_a_review_asked_one_day_late_is_refused(self, personas: Personas) -> None:
        petition = advance(
            register(personas, received_on=D(2025, 8, 1)), personas, "concluded", reply_on=D(2025, 9, 1)
        )
        with pytest.raises(PetitionActionError) as raised:
            actions.request_review(
                petition,
                by=personas.petition_officer,
                requested_on=D(2025, 10, 10),
                review_unit=personas.county,
                grounds="不服",
            )
        assert raised.value.messages == [
            "复查请求于2025年10月10日提出，已超过30日期限（2025年10月9日届满）。"
        ]
        assert fresh(petition).state == PetitionState.CONCLUDED

    @pytest.mark.parametrize(("decided_on", "late"), [(D(2026, 2, 24), False), (D(2026, 2, 25), True)])
    def test_the_review_opinion_at_its_spring_festival_boundary(
        self, personas: Personas, decided_on: dt.date, late: bool
    ) -> None:
        petition = advance(
            register(personas, received_on=D(2025, 12, 1)),
            personas,
            "review_requested",
            reply_on=D(2026, 1, 10),
            review_requested_on=D(2026, 1, 16),
        )
        assert (petition.next_due_rule, petition.next_due_on) == ("petition_review_decision", D(2026, 2, 24))
        petition = advance(petition, personas, "reviewed", review_decided_on=decided_on)
        assert late_flags(petition)["decide_review"] is late

    def test_a_re_review_window_ending_on_the_make_up_saturday_does_not_stretch(
        self, personas: Personas
    ) -> None:
        petition = advance(
            register(personas, received_on=D(2025, 12, 1)),
            personas,
            "reviewed",
            review_reply_on=D(2026, 1, 15),
        )
        assert deadlines.due_date(petition, deadlines.REREVIEW_REQUEST) == D(2026, 2, 14)
        with pytest.raises(PetitionActionError):
            actions.request_rereview(
                petition,
                by=personas.petition_officer,
                requested_on=D(2026, 2, 15),
                rereview_unit=personas.county,
                grounds="不服",
            )
        actions.request_rereview(
            petition,
            by=personas.petition_officer,
            requested_on=D(2026, 2, 14),
            rereview_unit=personas.county,
            grounds="不服",
        )
        assert fresh(petition).state == PetitionState.REREVIEW_REQUESTED

    def test_the_re_review_opinion_deadline_rolls_over_national_day(self, personas: Personas) -> None:
        petition = advance(
            register(personas, received_on=D(2025, 7, 1)),
            personas,
            "rereview_requested",
            review_reply_on=D(2025, 8, 20),
            rereview_requested_on=D(2025, 9, 1),
        )
        assert (petition.next_due_rule, petition.next_due_on) == (
            "petition_rereview_decision",
            D(2025, 10, 9),
        )
        petition = advance(petition, personas, "rereviewed", rereview_decided_on=D(2025, 10, 10))
        assert late_flags(petition)["decide_rereview"] is True
        assert petition.next_due_on is None


def test_the_periods_are_read_from_the_deadline_rules(personas: Personas) -> None:
    """Correcting a rule's amount changes the computed deadline without a code change."""
    from registry.models import DeadlineRule

    DeadlineRule.objects.filter(code="petition_acceptance").update(amount=10)
    petition = register(personas, received_on=D(2025, 11, 3))
    assert petition.next_due_on == D(2025, 11, 13)
