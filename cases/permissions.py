"""Model permissions of the case roles (object-level access is in cases/access.py)."""

from accountability import roles

ROLE_PERMISSIONS = {
    roles.CASE_OFFICER: [
        "cases.view_case",
        "cases.add_case",
        "cases.change_case",
        "cases.process_case",
        "cases.view_target",
        "cases.view_attachment",
        "cases.add_attachment",
    ],
    roles.APPROVER: [
        "cases.view_case",
        "cases.change_case",
        "cases.initiate_case",
        "cases.decide_case",
        "cases.view_target",
        "cases.view_attachment",
        "cases.add_attachment",
    ],
}
