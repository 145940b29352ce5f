"""Model permissions of the inspection roles; which team, assignment or item is in inspections/access.py."""

from accountability import roles

TEAM_PERMISSIONS = [
    "inspections.view_inspectionround",
    "inspections.view_inspectionteam",
    "inspections.view_assignment",
    "inspections.view_finding",
    "inspections.add_finding",
    "inspections.view_rectificationitem",
]

ROLE_PERMISSIONS = {
    roles.INSPECTION_LEADER: [
        *TEAM_PERMISSIONS,
        "inspections.change_finding",
        "inspections.add_rectificationitem",
        "inspections.change_rectificationitem",
    ],
    roles.INSPECTOR: TEAM_PERMISSIONS,
    roles.UNIT_CONTACT: ["inspections.view_rectificationitem", "inspections.add_rectificationreport"],
    roles.CASE_OFFICER: ["inspections.view_rectificationitem"],
    roles.APPROVER: ["inspections.view_rectificationitem"],
    roles.ADMIN: [
        f"inspections.{action}_{model}"
        for model in ("inspectionround", "inspectionteam", "assignment", "escalationstep")
        for action in ("view", "add", "change")
    ]
    + [
        f"inspections.view_{model}"
        for model in ("finding", "rectificationitem", "escalation", "escalationrun", "checklistitem")
    ],
}
