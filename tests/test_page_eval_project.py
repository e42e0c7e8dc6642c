"""红旗/预警 and 项目详情 under AppTest: the lists of figures.evaluation, a project's record."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.markdown import shown as _plain  # text the page escaped for Markdown
from xzcore.display.tables import LIGHT_MARKS
from xzcore.figures import history
from xzcore.figures.evaluation import evaluate
from xzcore.period import Month
from xzcore.store import db

AUG = Month(2020, 8)
LONGI = "隆基乐叶年产5GW单晶组件项目"


@pytest.fixture(scope="module")
def expected(demo_db):
    # closed before the pages open the file: one process, one configuration per file
    with db.connect(demo_db, read_only=True) as con:
        return {
            "month": evaluate(con, AUG),
            "quarter": evaluate(con, AUG, quarterly=True),
            "longi": history.project_record(con, 1, AUG),
        }


@pytest.fixture
def page(demo_db, expected, monkeypatch):
    # expected first: it opens the file read-only, which fails once a page holds it read-write
    # (xdist may hand this worker a page test before the first test that asks for expected)
    del expected
    monkeypatch.setenv("XZ_DB", str(demo_db))
    st.cache_data.clear()

    def run(path: str, **query) -> AppTest:
        at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
        at.switch_page(path)
        at.query_params.update(query)  # a direct link: /evaluation?month=…&round=…
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def _lists(at: AppTest) -> list:
    """The project tables of the page, red flags first (left), then warnings (right)."""
    return [d.value for d in at.dataframe if "项目名称" in d.value.columns]


def test_evaluation_lists_the_red_flags_and_warnings_of_the_month(page, expected):
    at = page("pages/evaluation.py", month="2020-08")
    assert at.title[0].value == "红旗/预警"
    red_flags, warnings = _lists(at)
    names = list(expected["month"]["red_flags"]["name"])
    assert len(names) == 12
    assert list(red_flags["项目名称"]) == names
    assert list(warnings["项目名称"]) == list(expected["month"]["warnings"]["name"])
    # each project says which rule picked it; the page states the rules and the counts
    assert list(warnings["入选规则"]) == list(expected["month"]["warnings"]["rule"])
    assert set(red_flags["入选规则"]) == {expected["month"]["red_flag_rule"]}
    subheaders = [s.value for s in at.subheader]
    assert any("红旗项目（12 个）" in s for s in subheaders)
    assert any(f"预警（蜗牛）项目（{len(warnings)} 个）" in s for s in subheaders)
    captions = " ".join(c.value for c in at.caption)
    assert expected["month"]["red_flag_rule"] in captions
    assert "侧边栏的筛选不适用于本页" in captions
    assert "本轮：2020年8月" in at.markdown[0].value


def test_a_quarterly_round_from_the_url(page, expected):
    at = page("pages/evaluation.py", month="2020-08", round="quarter")
    assert "本轮：2020年第2季度" in at.markdown[0].value
    assert "数据截至 2020年1-6月" in at.markdown[0].value
    red_flags, warnings = _lists(at)
    assert list(red_flags["项目名称"]) == list(expected["quarter"]["red_flags"]["name"])
    assert list(warnings["项目名称"]) == list(expected["quarter"]["warnings"]["name"])
    assert at.query_params["round"] == "quarter"


def test_choosing_the_round_keeps_it_in_the_url(page):
    at = page("pages/evaluation.py", month="2020-08")
    assert "round" not in at.query_params
    at.button_group[0].set_value("quarter").run()
    assert at.query_params["round"] == "quarter"
    assert "2020年第2季度" in at.markdown[0].value
    at.button_group[0].set_value("month").run()
    assert "round" not in at.query_params
    assert "本轮：2020年8月" in at.markdown[0].value
    at.button_group[0].set_value("quarter").run()  # every click counts, not every other one
    assert "2020年第2季度" in at.markdown[0].value


def test_the_round_survives_moving_to_another_page(page):
    at = page("pages/evaluation.py", month="2020-08", round="quarter")
    at.switch_page("pages/overview.py").run()
    at.query_params.pop("round", None)  # switching pages clears the URL; the session keeps it
    at.switch_page("pages/evaluation.py").run()
    assert not at.exception
    assert "2020年第2季度" in at.markdown[0].value
    assert at.query_params["round"] == "quarter"


def test_the_project_page_shows_the_register_and_the_month(page, expected):
    at = page("pages/project.py", project="1", month="2020-08")
    assert _plain(at.subheader[0].value) == LONGI
    shown = {m.label: m.value for m in at.metric}
    assert shown["总投资"] == "50.00亿元"
    assert shown["本年度计划投资"] == "20.00亿元"
    august = expected["longi"]["months"].iloc[-1]
    assert shown["8月亮灯"] == f":green[{LIGHT_MARKS[august['light']]}]" == ":green[● 绿灯]"
    register = {_plain(k): _plain(v) for k, v in at.table[0].value.to_numpy().tolist()}
    assert register["总投资"] == "50.00亿元"
    assert register["项目业主"] == "嘉兴隆基乐叶光伏科技有限公司"
    assert register["计划开工"] == "2020-02-20"
    months = next(d.value for d in at.dataframe if "亮灯原因" in d.value.columns)
    assert list(months["月份"]) == [f"{m}月" for m in range(1, 9)]
    assert months["亮灯原因"].iloc[-1] == august["reason"]
    notes = at.table[1].value
    assert list(notes["形象进度"].map(_plain)) == list(
        expected["longi"]["months"]["image_progress"]
    )
    assert _plain(notes["存在问题"].iloc[1]) == "受疫情影响，外地务工人员返岗不足"


def test_searching_finds_the_project(page):
    at = page("pages/project.py", month="2020-08")
    assert at.info  # no project asked: the search only
    assert not at.metric
    at.text_input[0].input("隆基").run()
    assert not at.exception
    found = next(d.value for d in at.dataframe if "项目名称" in d.value.columns)
    assert list(found["项目名称"]) == [LONGI]
    assert list(found["id"]) == [1]


def test_an_unknown_project_says_so(page):
    for asked in ("9999", "abc", "１", "99999999999999999999"):
        at = page("pages/project.py", project=asked, month="2020-08")
        assert f"没有找到编号为“{asked}”的项目" in at.error[0].value
        assert not at.metric


def test_a_long_list_shows_its_worst_rows_and_says_the_csv_has_all(page, expected, monkeypatch):
    """At 10,000 projects the warnings run to thousands: the page lists the first LISTED_ROWS
    (2.2 MB a view before), here made 3 so that the demo's own list is long."""
    from ui import formats

    monkeypatch.setattr(formats, "LISTED_ROWS", 3)
    at = page("pages/evaluation.py", month="2020-08")
    red_flags, warnings = _lists(at)
    assert len(red_flags) == len(warnings) == 3
    found = len(expected["month"]["warnings"])
    assert f"下表列出前 3 个（共 {found} 个）；「下载 CSV」含全部。" in [
        c.value for c in at.caption
    ]
    assert list(warnings["项目名称"]) == list(expected["month"]["warnings"]["name"].head(3))
