from django.utils.translation import gettext_lazy as _

from accountability import roles
from accountability.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("Cases"), "cases:list", (roles.CASE_OFFICER, roles.APPROVER), order=10),
]
