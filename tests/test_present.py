"""Presentation mode under AppTest: each slide shows xzcore's figures for the URL's month and
filters, the slide number is kept in range and in the URL, buttons turn the slides, and the
way in (sidebar) and out (退出演示) keep the view."""

from __future__ import annotations

import re

import plotly.io as pio
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from xzcore.display import fmt, slide_plan
from xzcore.figures import evaluation, history, metrics
from xzcore.period import Month
from xzcore.store import db

AUG = Month(2020, 8)
UNIT = "区交通运输局"


@pytest.fixture(scope="module")
def expected(demo_db):
    # read before the app opens the file: one process, one configuration per file
    with db.connect(demo_db, read_only=True) as con:
        return {
            "total": metrics.summary(con, AUG, by=["unit", "township"]),
            "july": metrics.summary(con, Month(2020, 7)),
            "lights": metrics.lights(con, AUG),
            "evaluation": evaluation.evaluate(con, AUG),
            "changes": history.light_changes(con, AUG),
            "unit": metrics.summary(con, AUG, filters={"unit": [UNIT]}),
            "unit_ids": set(metrics.lights(con, AUG, filters={"unit": [UNIT]})["id"]),
        }


@pytest.fixture
def present(demo_db, expected, monkeypatch):
    # expected first: it opens the file read-only, which fails once a page holds it read-write
    # (xdist may hand this worker a page test before the first test that asks for expected)
    del expected
    monkeypatch.setenv("XZ_DB", str(demo_db))
    st.cache_data.clear()

    def run(**query) -> AppTest:
        at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
        at.query_params.update({"present": "1", "month": "2020-08"} | query)
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def text(at: AppTest) -> str:
    """Everything the slide's HTML says, tags removed."""
    return re.sub(r"\s+", " ", " ".join(re.sub(r"<[^>]+>", " ", h.value) for h in at.html))


def cells(at: AppTest, column: int) -> list[str]:
    """One column of the slide's table(s), in order."""
    rows = re.findall(r"<tr>(.*?)</tr>", "".join(h.value for h in at.html), flags=re.S)
    found = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows]
    return [re.sub(r"<[^>]+>", "", row[column]) for row in found if row]


