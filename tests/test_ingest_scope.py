"""Who may write what: a staff member only their units' projects, a viewer nothing; undo rules.

Refusals name the rows and leave every figure as it was (the audit log records the refusal).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from tests.conftest import build
from tests.upload_files import ADMIN, OFFICE, csv, dump, problems
from xzcore import ingest
from xzcore.auth import PermissionDenied, User
from xzcore.ingest import ValidationFailed
from xzcore.store import audit

WJJ, YCG = "王江泾镇人民政府", "油车港镇人民政府"
STAFF = User("wjj", "王江泾镇填报员", "staff", (WJJ,))
VIEWER = User("leader", "区领导", "viewer")
PROJECTS = [
    dict(name="王江泾镇污水零直排区建设工程", code="XZ-1", plan=1000, unit=WJJ, ytd={7: 500}),
    dict(name="油车港镇生态湿地修复项目", code="XZ-2", plan=2000, unit=YCG, ytd={7: 900}),
    dict(name="王江泾镇高标准农田建设项目", code="XZ-3", plan=800, unit=WJJ, ytd={7: 300}),
]
AUGUST_HEADER = "2020年1-8月进展情况\n项目代码,项目名称,累计完成投资\n"
# Row 3 and 5 are Wangjiangjing's, row 4 is Youchegang's (rows numbered as Excel shows them).
MIXED = csv(
    AUGUST_HEADER + "XZ-1,王江泾镇污水零直排区建设工程,600\n"
    "XZ-2,油车港镇生态湿地修复项目,1000\nXZ-3,王江泾镇高标准农田建设项目,400\n"
)
OWN = csv(
    AUGUST_HEADER + "XZ-1,王江泾镇污水零直排区建设工程,600\nXZ-3,王江泾镇高标准农田建设项目,400\n"
)
REGISTER_HEADER = "2020年重点项目计划表\n项目代码,项目名称,责任单位,年度计划投资\n"


@pytest.fixture
def towns(con):
    build(con, PROJECTS)
    return con


def figures(con) -> dict[str, str]:
    """Every table but the audit log (which records refusals by design)."""
    return {k: v for k, v in dump(con).items() if k != "audit_log"}


def august(con) -> dict[str, Decimal]:
    return dict(
        con.execute(
            "SELECT p.code, g.ytd FROM progress g JOIN projects p ON p.id = g.project_id"
            " WHERE g.month = 8 ORDER BY 1"
        ).fetchall()
    )


def denials(con) -> list[dict]:
    log = audit.query(con, action="denied")
    return log[["actor", "detail"]].to_dict("records")


def test_staff_upload_with_another_units_row_is_refused_naming_the_row(towns):
    before = figures(towns)
    preview = ingest.prepare(towns, MIXED, "8月月报.csv")  # prepared with no user: no check
    assert preview.errors == []
    with pytest.raises(PermissionDenied) as refused:
        ingest.commit(towns, preview, STAFF)
    assert str(refused.value) == (
        f"以下行不属于您负责的单位（{WJJ}），未写入："
        f"第4行 油车港镇生态湿地修复项目（责任单位：{YCG}）"
    )
    assert figures(towns) == before
    [denied] = denials(towns)
    assert denied["actor"] == "wjj" and '"rows": [4]' in denied["detail"]


def test_prepare_for_staff_turns_other_units_rows_into_errors(towns):
    preview = ingest.prepare(towns, MIXED, "8月月报.csv", user=STAFF)
    assert problems(preview) == [
        ("error", 4, "项目名称",
         f"“油车港镇生态湿地修复项目”的责任单位是{YCG}，不属于您负责的单位（{WJJ}）"),
    ]  # fmt: skip
    before = figures(towns)
    with pytest.raises(ValidationFailed, match="文件有 1 处错误，未导入"):
        ingest.commit(towns, preview, STAFF)
    assert figures(towns) == before
    [upload] = audit.query(towns, action="upload")["detail"]
    assert '"errors": 1' in upload and '"rows": 3' in upload


def test_staff_upload_of_their_own_units_rows_is_committed(towns):
    preview = ingest.prepare(towns, OWN, "8月月报.csv", user=STAFF)
    assert preview.errors == []
    batch = ingest.commit(towns, preview, STAFF)
    assert august(towns) == {"XZ-1": Decimal(600), "XZ-3": Decimal(400)}
    assert ingest.batches(towns)[0]["user_name"] == "wjj"
    commit = audit.query(towns, action="commit").iloc[0]
    assert commit["actor"] == "wjj" and f'"batch": {batch}' in commit["detail"]


def test_office_uploads_for_every_unit(towns):
    ingest.commit(towns, ingest.prepare(towns, MIXED, "8月月报.csv", user=OFFICE), OFFICE)
    assert august(towns) == {"XZ-1": Decimal(600), "XZ-2": Decimal(1000), "XZ-3": Decimal(400)}


def test_a_viewer_or_nobody_may_not_upload_at_all(towns):
    before = figures(towns)
    preview = ingest.prepare(towns, OWN, "8月月报.csv")
    cases = (
        (VIEWER, "区领导（领导（只读））无权上传数据"),
        (None, "请先登录：未登录不能上传数据"),
        ("张三", "请先登录：未登录不能上传数据"),  # a bare name is nobody logged in
    )
    for user, message in cases:
        with pytest.raises(PermissionDenied) as refused:
            ingest.commit(towns, preview, user)
        assert str(refused.value) == message
    with pytest.raises(PermissionDenied) as refused:
        ingest.prepare(towns, OWN, "8月月报.csv", user=VIEWER)
    assert str(refused.value) == "区领导（领导（只读））无权上传数据"
    assert figures(towns) == before
    actors = [None if pd.isna(d["actor"]) else d["actor"] for d in denials(towns)]
    assert actors == ["leader", "张三", None, "leader"]  # newest first


@pytest.mark.parametrize(
    ("row", "shown"),
    [
        ("XZ-2,油车港镇生态湿地修复项目,王江泾镇人民政府,2000", f"{YCG} → {WJJ}"),  # taken over
        ("XZ-1,王江泾镇污水零直排区建设工程,油车港镇人民政府,1000", f"{WJJ} → {YCG}"),  # given away
        (",油车港镇新建项目,油车港镇人民政府,500", YCG),  # another unit's new project
        (",无单位新建项目,,500", "未填"),  # a new project with no unit at all
        ("XZ-2,油车港镇生态湿地修复项目,,2100", YCG),  # no unit in the file: the register's
    ],
)
def test_staff_register_rows_are_judged_by_the_unit_in_the_file_and_in_the_register(
    towns, row, shown
):
    data = csv(REGISTER_HEADER + ",王江泾镇新建项目,王江泾镇人民政府,300\n" + row + "\n")
    before = figures(towns)
    with pytest.raises(PermissionDenied) as refused:
        ingest.commit(towns, ingest.prepare(towns, data, "计划表.csv"), STAFF)
    name = row.split(",")[1]
    assert str(refused.value).endswith(f"未写入：第4行 {name}（责任单位：{shown}）")
    assert figures(towns) == before
    marked = ingest.prepare(towns, data, "计划表.csv", user=STAFF)
    assert [(p.row, p.column) for p in marked.errors] == [(4, "责任单位")]


def test_staff_may_add_and_edit_their_own_units_register_rows(towns):
    data = csv(
        REGISTER_HEADER + ",王江泾镇新建项目,王江泾镇人民政府,300\n"
        "XZ-1,王江泾镇污水零直排区建设工程,王江泾镇人民政府,1100\n"
        "XZ-3,王江泾镇高标准农田建设项目,,900\n"
    )
    ingest.commit(towns, ingest.prepare(towns, data, "计划表.csv", user=STAFF), STAFF)
    plans = towns.execute(
        "SELECT p.name, p.unit, a.plan FROM projects p JOIN annual_plans a ON a.project_id = p.id"
        " WHERE p.unit = ? ORDER BY p.id",
        [WJJ],
    ).fetchall()
    assert plans == [
        ("王江泾镇污水零直排区建设工程", WJJ, Decimal(1100)),
        ("王江泾镇高标准农田建设项目", WJJ, Decimal(900)),
        ("王江泾镇新建项目", WJJ, Decimal(300)),
    ]


def test_staff_and_office_undo_only_their_own_batches_admin_anyones(towns):
    own = ingest.commit(towns, ingest.prepare(towns, OWN, "8月.csv"), STAFF)
    other_staff = User("wjj2", "另一填报员", "staff", (WJJ,))
    before = figures(towns)
    for user, why in (
        (other_staff, f"批次#{own}由 wjj 导入，责任单位填报员只能撤销自己导入的批次"),
        (OFFICE, f"批次#{own}由 wjj 导入，区重点办只能撤销自己导入的批次"),
        (VIEWER, "区领导（领导（只读））无权撤销批次"),
    ):
        with pytest.raises(PermissionDenied) as refused:
            ingest.undo(towns, own, user)
        assert str(refused.value) == why
    assert figures(towns) == before
    ingest.undo(towns, own, STAFF)
    assert august(towns) == {}
    office = ingest.commit(towns, ingest.prepare(towns, OWN, "8月.csv"), OFFICE)
    with pytest.raises(PermissionDenied):
        ingest.undo(towns, office, STAFF)
    ingest.undo(towns, office, ADMIN)
    assert [b["undone_by"] for b in ingest.batches(towns)[:2]] == ["admin1", "wjj"]
    undo = audit.query(towns, action="undo").iloc[0]
    assert undo["actor"] == "admin1" and f'"batch": {office}' in undo["detail"]
    assert '"uploaded_by": "office1"' in undo["detail"]


def test_staff_may_not_undo_their_batch_once_its_project_moved_to_another_unit(towns):
    own = ingest.commit(towns, ingest.prepare(towns, OWN, "8月.csv"), STAFF)
    moved = csv(REGISTER_HEADER + "XZ-3,王江泾镇高标准农田建设项目,油车港镇人民政府,800\n")
    ingest.commit(towns, ingest.prepare(towns, moved, "调整.csv"), OFFICE)
    with pytest.raises(PermissionDenied) as refused:
        ingest.undo(towns, own, STAFF)
    assert str(refused.value) == (
        f"批次#{own}涉及不属于您负责的单位（{WJJ}）的项目，不能撤销："
        f"王江泾镇高标准农田建设项目（责任单位：{YCG}）"
    )
    ingest.undo(towns, own, User("wjj", "王江泾镇填报员", "staff", (WJJ, YCG)))  # both units
    assert august(towns) == {}
