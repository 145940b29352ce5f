"""Two people acting on one case at once: one succeeds, the other gets a clear conflict, nothing is lost."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django_fsm import ConcurrentTransition

from cases import actions
from cases.actions import CaseConflictError
from cases.models import Case, CaseState, CaseTransition
from tests.case_factories import draft_case
from tests.personas import Personas, make_user


def test_acting_on_a_stale_page_is_a_conflict(personas: Personas) -> None:
    case = draft_case(personas)
    seen_by_first = Case.objects.get(pk=case.pk)
    seen_by_second = Case.objects.get(pk=case.pk)
    actions.initiate_case(seen_by_first, by=personas.approver, expected_state="draft")
    with pytest.raises(CaseConflictError) as raised:
        actions.withdraw_case(seen_by_second, by=personas.approver, reason="线索不实", expected_state="draft")
    assert raised.value.messages == [
        "该案件刚被他人处理（当前状态为“已启动调查”），您的操作未执行，已填写的内容没有丢失，请核对后重试。"
    ]
    assert Case.objects.get(pk=case.pk).state == CaseState.INITIATED
    assert list(case.transitions.values_list("name", flat=True)) == ["create", "initiate"]


def test_the_model_itself_refuses_a_stale_transition(personas: Personas) -> None:
    """ConcurrentTransitionMixin: a save from a stale state matches no row and raises."""
    case = draft_case(personas)
    stale = Case.objects.get(pk=case.pk)
    actions.initiate_case(case, by=personas.approver)
    stale.withdraw()
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    assert Case.objects.get(pk=case.pk).state == CaseState.INITIATED


def test_two_approvers_at_the_same_moment(transactional_personas: Personas) -> None:
    personas = transactional_personas
    assert connection.vendor == "postgresql"
    second_approver = make_user("approver2", "approver", unit=personas.county)
    case = draft_case(personas)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def act(name: str, user, move) -> None:
        stale = Case.objects.get(pk=case.pk)  # both load the draft before either acts
        barrier.wait()
        try:
            move(stale, user)
            outcomes[name] = "ok"
        except CaseConflictError as error:
            outcomes[name] = error
        except Exception as error:
            outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act,
            args=(
                "a",
                personas.approver,
                lambda c, u: actions.initiate_case(c, by=u, expected_state="draft"),
            ),
        ),
        threading.Thread(
            target=act,
            args=(
                "b",
                second_approver,
                lambda c, u: actions.withdraw_case(c, by=u, reason="不予立案", expected_state="draft"),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results = sorted(outcomes.values(), key=lambda value: value != "ok")
    assert results[0] == "ok"
    assert isinstance(results[1], CaseConflictError), results
    final = Case.objects.get(pk=case.pk).state
    assert final in (CaseState.INITIATED, CaseState.WITHDRAWN)
    assert CaseTransition.objects.filter(case=case).count() == 2  # create + exactly one move


def test_concurrent_registration_gives_gap_free_numbers(transactional_personas: Personas) -> None:
    personas = transactional_personas
    personas.officer, personas.forestry  # noqa: B018 - create before the threads start
    created: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def register() -> None:
        try:
            barrier.wait()
            for _ in range(4):
                case = actions.create_case(
                    actions.CaseData(
                        title="并发登记",
                        source="other",
                        summary="…",
                        conduct_date=dt.date(2025, 1, 1),
                        unit=personas.forestry,
                    ),
                    by=personas.officer,
                )
                created.append(case.sequence)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(created) == list(range(1, 25))
    assert Case.objects.count() == 24
