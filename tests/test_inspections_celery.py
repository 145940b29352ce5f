"""The daily escalation task, run by a real Celery worker on the Redis broker (not eager mode)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from cases.models import Case, CaseSource, CaseState
from inspections.models import Escalation, EscalationRun
from inspections.tasks import escalate_overdue_rectifications
from tests import inspection_factories as f
from tests.conftest import wait_for
from tests.personas import Personas

pytestmark = pytest.mark.celery


def test_the_worker_escalates_and_opens_the_clue_of_an_item_a_month_overdue(
    celery_worker, transactional_personas: Personas
) -> None:
    personas = transactional_personas
    contact = personas.unit_contact
    contact.email = "contact@example.gov.cn"
    contact.save(update_fields=["email"])
    tour = f.tour(personas)
    head = f.forestry_head(personas)
    today = timezone.localdate()
    overdue = f.item(
        tour.finding_a, personas.team_leader, deadline=today - dt.timedelta(days=30), person=head
    )
    soon = f.item(tour.finding_a, personas.team_leader, deadline=today + dt.timedelta(days=10))
    mail.outbox.clear()

    escalate_overdue_rectifications.delay()

    run = wait_for(lambda: EscalationRun.objects.filter(finished_at__isnull=False).first())
    # The clue step for the overdue item (it supersedes the lower ones), yellow for the other.
    assert run.fired == 2
    escalation = wait_for(
        lambda: Escalation.objects.filter(
            item=overdue, step__code="accountability", case__isnull=False
        ).first()
    )
    case = Case.objects.get(pk=escalation.case_id)
    assert (case.state, case.source) == (CaseState.DRAFT, CaseSource.OVERDUE_RECTIFICATION)
    assert {target.name for target in case.targets.all()} == {"测试县林业局", "林局长"}
    assert set(Escalation.objects.filter(item=soon).values_list("step__code", flat=True)) == {
        "yellow",
    }
    # The notifications' e-mails went out through the worker too.
    wait_for(lambda: any(message.to == ["contact@example.gov.cn"] for message in mail.outbox))
