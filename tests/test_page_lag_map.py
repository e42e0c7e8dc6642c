"""进度滞后 and 亮灯地图 under AppTest: what they draw is what xzcore says, for the month and view.

AppTest does not draw charts; it keeps each figure's JSON, which plotly reads back, so the
points on a chart can be counted and their project ids compared.
"""

from __future__ import annotations

import base64

import numpy as np
import plotly.io as pio
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from xzcore.display.tables import LIGHT_MARKS
from xzcore.figures import history, metrics
from xzcore.period import Month
from xzcore.store import db

MONTHS = ["2020-08", "2020-03"]
UNIT = "区交通运输局"


@pytest.fixture(scope="module")
def expected(demo_db):
    # read before any page opens the file: one process, one configuration per file
    with db.connect(demo_db, read_only=True) as con:
        return {
            month: {
                "lights": metrics.lights(con, Month.parse(month)),
                "changes": history.light_changes(con, Month.parse(month)),
                "unit": metrics.lights(con, Month.parse(month), filters={"unit": [UNIT]}),
            }
            for month in [*MONTHS, "2020-01"]
        }


@pytest.fixture
def page(expected, demo_db, monkeypatch):
    monkeypatch.setenv("XZ_DB", str(demo_db))
    monkeypatch.delenv("XZ_MAP_TILES", raising=False)
    st.cache_data.clear()

    def run(path: str, **query) -> AppTest:
        at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
        at.query_params.update(query)
        at.run()
        at.switch_page(path).run()
        assert not at.exception, at.exception
        return at

    return run


def figures(at: AppTest) -> list:
    return [pio.from_json(chart.proto.spec) for chart in at.get("plotly_chart")]


def _array(value):
    # plotly sends numpy arrays as typed binary; from_json decodes 1-D ones only
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(n) for n in str(value.get("shape", len(flat))).split(",")])
    return value


def project_ids(figure) -> list[int]:
    """The project ids a figure's points carry (customdata[0]), trace by trace."""
    return [int(c[0]) for trace in figure.data if trace.customdata is not None
            for c in _array(trace.customdata)]  # fmt: skip


def table(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "caption", "markdown", "info")
             for e in getattr(at, kind)]  # fmt: skip
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("month", MONTHS)
def test_lag_page_shows_every_project_against_the_zones(page, expected, month):
    at = page("pages/lag.py", month=month)
    assert at.title[0].value == "进度滞后"
    shown = texts(at)
    assert "亮灯规则（秀洲区（默认））" in shown
    assert "完成率不低于时序进度" in shown and "3个月及以上亮红灯" in shown
    lights = expected[month]["lights"]
    scatter, heatmap = figures(at)
    assert sorted(project_ids(scatter)) == sorted(lights["id"])
    counts = lights["light"].value_counts()
    names = [t.name for t in scatter.data]
    for light, word in (("green", "绿灯"), ("yellow", "黄灯"), ("red", "红灯")):
        assert f"{word}（{counts.get(light, 0)}个）" in names
    assert len(heatmap.data[0].y) == len(lights)  # one row a project


@pytest.mark.parametrize("month", MONTHS)
def test_the_changed_lights_are_those_of_history(page, expected, month):
    at = page("pages/lag.py", month=month)
    changes = expected[month]["changes"]
    assert len(changes) > 0
    shown = table(at, "上月")
    assert list(shown["id"]) == list(changes["id"])  # same order: newly red first
    assert list(shown["上月"]) == [LIGHT_MARKS[v] for v in changes["light_before"]]
    assert list(shown["本月"]) == [LIGHT_MARKS[v] for v in changes["light"]]
    assert f"本月亮灯变化（{len(changes)} 个）" in texts(at)
    if (changes["light"] == "red").any():
        assert shown["变化"].iloc[0] == "转为红灯"


@pytest.mark.parametrize("month", MONTHS)
def test_the_lagging_list_is_the_red_and_yellow_projects(page, expected, month):
    at = page("pages/lag.py", month=month)
    lights = expected[month]["lights"]
    lagging = lights[lights["light"] != "green"]
    shown = table(at, "项目代码")
    assert list(shown["id"]) == list(lagging["id"])  # worst first, as lights() orders them
    assert set(shown["亮灯"]) <= {LIGHT_MARKS["red"], LIGHT_MARKS["yellow"]}
    assert f"滞后项目：红灯、黄灯（{len(lagging)} 个）" in texts(at)


