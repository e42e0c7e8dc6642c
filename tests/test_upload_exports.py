"""Templates that upload cleanly, the error list as a safe workbook, and the preview as tables."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from xzcore import ingest
from xzcore.ingest import preview_tables
from xzcore.ingest.parse import Problem
from xzcore.store import db


@pytest.fixture(scope="module")
def con(demo_db):
    connection = db.connect(demo_db)
    yield connection
    connection.close()


def test_the_error_list_is_a_workbook_with_a_frozen_header_and_no_formulas():
    problems = [
        Problem("warning", "累计完成 5 低于上月累计 10", 7, "累计完成"),
        Problem("error", '=HYPERLINK("http://x","点我")', 3, "+项目名称"),
        Problem("error", "文件中的报告期不一致"),
    ]
    data = preview_tables.problems_xlsx(problems)
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "级别", "说明")
    assert rows[1] == (None, None, "错误", "文件中的报告期不一致")  # the whole file's first
    assert rows[2] == (3, "+项目名称", "错误", '=HYPERLINK("http://x","点我")')
    assert rows[3][:3] == (7, "累计完成", "警告")
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width >= 60
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml  # stored as text: opening the file runs nothing


def test_the_preview_table_shows_old_to_new_and_keeps_the_bad_rows_in_place(con):
    report = (
        "秀洲区重点项目2020年1-8月进展情况\n项目代码,项目名称,本月完成投资（万元）,"
        "年初至报告期累计完成投资（万元）\nXZ2020-001,隆基乐叶年产5GW单晶组件项目,35785,170100\n"
        "XZ9999-999,没有这个项目,1,1\n"
    ).encode()
    preview = ingest.prepare(con, report, "8月.csv")
    rows = preview_tables.rows_table(preview)
    assert rows["行号"].tolist() == [3, 4]
    first, second = rows.to_dict("records")
    assert first["处理"] == "变更" and first["本月完成（万元）"] == "35685 → 35785"
    assert first["累计完成（万元）"] == "170000 → 170100" and first["级别"] == ""
    assert second["处理"] == preview_tables.SKIPPED and second["级别"] == "错误"
    assert "不在计划表中" in second["问题"]
    mapping = preview_tables.columns_table(preview.parsed)
    assert mapping["对应字段"].tolist()[2:] == ["本月完成（万元）", "累计完成（万元）"]


def test_a_register_adding_and_renaming_projects_has_one_name_column(con):
    """New projects carry their name among the changes: it used to make a second 项目名称
    column, and Streamlit's styled table refused the whole preview."""
    register = (
        "项目代码,项目名称,年度计划投资\nXZ2020-001,隆基乐叶年产5GW单晶组件项目（一期）,50000\n"
        "K00001,新项目甲,12000\n"
    ).encode()
    rows = preview_tables.rows_table(ingest.prepare(con, register, "2020年计划表.csv"))
    assert rows.columns.is_unique
    renamed, new = rows.to_dict("records")
    assert (
        renamed["项目名称"] == "隆基乐叶年产5GW单晶组件项目 → 隆基乐叶年产5GW单晶组件项目（一期）"
    )
    assert new["项目名称"] == "新项目甲" and new["处理"] == "新增"
    rows.style.apply(lambda row: [""] * len(row), axis=1).to_html()  # what the page does


def test_the_history_table_says_which_batches_stand(con):
    history = preview_tables.history_table(ingest.batches(con))
    assert history["批次"].tolist() == list(range(9, 0, -1))
    assert history.iloc[-1][["类型", "年月", "行数", "上传人"]].tolist() == [
        "项目计划表",
        "2020年",
        113,
        "demo",
    ]
    assert set(history["状态"]) == {"有效"}
