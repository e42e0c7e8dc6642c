"""Issue 14 items 7, 8 and 15 under AppTest: the upload's problems wrap their 说明, lights are
coloured labels in every table and on the project page, the unit ranking is the first tab."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.test_upload_page import open_page, upload
from ui import formats
from xzcore.display.tables import LIGHT_MARKS

# the colour of each light's label in a table (formats.light_column)
COLOUR = {"green": "#2e9d4f", "yellow": "#f2b705", "red": "#c0392b"}


@pytest.fixture
def page(app_db):
    def run(path: str, **query) -> AppTest:
        at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
        at.switch_page(path)
        at.query_params.update({"month": "2020-08"} | query)
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def _lit(frame, column: str = "亮灯") -> set[str]:
    """The lights the column holds, each as the colour the grid draws its label in; fails
    unless the column is drawn as coloured labels."""
    config = json.loads(frame.proto.columns)[column]["type_config"]
    assert config["type"] == "multiselect"
    colours = {o["value"]: o["color"] for o in config["options"]}
    return {colours[mark] for mark in frame.value[column]}


def test_the_unit_ranking_is_the_first_tab_and_its_lights_are_coloured(page):
    at = page("pages/completion.py")
    assert [t.label for t in at.tabs][:2] == ["责任单位", "镇街道"]
    legend = "柱色为各组的亮灯（亮灯规则“秀洲区（默认）”）：绿 完成率不低于时序进度"
    assert any(c.value.startswith(legend) for c in at.caption)
    first = at.dataframe[0]
    assert "责任单位" in first.value.columns
    lights = set(first.value["亮灯"])
    assert lights == {LIGHT_MARKS["green"], LIGHT_MARKS["red"]}  # 18 green units, 嘉北 red
    assert _lit(first) == {COLOUR["green"], COLOUR["red"]}


def test_red_flag_and_warning_lights_are_coloured(page):
    at = page("pages/evaluation.py")
    red_flags, warnings = at.dataframe
    assert COLOUR["green"] in _lit(red_flags)
    assert COLOUR["red"] in _lit(warnings)


def test_the_project_page_colours_its_lights(page, app_db):
    at = page("pages/project.py", project="1")  # 隆基, green in August
    light = next(m for m in at.metric if m.label == "8月亮灯")
    assert light.value == ":green[● 绿灯]" == formats.light_text("green")
    months = next(d for d in at.dataframe if "亮灯原因" in d.value.columns)
    assert COLOUR["green"] in _lit(months)


def test_light_text_of_every_light():
    assert [formats.light_text(k) for k in ("green", "yellow", "red", None)] == [
        ":green[● 绿灯]",
        ":orange[▲ 黄灯]",
        ":red[■ 红灯]",
        "未亮灯",
    ]


def test_the_problems_wrap_so_the_suggested_names_show(app_db):
    at = open_page()
    bad = "项目代码,项目名称,本月完成投资（万元）\n,凯源年产14万台医疗器械项,50\n"
    upload(at, "月报_2020年9月.csv", bad.encode())
    problems = next(d for d in at.dataframe if "说明" in d.value.columns)
    assert "相近的项目：凯源年产14万台医疗器械项目" in problems.value["说明"].iloc[0]
    assert problems.proto.row_height > 64  # taller than 4rem: the grid wraps the text


def test_the_lag_page_lists_colour_their_lights(page):
    at = page("pages/lag.py")
    lists = [d for d in at.dataframe if "项目名称" in d.value.columns]
    assert len(lists) == 2  # the lights that changed, the red and yellow projects
    changes, lagging = lists
    assert {COLOUR["red"], COLOUR["green"]} <= _lit(changes, "上月") | _lit(changes, "本月")
    assert {COLOUR["red"], COLOUR["yellow"]} <= _lit(lagging)