def test_january_has_no_month_before_to_compare(page):
    at = page("pages/lag.py", month="2020-01")
    assert "没有上月亮灯可比" in texts(at)
    assert not any("上月" in d.value.columns for d in at.dataframe)


def test_a_unit_in_the_url_narrows_the_lag_page(page, expected):
    at = page("pages/lag.py", month="2020-08", unit=UNIT)
    mine = expected["2020-08"]["unit"]
    scatter, heatmap = figures(at)
    assert sorted(project_ids(scatter)) == sorted(mine["id"])
    assert 0 < len(mine) < 113
    assert len(heatmap.data[0].y) == len(mine)
    changes = expected["2020-08"]["changes"]
    changed_here = [i for i in changes["id"] if i in set(mine["id"])]
    if changed_here:
        assert list(table(at, "上月")["id"]) == changed_here
    assert set(table(at, "项目代码")["责任单位"]) <= {UNIT}
    assert f"筛选：责任单位 {UNIT}" in at.caption[0].value


@pytest.mark.parametrize("month", MONTHS)
def test_light_map_shows_every_project_and_the_townships(page, expected, month):
    at = page("pages/lightmap.py", month=month)
    assert at.title[0].value == "亮灯地图"
    shown = texts(at)
    assert "示意" in shown and "Vonng/adcode" in shown
    assert "年度计划投资" in shown and "绿灯" in shown  # the legend: size and light, in words
    figure, _towns = figures(at)  # the map, and the townships' lights beside it
    assert sorted(project_ids(figure)) == sorted(expected[month]["lights"]["id"])
    assert figure.layout.map.style == "white-bg"
    assert not any(layer.sourcetype == "raster" for layer in figure.layout.map.layers)
    ranking = table(at, "镇街道")
    assert len(ranking) == 9 and ranking["项目数"].sum() == 113


def test_a_light_in_the_url_narrows_the_map(page, expected):
    at = page("pages/lightmap.py", month="2020-08", light="red")
    lights = expected["2020-08"]["lights"]
    red = lights[lights["light"] == "red"]
    figure, _towns = figures(at)  # the map, and the townships' lights beside it
    assert sorted(project_ids(figure)) == sorted(red["id"])
    assert "红灯（12个）" in [t.name for t in figure.data]
    assert table(at, "镇街道")["项目数"].sum() == len(red)
    assert at.query_params["light"] == "red"


def test_the_deployments_tiles_go_under_the_map(page, monkeypatch):
    template = "http://tiles.local/{z}/{x}/{y}.png"
    monkeypatch.setenv("XZ_MAP_TILES", template)
    at = page("pages/lightmap.py", month="2020-08")
    figure, _towns = figures(at)  # the map, and the townships' lights beside it
    raster = [layer for layer in figure.layout.map.layers if layer.sourcetype == "raster"]
    assert [list(layer.source) for layer in raster] == [[template]]


def test_the_zones_follow_the_thresholds_an_admin_set(app_db):
    """xiuzhou's yellow band widened from 10 to 20 points behind. September, being collected, is
    drawn under it: schedule 75%, so red ends at 55% (it ended at 65%). August keeps the rule it
    was published with (56.7%), as its lights do."""
    from tests.cycle_files import SEP, report, upload
    from tests.logins import log_in
    from xzcore import auth
    from xzcore.store import settings

    upload(app_db, report(app_db, SEP), "office")
    admin = auth.User("admin", "管理员（示例）", "admin")
    with db.connect(app_db) as con:
        settings.set_thresholds(con, "xiuzhou", {"green": "0", "yellow": "20"}, actor=admin)
    for month, red_ends in (("2020-09", 55.0), ("2020-08", 56.7)):
        at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
        log_in(at, "office")
        at.query_params["month"] = month
        at.switch_page("pages/lag.py").run()
        assert not at.exception
        edges = sorted(round(shape.x1, 1) for shape in figures(at)[0].layout.shapes)
        assert edges[0] == red_ends, (month, edges)
