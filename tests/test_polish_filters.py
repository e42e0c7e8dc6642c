"""Issue 14 item 4: every chart and table follows every filter, the light filter included; a view
that keeps no project says so in words instead of drawing empty axes."""

from __future__ import annotations

import re

import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.conftest import build
from ui.controls import NOTHING_MATCHES
from xzcore.figures import history
from xzcore.period import Month

AUG_URL = "2020-08"
AUG = Month(2020, 8)
# the demo's August: 12 red projects, 501,336万元 of 1,218,500万元 done; 高照街道 has none red
RED = {"light": "red"}
NONE_RED = {"township": "高照街道", "light": "red"}


@pytest.fixture
def page(app_db):
    def run(path: str, **query) -> AppTest:
        at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
        at.query_params.update({"month": AUG_URL} | query)
        at.run()
        if path != "pages/overview.py":
            at.switch_page(path).run()
        assert not at.exception, at.exception
        return at

    return run


def _figures(at: AppTest) -> list:
    return [pio.from_json(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_trend_keeps_the_projects_lit_so_this_month(con):
    build(
        con,
        [
            {"name": "甲", "plan": 1200, "ytd": {6: 500, 8: 900}},  # 75.0%: green
            {"name": "乙", "plan": 1200, "ytd": {6: 600, 8: 650}},  # 54.2% against 66.7%: red
            {"name": "丙", "plan": 600, "ytd": {6: 100, 8: 400}},  # 66.7%: green
        ],
    )
    green = history.trend(con, AUG, filters={"light": ["green"]})
    assert green.set_index("month_no").loc[[6, 8], "completed_wan"].tolist() == [600, 1300]
    assert green.plan_wan.iloc[-1] == 1800
    nothing = history.trend(con, AUG, filters={"light": ["yellow"]})
    assert nothing.empty  # as for a unit filter that keeps no project


def test_overview_trend_follows_the_light_filter(page):
    at = page("pages/overview.py", **RED)
    assert {m.label: m.value for m in at.metric}["项目数"] == "12 个"
    trend = _figures(at)[0]
    bars = next(t for t in trend.data if t.type == "bar")
    assert round(bars.y[-1], 4) == 5.0134  # 亿元: the 12 red projects, not the district's 131.30
    plan = next(t for t in trend.data if t.name == "年度计划")
    assert round(plan.y[-1], 4) == 12.185


@pytest.mark.parametrize("path", ["pages/overview.py", "pages/completion.py"])
def test_a_view_with_no_project_says_so_and_draws_no_chart(page, path):
    at = page(path, **NONE_RED)
    assert NOTHING_MATCHES in [i.value for i in at.info]
    assert not at.get("plotly_chart") and not at.dataframe


def test_slides_of_a_view_with_no_project_say_so(page):
    for slide in ("2", "3", "4"):
        at = page("pages/overview.py", present="1", slide=slide, **NONE_RED)
        text = re.sub(r"<[^>]+>", " ", " ".join(h.value for h in at.html))
        assert NOTHING_MATCHES in text and not at.get("plotly_chart")
