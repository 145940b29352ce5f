"""Celery tasks of the inspections app: thin, they take ids or a day and call the service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from .escalation import open_overdue_cases, run_escalation


@shared_task(ignore_result=True)
def escalate_overdue_rectifications(day: str | None = None) -> dict[str, int]:
    """The daily beat task: fire the escalation steps due today (or on `day`, ISO). Idempotent."""
    run = run_escalation(dt.date.fromisoformat(day) if day else None)
    return {"run": run.pk, "fired": run.fired, "notifications": run.notifications, "cases": run.cases_queued}


@shared_task(ignore_result=True)
def open_overdue_rectification_cases(escalation_ids: list[int]) -> int:
    """Open the accountability clue of each fired open_case step (once: a rerun skips opened ones)."""
    return open_overdue_cases(escalation_ids)
