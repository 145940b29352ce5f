"""Bulk import of units: a tree whose parents may come later in the file, loops refused, paths rebuilt."""

from __future__ import annotations

import pytest

from registry.models import ImportBatch, OrgUnit
from tests.import_files import UNIT_HEADERS, Importer, messages_of, xlsx
from tests.personas import Personas, make_person

Status = ImportBatch.Status


@pytest.fixture
def importer(personas: Personas, django_capture_on_commit_callbacks) -> Importer:
    personas.village  # noqa: B018 - T-ROOT / T-T01 / T-T01-V1
    personas.forestry  # noqa: B018 - T-D01
    return Importer(personas.admin, django_capture_on_commit_callbacks)


TREE = [
    ["C-X1", "某村党支部", "村（社区）", "C-T1"],  # before its parent
    ["C-T1", "某镇党委", "乡镇", "C-ROOT"],
    ["C-ROOT", "某县委", "党委", ""],
    ["C-D1", "某县财政局", "政府工作部门", "C-ROOT"],
    ["C-J1", "某县纪委", "纪委", "C-ROOT"],
    ["C-Q1", "某国企", "国有企业", "T-ROOT"],  # under a unit already in the registry
]


def _units() -> dict[str, OrgUnit]:
    return {unit.code: unit for unit in OrgUnit.objects.all()}


def test_a_tree_is_imported_with_paths_rebuilt(importer: Importer, personas: Personas) -> None:
    batch = importer.upload(xlsx(TREE, UNIT_HEADERS), "单位.xlsx", "units")
    assert (batch.status, batch.created_count) == (Status.PREVIEW, 6)
    assert not OrgUnit.objects.filter(code__startswith="C-").exists()
    importer.confirm(batch)
    units = _units()
    root, town, village = units["C-ROOT"], units["C-T1"], units["C-X1"]
    assert (village.parent, town.parent, root.parent) == (town, root, None)
    assert village.path == f"/{root.pk}/{town.pk}/{village.pk}/"
    assert village.depth == 2
    assert units["C-Q1"].path == f"{personas.county.path}{units['C-Q1'].pk}/"
    kinds = {code: units[code].kind for code in ("C-X1", "C-T1", "C-ROOT", "C-D1", "C-J1", "C-Q1")}
    assert kinds == {
        "C-X1": "village",
        "C-T1": "township",
        "C-ROOT": "party_committee",
        "C-D1": "government_dept",
        "C-J1": "discipline",
        "C-Q1": "state_enterprise",
    }
    assert set(OrgUnit.objects.filter(root.subtree_filter()).values_list("code", flat=True)) == {
        "C-ROOT",
        "C-T1",
        "C-X1",
        "C-D1",
        "C-J1",
    }
    assert village.history.get().history_type == "+"


def test_importing_the_tree_twice_changes_nothing(importer: Importer) -> None:
    content = xlsx(TREE, UNIT_HEADERS)
    importer.run(content, "单位.xlsx", "units")
    paths = {unit.code: unit.path for unit in OrgUnit.objects.all()}
    history = OrgUnit.history.count()
    again = importer.run(content, "单位.xlsx", "units")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 6)
    assert {unit.code: unit.path for unit in OrgUnit.objects.all()} == paths
    assert OrgUnit.history.count() == history


