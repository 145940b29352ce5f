"""Every change to petitions, supervision plans and assessments happens in this package: atomic, audited,
notifying whoever must act next once the transaction commits.

Views, the admin, the demo seeder and the Celery task call these functions; nothing else sets
`Petition.state`. One module per subject — `lifecycle` (registering, correcting, handlers, the steps;
the kernel's `WORKFLOW` for petitions), `extensions`, `referral` (responsibility and accountability),
`supervision` (the yearly plans and their daily run), `assessment` — and their public names here, so
that callers write `actions.register_petition(...)`. Errors are PetitionActionError (messages in the
user's language), PetitionConflictError when someone else moved the petition first,
PetitionPermissionError when the user may not act.
"""

from .assessment import grade_unit
from .common import PetitionActionError, PetitionConflictError, PetitionPermissionError
from .extensions import decide_extension, request_extension
from .lifecycle import (
    PetitionData,
    accept_petition,
    assign_handlers,
    conclude_petition,
    correct_petition,
    decide_rereview,
    decide_review,
    register_petition,
    reject_petition,
    remove_handler,
    request_rereview,
    request_review,
    start_handling,
    withdraw_petition,
)
from .referral import (
    ResponsibilitySpec,
    article_11_situations,
    record_responsibility,
    refer_failure,
    withdraw_responsibility,
)
from .supervision import (
    ESCALATION_FROM_MONTH,
    open_plans,
    record_supervision,
    run_annual_supervision,
)

__all__ = [
    "ESCALATION_FROM_MONTH",
    "PetitionActionError",
    "PetitionConflictError",
    "PetitionData",
    "PetitionPermissionError",
    "ResponsibilitySpec",
    "accept_petition",
    "article_11_situations",
    "assign_handlers",
    "conclude_petition",
    "correct_petition",
    "decide_extension",
    "decide_rereview",
    "decide_review",
    "grade_unit",
    "open_plans",
    "record_responsibility",
    "record_supervision",
    "refer_failure",
    "register_petition",
    "reject_petition",
    "remove_handler",
    "request_extension",
    "request_rereview",
    "request_review",
    "run_annual_supervision",
    "start_handling",
    "withdraw_petition",
    "withdraw_responsibility",
]
