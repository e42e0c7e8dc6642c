"""Issue 14 item 3: January is compared with nothing, even when December of the year before is
loaded (it said 本月完成 −1,150万元: January's cumulative less December's)."""

from __future__ import annotations

import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.conftest import build
from xzcore import cycle
from xzcore.auth import SYSTEM
from xzcore.period import Month
from xzcore.store import db, settings


@pytest.fixture
def two_years(tmp_path, monkeypatch):
    path = tmp_path / "years.duckdb"
    with db.connect(path, create=True) as con:
        build(con, [{"name": "去年项目", "plan": 1500, "ytd": {11: 1100, 12: 1200}}], year=2020)
        build(con, [{"name": "今年项目", "plan": 600, "ytd": {1: 50}}], year=2021)
        settings.set_anonymous_viewing(con, True, actor=SYSTEM)
        for month in (Month(2020, 11), Month(2020, 12), Month(2021, 1)):
            cycle.publish.publish(con, SYSTEM, month)
    monkeypatch.setenv("XZ_DB", str(path))
    st.cache_data.clear()

    def run(**query) -> AppTest:
        at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
        at.query_params.update(query)
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def _overview(at: AppTest) -> str:
    metrics = " ".join(f"{m.label} {m.value} {m.delta or ''}" for m in at.metric)
    return metrics + " ".join(m.value for m in at.markdown)


def test_january_overview_says_nothing_about_last_month(two_years):
    shown = _overview(two_years(month="2021-01"))
    assert "累计完成投资 50万元" in shown
    assert "本月完成" not in shown and "较上月" not in shown
    # December still compares with November within its year: 1,200 − 1,100
    december = _overview(two_years(month="2020-12"))
    assert "本月完成 100万元" in december


def test_january_slide_says_nothing_about_last_month(two_years):
    at = two_years(present="1", month="2021-01")
    text = re.sub(r"<[^>]+>", " ", " ".join(h.value for h in at.html))
    assert "本月完成" not in text and "较上月" not in text
    changes = two_years(present="1", month="2021-01", slide="7")
    assert "本月是本年度第一个月，没有上月亮灯可比。" in " ".join(h.value for h in changes.html)
