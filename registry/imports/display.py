"""What the import pages show about a batch: progress, messages, problems — prepared for the templates."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import ImportBatch
from .problems import render

Status = ImportBatch.Status


def notice(batch: ImportBatch) -> str:
    if not batch.notice:
        return ""
    return render(batch.notice.get("code", ""), batch.notice.get("params") or {})


def problem_rows(batch: ImportBatch) -> list[dict[str, Any]]:
    """The first bad rows: row number, and (column, message) per problem."""
    return [
        {
            "row": entry["row"],
            "problems": [
                (found["column"], render(found["code"], found.get("params") or {}))
                for found in entry["problems"]
            ],
        }
        for entry in batch.problems
    ]


def progress(batch: ImportBatch) -> dict[str, Any]:
    """Rows done and total, the percentage, the step's name and an estimate of the time left."""
    done, total = batch.rows_done, batch.rows_total
    writing = batch.status == Status.IMPORTING and total > 0 and done >= total
    left = ""
    if batch.step_started_at and 0 < done < total:
        elapsed = (timezone.now() - batch.step_started_at).total_seconds()
        seconds = int(elapsed * (total - done) / done) + 1
        if seconds < 60:
            left = ngettext("about %(count)d second left", "about %(count)d seconds left", seconds) % {
                "count": seconds
            }
        else:
            minutes = (seconds + 59) // 60
            left = ngettext("about %(count)d minute left", "about %(count)d minutes left", minutes) % {
                "count": minutes
            }
    steps: dict[str, str] = {
        Status.QUEUED: _("Waiting for the background worker to check the file…"),
        Status.CHECKING: _("Checking the rows…"),
        Status.CONFIRMED: _("Waiting for the background worker to import…"),
        Status.IMPORTING: _("Writing to the registry…") if writing else _("Checking the rows again…"),
        Status.ROLLBACK_QUEUED: _("Waiting for the background worker to roll back…"),
        Status.ROLLING_BACK: _("Rolling back…"),
    }
    return {
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else 0,
        "indeterminate": writing or total == 0 or batch.status == Status.ROLLING_BACK,
        "step": steps.get(batch.status, ""),
        "left": left,
    }