def test_moving_and_renaming_units_updates_their_subtrees(importer: Importer, personas: Personas) -> None:
    importer.run(xlsx(TREE, UNIT_HEADERS), "单位.xlsx", "units")
    moved = [["C-T1", "某镇党委（新）", "乡镇", "T-ROOT"]]
    batch = importer.upload(xlsx(moved, UNIT_HEADERS), "单位.xlsx", "units")
    assert batch.updated_count == 1
    assert batch.preview["updated"][0]["changes"] == [
        ["单位名称", "某镇党委", "某镇党委（新）"],
        ["上级单位编码", "C-ROOT", "T-ROOT"],
    ]
    importer.confirm(batch)
    units = _units()
    assert units["C-T1"].name == "某镇党委（新）"
    assert units["C-X1"].path == f"{personas.county.path}{units['C-T1'].pk}/{units['C-X1'].pk}/"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [["C-A", "甲", "其他", "NOWHERE"]],
            [(2, "上级单位编码", "文件和基础信息库中都没有单位编码为 NOWHERE 的单位。")],
        ),
        ([["C-A", "甲", "其他", "C-A"]], [(2, "上级单位编码", "单位不能以自身为上级单位。")]),
        (
            [["C-A", "甲", "其他", "C-B"], ["C-B", "乙", "其他", "C-A"]],
            [
                (2, "上级单位编码", "上级单位形成循环：C-A → C-B → C-A。"),
                (3, "上级单位编码", "上级单位形成循环：C-B → C-A → C-B。"),
            ],
        ),
        # The file moves the township under its own village, which the registry has under the township.
        (
            [["T-T01", "测试镇党委", "乡镇", "T-T01-V1"]],
            [(2, "上级单位编码", "上级单位形成循环：T-T01 → T-T01-V1 → T-T01。")],
        ),
        (
            [["C-A", "甲", "协会", ""]],
            [
                (
                    2,
                    "类别",
                    "“协会”不是可接受的值：党委、党组、党总支/党支部、纪委(纪检组)、政府工作部门、乡镇、村(社区)、国有企业、其他。",
                )
            ],
        ),
        ([["C-A", "", "其他", ""]], [(2, "单位名称", "此项为必填项，不能为空。")]),
        (
            [["@C-A", "甲", "其他", ""]],
            [(2, "单位编码", "单元格以“@”开头，电子表格会将其当作公式执行；请删去该字符或将单元格留空。")],
        ),
        (
            [["C-A", "甲", "其他", ""], ["C-A", "甲二", "其他", ""]],
            [
                (2, "单位编码", "C-A 在文件中重复出现（第 2、3 行）。"),
                (3, "单位编码", "C-A 在文件中重复出现（第 2、3 行）。"),
            ],
        ),
        ([["C-" + "9" * 40, "甲", "其他", ""]], [(2, "单位编码", "最多 32 个字符，此处有 42 个。")]),
    ],
    ids=[
        "unknown-parent",
        "own-parent",
        "loop-in-file",
        "loop-through-registry",
        "bad-kind",
        "missing-name",
        "formula",
        "duplicate-code",
        "too-long",
    ],
)
def test_bad_unit_rows_are_refused_in_chinese(importer: Importer, rows, expected) -> None:
    before = {unit.code: (unit.parent_id, unit.path) for unit in OrgUnit.objects.all()}
    batch = importer.upload(xlsx([*rows, ["C-OK", "好单位", "其他", ""]], UNIT_HEADERS), "单位.xlsx", "units")
    assert batch.status == Status.INVALID
    assert messages_of(batch) == expected
    assert {unit.code: (unit.parent_id, unit.path) for unit in OrgUnit.objects.all()} == before


def test_a_unit_rollback_restores_the_tree(importer: Importer, personas: Personas) -> None:
    importer.run(xlsx(TREE[1:3], UNIT_HEADERS), "单位.xlsx", "units")
    rows = [*TREE, ["T-T01", "测试镇党委", "乡镇", "C-ROOT"]]  # also moves an existing unit into the new tree
    batch = importer.run(xlsx(rows, UNIT_HEADERS), "单位.xlsx", "units")
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (4, 1, 2)
    village = personas.village
    village.refresh_from_db()
    assert str(_units()["C-ROOT"].pk) in village.path

    batch = importer.rollback(batch)
    assert batch.status == Status.ROLLED_BACK, batch.notice
    units = _units()
    assert {"C-X1", "C-D1", "C-J1", "C-Q1"}.isdisjoint(units)
    assert units["T-T01"].parent == personas.county
    village.refresh_from_db()
    assert village.path == f"{personas.county.path}{personas.township.pk}/{village.pk}/"


def test_a_unit_rollback_is_refused_once_people_work_there(importer: Importer, personas: Personas) -> None:
    batch = importer.run(xlsx(TREE, UNIT_HEADERS), "单位.xlsx", "units")
    make_person(OrgUnit.objects.get(code="C-D1"), "新来的")
    batch = importer.rollback(batch)
    assert batch.status == Status.DONE
    assert batch.notice == {"code": "rollback_referenced", "params": {"count": 1, "where": "人员"}}
    assert OrgUnit.objects.filter(code__startswith="C-").count() == 6
