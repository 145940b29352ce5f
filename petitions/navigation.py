from django.utils.translation import gettext_lazy as _

from accountability import roles
from accountability.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("Petitions"),
        "petitions:list",
        (roles.PETITION_OFFICER, roles.APPROVER, roles.CASE_OFFICER),
        order=30,
    ),
    NavItem(
        _("Annual supervision"), "petitions:supervision", (roles.PETITION_OFFICER, roles.APPROVER), order=31
    ),
    NavItem(
        _("Petition-work assessment"),
        "petitions:assessment",
        (roles.PETITION_OFFICER, roles.APPROVER),
        order=32,
    ),
]
