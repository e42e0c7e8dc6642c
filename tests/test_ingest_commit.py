"""Commit and undo: a month loaded twice is the same month, an undo gives back exactly what was
there, and an undo that would pull figures from under a later upload is refused."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal as D

import pytest

from tests import upload_files as files
from tests.conftest import build
from tests.pgstore import con_on_both_stores, pg_server, pg_target  # noqa: F401  (both stores)
from tests.upload_files import ADMIN, AUGUST, JULY, OFFICE, csv, dump, fixture, load
from xzcore import ingest
from xzcore.auth import User
from xzcore.ingest import ValidationFailed
from xzcore.store import db

GBK = "progress_gbk_title.csv"
# August again, corrected: two figures, a stage, a start date and a problem differ.
CORRECTED = csv(
    "秀洲区重点项目2020年1-8月进展情况\n"
    "项目代码,项目名称,本月完成投资,1-8月累计完成投资,项目阶段,实际开工日期,形象进度,存在问题\n"
    "XZ2020-001,隆基乐叶年产5GW单晶组件项目,35685,170000,在建,2020-02-20,设备安装调试,\n"
    "XZ2020-002,益诚年产54万台新能源汽车电机项目,15000,48176.64,在建,2020-05-09,主体结构施工,\n"
    ",嘉鸿年产1200台套智能装备项目,4830,37234,竣工,2017-09-15,试生产,\n"
    ",新塍镇污水管网提升工程,1000,1800,开工,2020-05-20,管网铺设,资金未到位\n",
    "gbk",
)


def one(con, sql: str, params=()):
    return con.execute(sql, list(params)).fetchall()


def test_every_upload_is_a_batch_with_name_hash_rows_user_kind_and_month(con):
    build(con, JULY)
    data = fixture(GBK)
    at = dt.datetime(2020, 9, 5, 9, 30)
    batch = load(con, data, GBK, user=User("zhangsan", "王店镇 张三", "office"), at=at)
    register = load(con, fixture("register_units_bom.csv"), "计划表.csv")
    listed = ingest.batches(con)
    assert [b["id"] for b in listed] == [register, batch, 2, 1]  # newest first
    assert listed[1] == {
        "id": batch,
        "kind": "progress",
        "file_name": GBK,
        "sha256": hashlib.sha256(data).hexdigest(),
        "year": 2020,
        "month": 8,
        "row_count": 4,
        "user_name": "zhangsan",
        "created_at": at,
        "undone_at": None,
        "undone_by": None,
        "reason": None,  # no warning was accepted
        "converted": None,  # no column read as 元
    }
    assert {k: listed[0][k] for k in ("kind", "file_name", "year", "month", "row_count")} == {
        "kind": "register",
        "file_name": "计划表.csv",
        "year": 2020,
        "month": None,
        "row_count": 3,
    }
    assert listed[0]["sha256"] == hashlib.sha256(fixture("register_units_bom.csv")).hexdigest()


def test_the_same_month_loaded_twice_or_from_its_xlsx_twin_gives_the_same_tables(con, tmp_path):
    build(con, JULY)
    load(con, fixture(GBK), GBK)
    once = dump(con, figures_only=True)
    again = ingest.prepare(con, fixture(GBK), GBK)
    assert again.counts() == {"new": 0, "changed": 0, "unchanged": 4}
    assert ingest.commit(con, again, OFFICE) is None  # 不变: nothing written, no batch
    assert dump(con, figures_only=True) == once
    twin = files.progress_xlsx(tmp_path / "8月.xlsx").read_bytes()
    assert ingest.prepare(con, twin, "8月.xlsx").counts() == {
        "new": 0,
        "changed": 0,
        "unchanged": 4,
    }
    load(con, twin, "8月.xlsx")
    assert dump(con, figures_only=True) == once
    assert one(con, "SELECT month, count(*) FROM progress GROUP BY 1 ORDER BY 1") == [
        (7, 4),
        (8, 4),
    ]
    assert len(ingest.batches(con)) == 2 + 1  # build()'s two, and the one upload that changed


def test_a_replaced_month_then_undo_gives_back_exactly_the_earlier_figures(con):
    build(con, JULY)
    before_august = dump(con, figures_only=True)
    first = load(con, fixture(GBK), GBK)
    august = dump(con, figures_only=True)
    second = load(con, CORRECTED, "8月更正.csv")
    assert one(
        con,
        "SELECT p.name, g.amount, g.ytd, g.stage, g.problems, p.actual_start, p.actual_completion"
        " FROM progress g JOIN projects p ON p.id = g.project_id WHERE g.month = 8 ORDER BY p.id",
    ) == [
        ("隆基乐叶年产5GW单晶组件项目", D(35685), D(170000), "在建", None,
         dt.date(2020, 2, 20), None),
        ("益诚年产54万台新能源汽车电机项目", D(15000), D("48176.64"), "在建", None,
         dt.date(2020, 5, 9), None),
        ("嘉鸿年产1200台套智能装备项目", D(4830), D(37234), "竣工", None,
         dt.date(2017, 9, 15), dt.date(2020, 8, 31)),  # reported done: the month's end stands in
        ("新塍镇污水管网提升工程", D(1000), D(1800), "开工", "资金未到位",
         dt.date(2020, 5, 20), None),
    ]  # fmt: skip
    ingest.undo(con, second, ADMIN)
    assert dump(con, figures_only=True) == august
    ingest.undo(con, first, ADMIN)
    assert dump(con, figures_only=True) == before_august  # August's lights went with it


def test_a_month_uploaded_again_without_a_project_keeps_that_projects_earlier_row(con):
    # Design: a re-upload replaces the rows it has; a project it leaves out keeps its figures
    # (a township may send its own rows), so a month is replaced row by row, not wholesale.
    build(con, JULY)
    load(con, fixture(GBK), GBK)
    load(con, csv("2020年8月\n项目代码,累计完成投资\nXZ2020-001,171000\n"), "8月更正.csv")
    assert [r[:3] for r in august_rows(con)] == [
        ("隆基乐叶年产5GW单晶组件项目", D(36685), D(171000)),
        *[r[:3] for r in AUGUST[1:]],
    ]


def test_undo_of_register_batches_removes_the_projects_they_created(con):
    empty = dump(con, figures_only=True)
    first = load(con, fixture("register_gbk_title.csv"), "计划表.csv")
    second = load(con, fixture("register_units_bom.csv"), "计划表补充.csv")
    assert one(con, "SELECT count(*), count(DISTINCT name) FROM projects") == [(7, 7)]
    assert one(con, "SELECT count(*) FROM monthly_targets") == [(36,)]
    ingest.undo(con, second, ADMIN)
    assert one(con, "SELECT count(*) FROM projects") == [(4,)]
    assert one(con, "SELECT count(*) FROM monthly_targets") == [(0,)]
    ingest.undo(con, first, ADMIN)
    assert dump(con, figures_only=True) == empty
    assert [(b["id"], b["undone_by"]) for b in ingest.batches(con)] == [
        (second, ADMIN.username),
        (first, ADMIN.username),
    ]


def test_a_register_update_keeps_what_empty_cells_and_missing_columns_leave_and_undo_restores(
    con,
):
    load(con, fixture("register_gbk_title.csv"), "计划表.csv")
    before = dump(con, figures_only=True)
    update = csv(
        "2020年计划表\n项目代码,项目名称,责任单位,总投资（万元）,年度计划投资,计划竣工日期\n"
        "XZ2020-001,隆基乐叶年产5GW单晶组件项目,,520000,210000,—\n"
        ",新塍镇污水管网提升工程,区建设局,,2600,2021-06-30\n"
    )
    preview = ingest.prepare(con, update, "计划表调整.csv")
    assert preview.counts() == {"new": 0, "changed": 2, "unchanged": 0}
    batch = ingest.commit(con, preview, OFFICE)
    # Design: a cell left empty (or “—”) and a column the file lacks keep the register's value.
    assert one(
        con,
        "SELECT p.name, p.tier, p.unit, p.total_investment, p.planned_completion, a.plan"
        " FROM projects p JOIN annual_plans a ON a.project_id = p.id WHERE p.id IN (1, 4)"
        " ORDER BY p.id",
    ) == [
        ("隆基乐叶年产5GW单晶组件项目", "省重点", "秀洲高新区管委会", D(520000),
         dt.date(2020, 11, 30), D(210000)),
        ("新塍镇污水管网提升工程", "区重点", "区建设局", D(52000), dt.date(2021, 6, 30),
         D(2600)),
    ]  # fmt: skip
    ingest.undo(con, batch, OFFICE)
    assert dump(con, figures_only=True) == before


def test_a_register_that_edits_one_project_and_adds_another_keeps_both_and_undo_removes_one(
    con,
):
    load(con, fixture("register_gbk_title.csv"), "计划表.csv")
    before = dump(con, figures_only=True)
    both = csv(
        "2020年计划表\n项目代码,项目名称,责任单位,年度计划投资\n"
        "XZ2020-001,隆基乐叶年产5GW单晶组件项目,区发改局,200000\n"
        "XZ2020-900,新建示范项目,区建设局,1000\n"
    )
    preview = ingest.prepare(con, both, "计划表调整.csv")
    assert preview.counts() == {"new": 1, "changed": 1, "unchanged": 0}
    batch = ingest.commit(con, preview, OFFICE)
    units = "SELECT code, unit FROM projects WHERE code IN ('XZ2020-001', 'XZ2020-900') ORDER BY 1"
    assert one(con, units) == [("XZ2020-001", "区发改局"), ("XZ2020-900", "区建设局")]
    assert one(con, "SELECT count(*) FROM projects") == [(5,)]
    ingest.undo(con, batch, OFFICE)
    assert dump(con, figures_only=True) == before


def test_undo_is_refused_while_a_later_batch_stands_on_the_same_rows(con):
    register = load(con, fixture("register_gbk_title.csv"), "计划表.csv")
    progress = csv("2020年8月\n项目代码,累计完成投资\nXZ2020-001,1000\n")
    august = load(con, progress, "8月.csv")
    later = load(con, csv("2020年8月\n项目代码,累计完成投资\nXZ2020-001,1200\n"), "8月更正.csv")
    other = load(con, csv("2020年8月\n项目代码,累计完成投资\nXZ2020-002,50\n"), "8月补报.csv")
    before = dump(con)
    for batch, standing in ((register, "#2、#3、#4"), (august, "#3")):
        with pytest.raises(ValidationFailed) as refused:
            ingest.undo(con, batch, ADMIN)
        assert str(refused.value) == (
            f"批次#{batch}之后的批次（{standing}）改过同样的数据，请先撤销它们"
        )
        assert dump(con) == before
    ingest.undo(con, other, ADMIN)  # other rows: the later batch does not stand in the way
    ingest.undo(con, later, ADMIN)
    assert one(con, "SELECT ytd FROM progress") == [(D(1000),)]
    ingest.undo(con, august, ADMIN)
    ingest.undo(con, register, ADMIN)
    assert one(con, "SELECT count(*) FROM projects") == [(0,)]


def test_undo_twice_or_of_no_such_batch(con):
    batch = load(con, fixture("register_gbk_title.csv"), "计划表.csv")
    ingest.undo(con, batch, ADMIN)
    before = dump(con)
    undone_at = ingest.batches(con)[0]["undone_at"]
    with pytest.raises(ValidationFailed) as twice:
        ingest.undo(con, batch, ADMIN)
    assert str(twice.value) == f"批次#{batch}已于 {undone_at:%Y-%m-%d %H:%M} 撤销过"
    with pytest.raises(ValidationFailed) as missing:
        ingest.undo(con, 99, ADMIN)
    assert str(missing.value) == "没有批次#99"
    assert dump(con) == before


def test_a_database_error_inside_the_commit_rolls_back_and_is_reported_as_itself(con):
    build(con, JULY)
    before = dump(con)
    preview = ingest.prepare(con, fixture(GBK), GBK)
    preview.rows[-1].write["stage"] = "施工中"  # slips past validation; the table's CHECK refuses
    # DuckDB's file says ConstraintException, PostgreSQL's COPY a plain error: the same CHECK
    with pytest.raises(db.DatabaseError, match=r"(?i)check constraint"):
        ingest.commit(con, preview, OFFICE)
    assert dump(con) == before
    load(con, fixture(GBK), GBK)  # the connection is whole: the next commit goes through
    assert one(con, "SELECT count(*) FROM progress WHERE month = 8") == [(4,)]
    assert august_rows(con) == AUGUST


def august_rows(con):
    return one(
        con,
        "SELECT p.name, g.amount, g.ytd, g.stage, g.image_progress, g.problems FROM progress g"
        " JOIN projects p ON p.id = g.project_id WHERE g.month = 8 ORDER BY p.id",
    )


def test_the_collector_pause_ends_with_the_outermost_upload():
    import gc

    from xzcore.ingest import gcpause

    assert gc.isenabled()
    with gcpause.paused():
        assert not gc.isenabled()
        with gcpause.paused():  # a second session's upload inside the first
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner one does not end the outer pause
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gcpause.paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()  # an error ends the pause too
