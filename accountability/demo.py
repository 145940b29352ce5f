"""Demo logins: one account for every role, each with the profile (person and unit) its role needs.

Seeded after the registry's demo units and people (`registry/demo.py`, earlier in DEMO_SEEDERS).
Deterministic and idempotent: running it again changes no counts.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from registry.models import OrgUnit, Person, Profile

from . import roles

DEMO_USERS = [
    # username (= role), display name, profile unit code
    (roles.CASE_OFFICER, "周纪检", "YA-JW"),
    (roles.APPROVER, "陈审批", "YA-JW"),
    (roles.INSPECTION_LEADER, "李组长", "YA-JW"),
    (roles.INSPECTOR, "王组员", "YA-JW"),
    (roles.PETITION_OFFICER, "赵信访", "YA-D15"),
    (roles.UNIT_CONTACT, "孙联络", "YA-D01"),
    (roles.ADMIN, "刘管理", "YA-00"),
]
JURISDICTION_ROOT = "YA-00"


def seed_users(units: dict[str, OrgUnit]) -> None:
    user_model = get_user_model()
    groups = {group.name: group for group in Group.objects.filter(name__in=roles.ROLES)}
    staff_people = list(
        Person.objects.filter(org_unit=units["YA-JW"]).order_by("staff_no")[: len(DEMO_USERS)]
    )
    for index, (username, display_name, unit_code) in enumerate(DEMO_USERS):
        user, _created = user_model.objects.get_or_create(username=username)
        user.first_name = display_name
        user.email = ""  # demo accounts get in-app notifications only, no e-mail
        user.is_staff = username == roles.ADMIN
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
        user.groups.add(groups[username])
        unit = (
            units[JURISDICTION_ROOT] if username in (roles.CASE_OFFICER, roles.APPROVER) else units[unit_code]
        )
        person = staff_people[index] if index < len(staff_people) else None
        Profile.objects.update_or_create(user=user, defaults={"unit": unit, "person": person})


@transaction.atomic
def seed(**options: Any) -> dict[str, int]:
    codes = {code for _username, _name, code in DEMO_USERS} | {JURISDICTION_ROOT}
    seed_users({unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes)})
    return {"users": len(DEMO_USERS)}
