"""Celery tasks of the petitions app: thin, idempotent, all the work in petitions/actions/."""

from celery import shared_task

from . import actions


@shared_task(ignore_result=True)
def send_annual_supervision_reminders() -> dict[str, int]:
    """Daily (beat): open the year's plans, remind, escalate in Q4, mark missed plans after 31 December.

    A rerun on the same day changes nothing: each reminder is claimed by a unique (plan, kind, period).
    """
    return actions.run_annual_supervision()
