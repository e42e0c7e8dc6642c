"""Issue 14 item 10: the light map names its townships, shares the width with the townships'
lights, whose counts stand upright and whose legend keeps clear of the axis title at 1366."""

from __future__ import annotations

import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT, screenshot, settled
from xzcore.display import charts, lightmap

TOWNSHIPS = list(lightmap.township_points())


def _groups() -> list[dict]:
    return [
        {
            "key": name,
            "light": "green",
            "completion_rate": 0.7,
            "lag_pp": -3.3,
            "projects": 3,
            "lights": {"green": 1, "yellow": 1, "red": 1},
        }
        for name in TOWNSHIPS
    ]


def _names(fig) -> list[str]:
    return [t for trace in fig.data if trace.name == "镇街道名称" for t in trace.text]


def test_every_township_is_named_on_the_map_in_chinese_and_last():
    fig = lightmap.light_map([], _groups())
    assert sorted(_names(fig)) == sorted(TOWNSHIPS) and len(TOWNSHIPS) == 9
    labels = [t for t in fig.data if t.name == "镇街道名称"]
    assert all("text" in t.mode and t.hoverinfo == "skip" for t in labels)
    assert fig.data[-1].name == "镇街道名称"  # drawn over the points
    # the three townships within 5 km of each other are named on different sides, so the map
    # library (which leaves out a name overlapping another) shows all three
    near = ("嘉北街道", "新城街道", "高照街道")
    sides = {name: t.textposition for t in labels for name in t.text}
    assert len({sides[name] for name in near}) == 3


def test_the_township_lights_stand_upright_with_the_legend_above_the_bars():
    fig = charts.lights_by_group(_groups(), "各镇街道亮灯（点击筛选）")
    assert [bar.textangle for bar in fig.data] == [0, 0, 0]
    legend = fig.layout.legend
    assert legend.orientation == "h" and legend.y >= 1 and legend.yanchor == "bottom"
    assert fig.layout.xaxis.title.text == "项目数"


def test_the_map_page_draws_the_map_beside_the_townships_lights(app_db):
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
    at.query_params["month"] = "2020-08"
    at.run()
    at.switch_page("pages/lightmap.py").run()
    assert not at.exception
    charts_ = at.get("plotly_chart")
    figure, towns = (pio.from_json(c.proto.spec) for c in charts_)
    assert figure.layout.map.style == "white-bg"
    assert sorted(_names(figure)) == sorted(TOWNSHIPS)
    assert towns.layout.title.text == "各镇街道亮灯（点击筛选）"
    assert len(at.columns) >= 2  # side by side on a wide screen (stacked on a phone)


@pytest.fixture(scope="module")
def server(demo_site):
    return demo_site.url


def _boxes(page, chart) -> dict:
    return chart.evaluate(
        """c => {
            const box = s => { const e = c.querySelector(s); if (!e) return null;
                const r = e.getBoundingClientRect();
                return {l: r.left, r: r.right, t: r.top, b: r.bottom}; };
            return {legend: box('.legend'), xtitle: box('.xtitle'), plot: box('.bglayer rect')};
        }"""
    )


def _apart(a: dict, b: dict) -> bool:
    return a["r"] <= b["l"] or b["r"] <= a["l"] or a["b"] <= b["t"] or b["b"] <= a["t"]


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366", "1920"])
def test_in_the_browser_the_map_fills_its_column_and_the_legend_clears_the_axis(server, tabs, size):
    page = tabs.screen(*size)
    page.goto(f"{server}/lightmap?month=2020-08")
    settled(page, timeout=60000)
    charts_ = page.locator(".js-plotly-plot")
    charts_.nth(1).locator(".legend").wait_for(timeout=30000)
    content = page.locator('[data-testid="stMainBlockContainer"]').evaluate(
        "m => { const s = getComputedStyle(m); return m.clientWidth"
        " - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }"
    )
    the_map = charts_.nth(0).bounding_box()
    # three fifths of the page's width, the townships' lights in the rest (the district alone
    # filled a third of it)
    assert 0.55 * content <= the_map["width"] <= 0.65 * content, (the_map, content)
    towns = charts_.nth(1).bounding_box()
    assert towns["x"] >= the_map["x"] + the_map["width"] and towns["y"] < the_map["y"] + 100
    boxes = _boxes(page, charts_.nth(1))
    assert _apart(boxes["legend"], boxes["xtitle"]), boxes
    # the counts inside the bars are upright: no text rotated
    rotated = charts_.nth(1).evaluate(
        "c => [...c.querySelectorAll('.bartext')].filter(t => /rotate\\((?!0)/"
        ".test(t.getAttribute('transform') || '')).length"
    )
    assert rotated == 0
    screenshot(page, f"polish_map_{size[0]}x{size[1]}", top=True)


@pytest.mark.browser
def test_in_the_browser_the_overview_townships_legend_clears_the_axis_at_1366(server, tabs):
    page = tabs.screen(1366, 768)
    page.goto(f"{server}/?month=2020-08")
    settled(page, timeout=60000)
    chart = page.locator(".js-plotly-plot").nth(3)  # trend, stages, units, townships' lights
    chart.scroll_into_view_if_needed()
    chart.locator(".legend").wait_for(timeout=30000)
    boxes = _boxes(page, chart)
    assert _apart(boxes["legend"], boxes["xtitle"]), boxes
