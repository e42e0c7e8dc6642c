"""Issue 14 item 5: the presentation's 滞后排名 lists the units behind schedule, never units on
or ahead of it (it listed 9 green units ahead of schedule to fill ten rows)."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from xzcore.display import slide_plan
from xzcore.figures import metrics
from xzcore.period import Month
from xzcore.store import db


def test_only_units_behind_are_ranked():
    groups = [
        {"key": "甲", "lag_pp": 10.6},
        {"key": "乙", "lag_pp": -1.6},
        {"key": "丙", "lag_pp": 0.0},
        {"key": "丁", "lag_pp": 20.1},
        {"key": "戊", "lag_pp": None},  # no plan: nothing to be behind
    ]
    assert [g["key"] for g in slide_plan.units_behind(groups)] == ["丁", "甲"]
    assert slide_plan.units_on_schedule(groups) == 3
    assert slide_plan.units_behind(groups, n=1) == [groups[3]]


@pytest.fixture
def august(app_db):
    with db.connect(app_db, read_only=True) as con:
        return metrics.summary(con, Month(2020, 8), by="unit")["groups"]["unit"]


def test_demo_august_ranks_the_one_unit_behind(app_db, august):
    behind = slide_plan.units_behind(august)
    assert [(g["key"], round(g["lag_pp"], 1), g["light"]) for g in behind] == [
        ("嘉北街道办事处", 10.6, "red")
    ]
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
    at.query_params.update(present="1", month="2020-08", slide="3")
    at.run()
    assert not at.exception, at.exception
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", " ".join(h.value for h in at.html)))
    assert "责任单位：落后时序进度的 1 个" in text
    assert "其余 18 个责任单位达到或超前时序进度。" in text
    # no row ahead of schedule (区商务局, 1.6 points ahead, was listed second)
    assert not re.search(r"超前\d", text)
