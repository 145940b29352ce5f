"""Demo data for the registry: a county's unit tree and 2,000 people. The logins are the shell's
(`accountability/demo.py`), seeded after these.

Deterministic (fixed random seed) and idempotent: running it again changes no counts.
"""

import datetime as dt
import random
from typing import Any

from django.db import transaction

from .models import OrgUnit, Person
from .services.units import rebuild_unit_paths
from .validators import id_check_char

REGION = "532325"  # the county of the seed material's inspection example
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞红鹏建国志文斌波宇辉荣新春晓东海林云峰亮成凤琴梅萍雪莉燕德福宁俊"
DEPARTMENTS = [
    "林业和草原局",
    "供销合作社",
    "科学技术局",
    "财政局",
    "审计局",
    "教育体育局",
    "卫生健康局",
    "民政局",
    "自然资源局",
    "生态环境分局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "市场监督管理局",
    "信访局",
]
TOWNSHIPS = ["栋川镇", "光禄镇", "前场镇", "弥兴镇", "太平镇", "官屯镇", "适中乡", "左门乡"]
VILLAGE_SUFFIXES = ["村委会", "社区", "村委会", "村委会"]
VILLAGE_NAMES = [
    "大河",
    "小河",
    "新街",
    "中屯",
    "龙岗",
    "马游",
    "连厂",
    "梅葛",
    "青山",
    "白塔",
    "红梅",
    "松林",
    "三台",
    "五里",
    "六合",
    "高桥",
]
ENTERPRISES = ["县城市建设投资有限公司", "县农业发展投资有限公司", "县供水有限公司"]
POSTS_LEADER = [
    "党组书记、局长",
    "党组成员、副局长",
    "党委书记",
    "党委副书记、镇长",
    "纪委书记",
    "村党总支书记",
]
POSTS_STAFF = ["科员", "办公室主任", "股长", "一级科员", "四级主任科员", "二级主任科员", "村委会委员"]
RANKS = [
    "一级主任科员",
    "二级主任科员",
    "三级主任科员",
    "四级主任科员",
    "一级科员",
    "二级科员",
    "正科级",
    "副科级",
]
PEOPLE = 2000


def unit_specs() -> list[tuple[str, str, str, str | None]]:
    """(code, name, kind, parent code) for the 60 demo units, parents first."""
    specs: list[tuple[str, str, str, str | None]] = [
        ("YA-00", "中共姚安县委员会", OrgUnit.Kind.PARTY_COMMITTEE, None),
        ("YA-JW", "中共姚安县纪律检查委员会", OrgUnit.Kind.DISCIPLINE, "YA-00"),
    ]
    for index, name in enumerate(DEPARTMENTS, start=1):
        specs.append((f"YA-D{index:02d}", f"姚安县{name}党组", OrgUnit.Kind.GOVERNMENT_DEPT, "YA-00"))
    village_index = 0
    for town_index, town in enumerate(TOWNSHIPS, start=1):
        town_code = f"YA-T{town_index:02d}"
        specs.append((town_code, f"中共姚安县{town}委员会", OrgUnit.Kind.TOWNSHIP, "YA-00"))
        for offset in range(4):
            name = VILLAGE_NAMES[village_index % len(VILLAGE_NAMES)]
            suffix = VILLAGE_SUFFIXES[offset]
            specs.append(
                (f"{town_code}-V{offset + 1}", f"{town}{name}{suffix}党总支", OrgUnit.Kind.VILLAGE, town_code)
            )
            village_index += 1
    for index, name in enumerate(ENTERPRISES, start=1):
        specs.append((f"YA-E{index:02d}", f"姚安{name}党支部", OrgUnit.Kind.STATE_ENTERPRISE, "YA-00"))
    return specs


def demo_id_number(rng: random.Random, sequence: int, male: bool) -> tuple[str, dt.date]:
    born = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 38))
    order = (sequence % 499) * 2 + (1 if male else 0)  # odd for men, even for women (GB 11643)
    first17 = f"{REGION}{born:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17), born


def seed_units() -> dict[str, OrgUnit]:
    by_code = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=[s[0] for s in unit_specs()])}
    for code, name, kind, parent_code in unit_specs():
        parent = by_code.get(parent_code) if parent_code else None
        unit = by_code.get(code)
        if unit is None:
            by_code[code] = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=parent)
    rebuild_unit_paths()
    return {unit.code: unit for unit in OrgUnit.objects.filter(code__in=by_code)}


def seed_people(units: dict[str, OrgUnit]) -> None:
    rng = random.Random(20261130)
    unit_list = [units[code] for code, *_ in unit_specs()]
    people = []
    for number in range(1, PEOPLE + 1):
        male = rng.random() < 0.62
        id_number, born = demo_id_number(rng, number, male)
        unit = unit_list[number % len(unit_list)]
        leader = number % 9 == 0
        people.append(
            Person(
                staff_no=f"P{number:06d}",
                name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                gender=Person.Gender.MALE if male else Person.Gender.FEMALE,
                id_number=id_number,
                birth_date=born,
                political_status=(
                    Person.PoliticalStatus.CPC_MEMBER
                    if leader or rng.random() < 0.7
                    else Person.PoliticalStatus.MASSES
                ),
                org_unit=unit,
                post=rng.choice(POSTS_LEADER if leader else POSTS_STAFF),
                rank=rng.choice(RANKS),
                appointed_date=born + dt.timedelta(days=365 * rng.randint(24, 30)),
                phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
            )
        )
    Person.objects.bulk_create(people, batch_size=500, ignore_conflicts=True)


@transaction.atomic
def seed(**options: Any) -> dict[str, int]:
    seed_people(seed_units())
    return {"units": OrgUnit.objects.count(), "people": Person.objects.count()}
