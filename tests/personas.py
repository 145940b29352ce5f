"""The people every test talks about, in one place.

`Personas` builds, on demand, one user per role with a profile in a small unit tree:
officer (case officer), approver, team_leader (inspection leader), inspector, petition_officer,
unit_contact, admin, and outsider (signed in, no role). Units: a county root, its discipline commission,
two departments and a township with one village.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accountability import roles
from accountability.roles import sync_role_permissions
from registry.models import OrgUnit, Person, Profile
from registry.services.units import save_unit
from registry.validators import id_check_char

PASSWORD = "Persona-pass-2026"


def make_unit(code: str, name: str, parent: OrgUnit | None = None, kind: str = OrgUnit.Kind.OTHER) -> OrgUnit:
    return save_unit(OrgUnit(code=code, name=name, parent=parent, kind=kind))


_person_sequence = iter(range(1, 10_000_000))


def valid_id_number(
    born: dt.date = dt.date(1980, 5, 17), sequence: int | None = None, region: str = "110105"
) -> str:
    order = (sequence if sequence is not None else next(_person_sequence)) % 1000
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


def make_person(unit: OrgUnit, name: str = "张三", **extra: object) -> Person:
    sequence = next(_person_sequence)
    born = extra.pop("birth_date", dt.date(1975, 1, 1) + dt.timedelta(days=sequence % 9000))
    assert isinstance(born, dt.date)
    defaults: dict[str, object] = {
        "staff_no": f"T{sequence:07d}",
        "name": name,
        "gender": Person.Gender.MALE,
        "id_number": valid_id_number(born, sequence),
        "birth_date": born,
        "political_status": Person.PoliticalStatus.CPC_MEMBER,
        "org_unit": unit,
        "post": "科员",
        "phone": "13812341234",
    }
    defaults.update(extra)
    return Person.objects.create(**defaults)


def make_user(
    username: str,
    *role_names: str,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    **extra: Any,
):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if role_names:
        user.groups.add(*Group.objects.filter(name__in=role_names))
    Profile.objects.create(user=user, unit=unit, person=person)
    return user


class Personas:
    def __init__(self) -> None:
        sync_role_permissions()

    @cached_property
    def county(self) -> OrgUnit:
        return make_unit("T-ROOT", "测试县委", kind=OrgUnit.Kind.PARTY_COMMITTEE)

    @cached_property
    def discipline(self) -> OrgUnit:
        return make_unit("T-JW", "测试县纪委", self.county, OrgUnit.Kind.DISCIPLINE)

    @cached_property
    def forestry(self) -> OrgUnit:
        return make_unit("T-D01", "测试县林业局", self.county, OrgUnit.Kind.GOVERNMENT_DEPT)

    @cached_property
    def finance(self) -> OrgUnit:
        return make_unit("T-D02", "测试县财政局", self.county, OrgUnit.Kind.GOVERNMENT_DEPT)

    @cached_property
    def township(self) -> OrgUnit:
        return make_unit("T-T01", "测试镇党委", self.county, OrgUnit.Kind.TOWNSHIP)

    @cached_property
    def village(self) -> OrgUnit:
        return make_unit("T-T01-V1", "测试村党总支", self.township, OrgUnit.Kind.VILLAGE)

    @cached_property
    def officer(self):
        return make_user(
            "officer",
            roles.CASE_OFFICER,
            unit=self.county,
            first_name="周纪检",
            person=make_person(self.discipline, "周纪检"),
        )

    @cached_property
    def officer2(self):
        return make_user(
            "officer2",
            roles.CASE_OFFICER,
            unit=self.county,
            first_name="吴纪检",
            person=make_person(self.discipline, "吴纪检"),
        )

    @cached_property
    def approver(self):
        return make_user(
            "approver",
            roles.APPROVER,
            unit=self.county,
            first_name="陈审批",
            person=make_person(self.discipline, "陈审批"),
        )

    @cached_property
    def team_leader(self):
        return make_user(
            "team_leader",
            roles.INSPECTION_LEADER,
            unit=self.discipline,
            first_name="李组长",
            person=make_person(self.discipline, "李组长"),
        )

    @cached_property
    def other_team_leader(self):
        return make_user(
            "other_leader",
            roles.INSPECTION_LEADER,
            unit=self.discipline,
            first_name="郑组长",
            person=make_person(self.discipline, "郑组长"),
        )

    @cached_property
    def inspector(self):
        return make_user(
            "inspector",
            roles.INSPECTOR,
            unit=self.discipline,
            first_name="王组员",
            person=make_person(self.discipline, "王组员"),
        )

    @cached_property
    def petition_officer(self):
        return make_user("petition_officer", roles.PETITION_OFFICER, unit=self.county, first_name="赵信访")

    @cached_property
    def unit_contact(self):
        return make_user("unit_contact", roles.UNIT_CONTACT, unit=self.forestry, first_name="孙联络")

    @cached_property
    def admin(self):
        return make_user("admin", roles.ADMIN, unit=self.county, first_name="刘管理", is_staff=True)

    @cached_property
    def outsider(self):
        return make_user("outsider", unit=self.village, first_name="局外人")
