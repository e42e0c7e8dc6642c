"""The bulletin's words and tables on hand-made data: behind schedule, January, empty lists."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from tests.conftest import build
from xzcore.errors import UnknownMonth
from xzcore.figures import metrics
from xzcore.period import Month
from xzcore.report import bulletin, pdf, workbook
from xzcore.report.model import text
from xzcore.store import db

JUNE = Month(2020, 6)


@pytest.fixture
def behind(con):
    """Two projects of 1,200万元 each, behind the schedule in June (50%): one red, one yellow.

    In May 乙 was exactly on schedule (500 of 1,200 = 5/12): green, then yellow in June.
    """
    build(
        con,
        [
            {"name": "甲工程", "plan": 1200, "ytd": {5: 250, 6: 300}, "unit": "区水利局"},
            {"name": "乙工程", "plan": 1200, "ytd": {5: 500, 6: 500}, "unit": "区交通运输局"},
        ],
    )
    for month in (Month(2020, 5), JUNE):
        metrics.snapshot_lights(con, month)  # as every monthly upload does
    return bulletin.gather(con, JUNE)


def test_a_district_behind_schedule_is_said_so(behind):
    assert behind.title == "秀洲区重点项目建设进展情况通报（2020年1-6月）"
    assert behind.overall.startswith(
        "1-6月，全区2个重点建设项目累计完成投资0.08亿元，占年度计划的33.3%，"
        "落后时序进度16.7个百分点。其中6月完成投资0.01亿元。"
    )


def test_only_the_demo_database_is_stamped_as_demo(behind, demo_db):
    assert "示例数据" not in behind.stamp
    with db.connect(demo_db, read_only=True) as con:
        assert bulletin.gather(con, Month(2020, 8)).stamp.endswith("　示例数据")


def test_lights_are_counted_against_last_month(behind):
    assert behind.paragraphs[1] == (
        "全区亮绿灯0个、黄灯1个、红灯1个；与上月相比，绿灯减少1个、黄灯增加1个、红灯持平，"
        "1个项目亮灯发生变化。"
    )
    changes = behind.tables["亮灯变化"]
    assert [(r[1], r[4], r[5], r[6]) for r in changes.rows] == [
        ("乙工程", "green", "yellow", "转差")
    ]


def test_group_words_name_the_best_and_the_worst(behind):
    assert behind.unit_words == (
        "2个责任单位中，完成率最高的是区交通运输局（41.7%），最低的是区水利局（25.0%）；"
        "2个责任单位落后时序进度，亮红灯的有：区水利局。"
    )


def test_empty_and_filled_lists(behind):
    assert behind.tables["红旗项目"].rows == ()
    warnings = behind.tables["预警项目"]
    assert [(r[1], r[9]) for r in warnings.rows] == [("甲工程", "连续2个月亮红灯")]
    lagging = behind.tables["黄红灯项目"]
    assert [(r[1], r[8]) for r in lagging.rows] == [("甲工程", "red"), ("乙工程", "yellow")]
    # an empty list is said in words, in the PDF and in the workbook
    html = pdf.table_html(behind.tables["红旗项目"], heading=True)
    assert "本月没有符合条件的红旗项目。" in html and "<table>" not in html
    book = openpyxl.load_workbook(io.BytesIO(workbook.xlsx_bytes(behind)))
    assert book["红旗项目"].cell(row=workbook.HEADER_ROW + 1, column=1).value == (
        "本月没有符合条件的红旗项目。"
    )


def test_january_has_no_last_month_to_compare(con):
    build(con, [{"name": "甲工程", "plan": 1200, "ytd": {1: 100}}])
    metrics.snapshot_lights(con, Month(2020, 1))
    january = bulletin.gather(con, Month(2020, 1))
    assert january.title.endswith("（2020年1月）")
    assert january.overall.startswith("1月，全区1个重点建设项目")
    assert "其中" not in january.overall and "与上月相比" not in january.paragraphs[1]
    assert len(january.tables["总体"].rows) == 1
    changes = january.tables["亮灯变化"]
    assert changes.rows == () and changes.empty.startswith("1月是本年度第一个月")


def test_a_month_without_data_is_refused(con):
    build(con, [{"name": "甲工程", "plan": 1200, "ytd": {1: 100}}])
    with pytest.raises(UnknownMonth, match="2020-03 没有数据"):
        bulletin.gather(con, Month(2020, 3))


def test_cells_as_text():
    assert text("wan", 1313040.0) == "1,313,040.00"
    assert text("rate", 0.8) == "80.0%"
    assert text("pp", -13.333) == "超前13.3" and text("pp", 4.0) == "落后4.0"
    assert text("light", "red") == "■ 红灯"
    assert text("rate", None) == text("wan", float("nan")) == "—"


def test_the_bulletin_says_the_month_s_problems_and_lists_the_overdue(demo_con):
    """A problem raised in July with a deadline of 10 August, still open at the end of August."""
    from xzcore import auth
    from xzcore.problems import store

    office = auth.User("office", "区重点办（示例）", "office")
    july = dt.datetime(2020, 7, 20, 9)
    problem = store.create(demo_con, office, description="用地指标未落实", category="用地",
                           source="现场办公", project_id=1, at=july)  # fmt: skip
    store.assign(demo_con, office, problem, lead_unit="区发改局", due_on=dt.date(2020, 8, 10),
                 at=july)  # fmt: skip
    made = bulletin.gather(demo_con, Month(2020, 8))
    assert made.paragraphs[-1].startswith("问题协调：") and "逾期未办结1个" in made.paragraphs[-1]
    overdue = made.tables["逾期未办结问题"]
    assert [(row[0], row[3], row[-1]) for row in overdue.rows] == [(problem, "用地指标未落实", 21)]
