from django.utils.translation import gettext_lazy as _

from accountability import roles
from accountability.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("Inspections"),
        "inspections:home",
        (roles.INSPECTION_LEADER, roles.INSPECTOR, roles.ADMIN),
        order=20,
    ),
    NavItem(
        _("Rectification"),
        "inspections:item_list",
        (
            roles.INSPECTION_LEADER,
            roles.INSPECTOR,
            roles.UNIT_CONTACT,
            roles.CASE_OFFICER,
            roles.APPROVER,
            roles.ADMIN,
        ),
        order=25,
    ),
]