def turn(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def test_the_overview_slide_shows_the_month_s_figures(present, expected):
    at = present()
    shown = text(at)
    total, july = expected["total"], expected["july"]
    assert "总体情况" in shown and "1 / 7" in shown and "数据截至 2020年1-8月" in shown
    assert "项目数 113 个" in shown
    assert fmt.percent(total["completion_rate"]) == "80.0%" and "完成率 80.0 %" in shown
    assert "时序进度 66.7%，超前13.3个百分点" in shown
    assert "开工率 100.0 %" in shown
    for light, word in (("green", "● 绿灯"), ("yellow", "▲ 黄灯"), ("red", "■ 红灯")):
        change = total["lights"][light] - july["lights"][light]
        assert f"{word} {total['lights'][light]} 个 较上月 {change:+d} 个" in shown
    assert at.query_params["slide"] == "1"


def test_no_sidebar_is_drawn_in_presentation_mode(present):
    at = present()
    assert not at.sidebar.children  # nothing in it: the browser shows no sidebar at all
    assert not at.sidebar.button  # not even the way into presentation mode


def test_the_units_slide_charts_each_unit_s_completion(present, expected):
    at = present(slide="2")
    (chart,) = at.get("plotly_chart")
    bars = pio.from_json(chart.proto.spec).data[0]
    groups = expected["total"]["groups"]["unit"]  # best first; the chart has the best on top
    assert list(bars.y) == [g["key"] for g in reversed(groups)]
    assert list(bars.x) == pytest.approx([g["completion_rate"] * 100 for g in reversed(groups)])
    assert "2 / 7" in text(at) and "各责任单位投资完成率" in text(at)


def test_the_lag_slide_ranks_the_projects_furthest_behind(present, expected):
    at = present(slide="3")
    projects = slide_plan.projects_behind(expected["lights"])
    units = slide_plan.units_behind(expected["total"]["groups"]["unit"])
    names = cells(at, 0)
    assert names == [g["key"] for g in units] + list(projects["name"])


def test_the_map_slide_draws_every_project_and_ranks_the_townships(present, expected):
    at = present(slide="4")
    (chart,) = at.get("plotly_chart")
    fig = pio.from_json(chart.proto.spec)
    drawn = [t for t in fig.data if t.customdata is not None]
    assert sum(len(t.customdata) for t in drawn) == 113
    assert [t.name for t in drawn] == ["绿灯（94个）", "黄灯（7个）", "红灯（12个）"]
    assert cells(at, 0) == [g["key"] for g in expected["total"]["groups"]["township"]]


@pytest.mark.parametrize(
    ("slide", "kind", "count"), [("5", "red_flags", 12), ("6", "warnings", 14)]
)
def test_the_red_flag_and_warning_slides_list_what_evaluate_picks(
    present, expected, slide, kind, count
):
    at = present(slide=slide)
    names = list(expected["evaluation"][kind]["name"])
    assert len(names) == count
    assert cells(at, 1) == names
    assert cells(at, 0) == [str(i) for i in range(1, count + 1)]


def test_the_changes_slide_lists_the_lights_that_changed(present, expected):
    at = present(slide="7")
    assert cells(at, 0) == list(expected["changes"]["name"])
    assert "7 / 7" in text(at) and "好转 10 个" in text(at)


@pytest.mark.parametrize(("asked", "number"), [("99", "7"), ("0", "1"), ("abc", "1")])
def test_the_slide_number_is_clamped_and_written_back(present, asked, number):
    at = present(slide=asked)
    assert at.query_params["slide"] == number
    assert f"{number} / 7" in text(at)


def test_the_buttons_turn_the_slides_and_the_url_follows(present):
    at = present()
    assert at.button(key="present_prev").disabled
    turn(at, "present_next")
    assert at.query_params["slide"] == "2" and "各责任单位投资完成率" in text(at)
    turn(at, "present_pagedown")  # the hidden buttons of PageDown, Space and PageUp
    turn(at, "present_space")
    assert at.query_params["slide"] == "4" and "亮灯地图" in text(at)
    turn(at, "present_pageup")
    turn(at, "present_prev")
    assert at.query_params["slide"] == "2"
    at = present(slide="7")
    assert at.button(key="present_next").disabled


def test_a_link_with_filters_shows_the_filtered_figures(present, expected):
    at = present(unit=UNIT)
    shown = text(at)
    unit = expected["unit"]
    assert f"项目数 {unit['projects']} 个" in shown
    assert f"完成率 {fmt.percent(unit['completion_rate'])[:-1]} %" in shown
    assert f"筛选：责任单位 {UNIT}" in shown
    at = present(unit=UNIT, slide="5")
    red_flags = expected["evaluation"]["red_flags"]
    mine = red_flags[red_flags["id"].isin(expected["unit_ids"])]
    assert 0 < len(mine) < len(red_flags)
    assert cells(at, 1) == list(mine["name"])
    assert "只列筛选范围内的项目" in text(at)
    assert at.query_params["unit"] == UNIT


def test_the_automatic_advance_and_refresh_are_chosen_in_the_url(present):
    at = present(auto="30", refresh="30")
    advance, refresh = at.segmented_control
    assert advance.value == 30 and refresh.value == 30
    assert "更新于" in text(at)
    advance.set_value(0).run()
    assert "auto" not in at.query_params and at.query_params["refresh"] == "30"
    at.segmented_control[1].set_value(0).run()
    assert "refresh" not in at.query_params and "更新于" not in text(at)
    at.segmented_control[0].set_value(15).run()
    assert at.query_params["auto"] == "15" and at.segmented_control[0].value == 15
    at = present(auto="7")  # not one of the choices: turned by hand
    assert at.segmented_control[0].value == 0


def test_leaving_returns_to_the_dashboard_with_the_same_view(present):
    at = present(month="2020-06", unit=UNIT, slide="3")
    turn(at, "present_exit")
    assert "present" not in at.query_params and "slide" not in at.query_params
    assert at.query_params["month"] == "2020-06" and at.query_params["unit"] == UNIT
    assert at.title[0].value == "总览"
    assert "数据截至 2020年1-6月" in at.caption[0].value


def test_the_sidebar_opens_the_same_view_as_slides(demo_db, monkeypatch):
    monkeypatch.setenv("XZ_DB", str(demo_db))
    st.cache_data.clear()
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
    at.query_params.update(month="2020-06", unit=UNIT)
    at.run()
    at.sidebar.button[-1].click().run()
    assert not at.exception, at.exception
    assert at.query_params["present"] == "1" and at.query_params["month"] == "2020-06"
    assert "1 / 7" in text(at) and f"筛选：责任单位 {UNIT}" in text(at)
    assert "数据截至 2020年1-6月" in text(at)


def test_january_has_no_last_month_to_compare_with(present):
    at = present(month="2020-01")
    assert "较上月" not in text(at) and "本月完成" not in text(at)
    at = present(month="2020-01", slide="7")
    assert "本月是本年度第一个月，没有上月亮灯可比。" in text(at)
