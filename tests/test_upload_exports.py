"""Templates that upload cleanly, the error list as a safe workbook, and the preview as tables."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from xzcore import db, demo, ingest, templates
from xzcore.ingest import export
from xzcore.ingest.parse import Problem


@pytest.fixture(scope="module")
def con(demo_db):
    connection = db.connect(demo_db)
    yield connection
    connection.close()


@pytest.fixture
def empty(tmp_path):
    connection = db.connect(tmp_path / "empty.duckdb", create=True)
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("kind", "period", "counts"),
    [
        ("register", (2020, None), {"new": 0, "changed": 0, "unchanged": 1}),
        ("progress", (2020, 9), {"new": 1, "changed": 0, "unchanged": 0}),
    ],
)
def test_a_template_uploaded_unchanged_parses_without_a_problem(con, kind, period, counts):
    data = templates.template(con, kind)
    preview = ingest.prepare(con, data, templates.FILE_NAMES[kind])
    assert preview.problems == []
    assert preview.parsed.kind == kind
    assert (preview.parsed.year, preview.parsed.month) == period
    assert preview.counts() == counts
    assert preview.parsed.ignored == []


def test_templates_carry_the_demo_headers_a_unit_line_and_one_sample_row(con):
    for kind, header in (("register", demo.REGISTER_HEADER), ("progress", demo.PROGRESS_HEADER)):
        sheet = load_workbook(io.BytesIO(templates.template(con, kind))).active
        rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
        assert rows[1][0] == "单位：万元"
        assert rows[2] == header.split(",")
        assert len(rows) == 4 and rows[3][1] == "隆基乐叶年产5GW单晶组件项目"
        assert sheet.freeze_panes == "C4"


def test_the_register_template_of_an_empty_database_adds_its_example(empty):
    data = templates.template(empty, "register", today=dt.date(2021, 3, 1))
    preview = ingest.prepare(empty, data, templates.FILE_NAMES["register"])
    assert preview.problems == []
    assert preview.parsed.year == 2021
    assert [r.name for r in preview.rows] == [templates.EXAMPLE_NAME]


def test_the_month_due_follows_the_latest_report_but_stays_in_its_year_and_the_past(con):
    assert str(templates.due_month(con, dt.date(2025, 1, 1))) == "2020-09"
    assert str(templates.due_month(con, dt.date(2020, 9, 15))) == "2020-09"
    assert str(templates.due_month(con, dt.date(2020, 8, 20))) == "2020-08"  # not ahead of today
    months = templates.reportable_months(con, dt.date(2020, 9, 15))
    assert [str(m) for m in months] == [f"2020-{m:02d}" for m in range(9, 0, -1)]


def test_the_error_list_is_a_workbook_with_a_frozen_header_and_no_formulas():
    problems = [
        Problem("warning", "累计完成 5 低于上月累计 10", 7, "累计完成"),
        Problem("error", '=HYPERLINK("http://x","点我")', 3, "+项目名称"),
        Problem("error", "文件中的报告期不一致"),
    ]
    data = export.problems_xlsx(problems)
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
    rows = export.rows_table(preview)
    assert rows["行号"].tolist() == [3, 4]
    first, second = rows.to_dict("records")
    assert first["处理"] == "变更" and first["本月完成（万元）"] == "35685 → 35785"
    assert first["累计完成（万元）"] == "170000 → 170100" and first["级别"] == ""
    assert second["处理"] == export.SKIPPED and second["级别"] == "错误"
    assert "不在计划表中" in second["问题"]
    mapping = export.columns_table(preview.parsed)
    assert mapping["对应字段"].tolist()[2:] == ["本月完成（万元）", "累计完成（万元）"]


def test_the_history_table_says_which_batches_stand(con):
    history = export.history_table(ingest.batches(con))
    assert history["批次"].tolist() == list(range(9, 0, -1))
    assert history.iloc[-1][["类型", "年月", "行数", "上传人"]].tolist() == [
        "项目计划表",
        "2020年",
        113,
        "demo",
    ]
    assert set(history["状态"]) == {"有效"}
