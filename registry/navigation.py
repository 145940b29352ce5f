"""The registry's entries in the navigation bar (collected by `accountability.navigation`)."""

from django.utils.translation import gettext_lazy as _

from accountability import roles
from accountability.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("People"), "registry:person_list", (roles.ADMIN, roles.CASE_OFFICER, roles.APPROVER), order=80),
    NavItem(_("Import and export"), "registry:import_list", (roles.ADMIN,), order=90),
]
