"""Model permissions of the petition roles (object-level access is in petitions/access.py).

Petition officers run petitions, supervision plans and assessments; approving leaders read them and
decide extensions (the 本机关负责人 of Art. 34); case officers read petitions, as the source of clues.
Inspectors, unit contacts and admins hold none of these: the petition pages refuse them.
"""

from accountability import roles

ROLE_PERMISSIONS = {
    roles.PETITION_OFFICER: [
        "petitions.view_petition",
        "petitions.add_petition",
        "petitions.change_petition",
        "petitions.process_petition",
        "petitions.view_petitionresponsibility",
        "petitions.add_petitionresponsibility",
        "petitions.view_petitionfailure",
        "petitions.add_petitionfailure",
        "petitions.view_supervisionplan",
        "petitions.change_supervisionplan",
        "petitions.view_assessment",
        "petitions.add_assessment",
        "petitions.change_assessment",
    ],
    roles.APPROVER: [
        "petitions.view_petition",
        "petitions.approve_extension",
        "petitions.view_petitionresponsibility",
        "petitions.view_petitionfailure",
        "petitions.view_supervisionplan",
        "petitions.view_assessment",
    ],
    roles.CASE_OFFICER: [
        "petitions.view_petition",
        "petitions.view_petitionresponsibility",
        "petitions.view_petitionfailure",
    ],
}
