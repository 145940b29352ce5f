"""The file format: the Chinese column headers and the value tokens of the spreadsheets.

These are the format of the files organisation departments keep, not interface text: a file exported
while the interface is in English must still import, so they are deliberately not translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import OrgUnit, Person


@dataclass(frozen=True)
class Column:
    key: str  # the field it fills
    header: str  # the canonical header, as exported
    aliases: tuple[str, ...] = ()
    required: bool = False  # the column must exist and every row must fill it
    max_length: int | None = None
    imported: bool = True  # False: exported for reading only (单位名称 in the people file)


def _max_length(model: type, name: str) -> int:
    length = model._meta.get_field(name).max_length  # type: ignore[attr-defined]
    assert isinstance(length, int)
    return length


PERSON_COLUMNS: tuple[Column, ...] = (
    Column("staff_no", "工号", ("人员编号", "职工号"), True, _max_length(Person, "staff_no")),
    Column("name", "姓名", (), True, _max_length(Person, "name")),
    Column("gender", "性别", (), True),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "身份证"), True),
    Column("birth_date", "出生日期", ("出生年月日",)),
    Column("political_status", "政治面貌", (), True),
    Column("unit_code", "单位编码", ("单位代码",), True),
    Column("unit_name", "单位名称", ("所在单位",), imported=False),
    Column("post", "职务", ("现任职务",), max_length=_max_length(Person, "post")),
    Column("rank", "职级", ("现职级",), max_length=_max_length(Person, "rank")),
    Column("appointed_date", "任职时间", ("任职日期", "任现职时间")),
    Column("phone", "联系电话", ("手机号码", "手机号", "电话"), max_length=_max_length(Person, "phone")),
)

UNIT_COLUMNS: tuple[Column, ...] = (
    Column("code", "单位编码", ("单位代码",), True, _max_length(OrgUnit, "code")),
    Column("name", "单位名称", (), True, _max_length(OrgUnit, "name")),
    Column("kind", "类别", ("单位类别",)),
    Column("parent_code", "上级单位编码", ("上级单位代码",), max_length=_max_length(OrgUnit, "code")),
)

# Columns of our own files that a re-upload carries and that are not data.
REASON_HEADER = "错误原因"
ROW_HEADER = "原行号"
IGNORABLE_HEADERS = frozenset({REASON_HEADER, ROW_HEADER, "序号"})

GENDER_TOKENS: dict[str, str] = {"男": Person.Gender.MALE, "男性": Person.Gender.MALE}
GENDER_TOKENS |= {"女": Person.Gender.FEMALE, "女性": Person.Gender.FEMALE}
GENDER_LABELS: dict[str, str] = {Person.Gender.MALE: "男", Person.Gender.FEMALE: "女"}

_PS = Person.PoliticalStatus
POLITICAL_TOKENS: dict[str, str] = {
    "中共党员": _PS.CPC_MEMBER,
    "中国共产党党员": _PS.CPC_MEMBER,
    "中共预备党员": _PS.CPC_MEMBER,
    "党员": _PS.CPC_MEMBER,
    "共青团员": _PS.CYL_MEMBER,
    "团员": _PS.CYL_MEMBER,
    "民主党派": _PS.DEMOCRATIC_PARTY,
    "民革党员": _PS.DEMOCRATIC_PARTY,
    "民盟盟员": _PS.DEMOCRATIC_PARTY,
    "民建会员": _PS.DEMOCRATIC_PARTY,
    "民进会员": _PS.DEMOCRATIC_PARTY,
    "农工党党员": _PS.DEMOCRATIC_PARTY,
    "致公党党员": _PS.DEMOCRATIC_PARTY,
    "九三学社社员": _PS.DEMOCRATIC_PARTY,
    "台盟盟员": _PS.DEMOCRATIC_PARTY,
    "群众": _PS.MASSES,
}
POLITICAL_LABELS: dict[str, str] = {
    _PS.CPC_MEMBER: "中共党员",
    _PS.CYL_MEMBER: "共青团员",
    _PS.DEMOCRATIC_PARTY: "民主党派",
    _PS.MASSES: "群众",
}

_K = OrgUnit.Kind
KIND_LABELS: dict[str, str] = {
    _K.PARTY_COMMITTEE: "党委",
    _K.PARTY_GROUP: "党组",
    _K.PARTY_BRANCH: "党总支/党支部",
    _K.DISCIPLINE: "纪委(纪检组)",
    _K.GOVERNMENT_DEPT: "政府工作部门",
    _K.TOWNSHIP: "乡镇",
    _K.VILLAGE: "村(社区)",
    _K.STATE_ENTERPRISE: "国有企业",
    _K.OTHER: "其他",
}
KIND_TOKENS: dict[str, str] = {label: kind for kind, label in KIND_LABELS.items()}
KIND_TOKENS |= {
    "党总支": _K.PARTY_BRANCH,
    "党支部": _K.PARTY_BRANCH,
    "党总支（党支部）": _K.PARTY_BRANCH,
    "纪委（纪检组）": _K.DISCIPLINE,
    "纪委": _K.DISCIPLINE,
    "纪检组": _K.DISCIPLINE,
    "纪工委": _K.DISCIPLINE,
    "村（社区）": _K.VILLAGE,
    "村": _K.VILLAGE,
    "社区": _K.VILLAGE,
    "国企": _K.STATE_ENTERPRISE,
}


def alias_map(columns: tuple[Column, ...]) -> dict[str, str]:
    """Normalised header -> field key, for every header and alias."""
    mapping: dict[str, str] = {}
    for column in columns:
        for header in (column.header, *column.aliases):
            mapping[header] = column.key
    return mapping


def header_of(columns: tuple[Column, ...], key: str) -> str:
    return next(column.header for column in columns if column.key == key)
