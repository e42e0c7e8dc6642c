"""Overview and investment completion under AppTest: the figures are figures.metrics' figures."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from xzcore.display import fmt
from xzcore.figures import metrics
from xzcore.period import Month
from xzcore.store import db

AUG = Month(2020, 8)


@pytest.fixture
def page(demo_db, expected, monkeypatch):
    # expected first: it opens the file read-only, which fails once a page holds it read-write
    # (xdist may hand this worker a page test before the first test that asks for expected)
    del expected
    monkeypatch.setenv("XZ_DB", str(demo_db))
    st.cache_data.clear()

    def run(path: str, **query) -> AppTest:
        at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
        at.query_params.update(query)
        at.run()
        if path != "pages/overview.py":
            at.switch_page(path).run()
        assert not at.exception, at.exception
        return at

    return run


@pytest.fixture(scope="module")
def expected(demo_db):
    # closed before the pages open the file: one process, one configuration per file
    with db.connect(demo_db, read_only=True) as con:
        return {
            "all": metrics.summary(con, AUG, by=["unit", "township"]),
            "june": metrics.summary(con, Month(2020, 6)),
            "transport": metrics.summary(con, AUG, filters={"unit": ["区交通运输局"]}),
        }


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_shows_the_metrics_of_the_month(page, expected):
    at = page("pages/overview.py", month="2020-08")
    shown = _metrics(at)
    total = expected["all"]
    assert shown["项目数"] == "113 个"
    assert shown["完成率"] == "80.0%" == fmt.percent(total["completion_rate"])
    assert shown["累计完成投资"] == fmt.money(total["completed_wan"])
    assert shown["开工率"] == "100.0%"
    assert "示例数据" in at.caption[0].value
    assert "绿灯 94 个" in at.markdown[0].value and "红灯 12 个" in at.markdown[0].value


def test_overview_as_of_an_earlier_month(page, expected):
    at = page("pages/overview.py", month="2020-06")
    assert _metrics(at)["完成率"] == fmt.percent(expected["june"]["completion_rate"])
    assert at.query_params["month"] == "2020-06"


def test_a_filter_in_the_url_narrows_the_figures_and_stays_in_the_url(page, expected):
    at = page("pages/overview.py", month="2020-08", unit="区交通运输局")
    transport = expected["transport"]
    assert _metrics(at)["项目数"] == f"{transport['projects']} 个"
    assert _metrics(at)["完成率"] == fmt.percent(transport["completion_rate"])
    assert at.query_params["unit"] == "区交通运输局"
    assert "筛选：责任单位 区交通运输局" in at.caption[0].value


def test_completion_ranking_is_the_ratio_of_sums_per_unit(page, expected):
    at = page("pages/completion.py", month="2020-08")
    ranking = next(d.value for d in at.dataframe if "责任单位" in d.value.columns)
    groups = expected["all"]["groups"]["unit"]
    assert list(ranking["责任单位"]) == [g["key"] for g in groups]
    assert list(ranking["完成率"]) == pytest.approx([g["completion_rate"] * 100 for g in groups])
    assert ranking["项目数"].sum() == 113


def test_the_view_survives_moving_to_another_page(page):
    at = page("pages/overview.py", month="2020-06", unit="区交通运输局")
    at.switch_page("pages/completion.py").run()  # the URL is cleared, the session keeps the view
    assert not at.exception
    assert at.query_params["month"] == "2020-06" and at.query_params["unit"] == "区交通运输局"
    assert "数据截至 2020年1-6月" in at.caption[0].value


def test_changing_the_month_again_and_again_follows_every_choice(page, expected):
    at = page("pages/overview.py", month="2020-08")
    for month in ("2020-05", "2020-06", "2020-03", "2020-06"):
        at.sidebar.selectbox[0].set_value(month).run()
        assert at.query_params["month"] == month
        assert f"数据截至 {month[:4]}年1-{int(month[5:])}月" in at.caption[0].value
    assert _metrics(at)["完成率"] == fmt.percent(expected["june"]["completion_rate"])


def test_changing_a_filter_twice_follows_both_choices(page):
    at = page("pages/overview.py", month="2020-08")
    units = at.sidebar.multiselect[2]
    at = units.set_value(["区交通运输局"]).run()
    at = at.sidebar.multiselect[2].set_value(["区水利局"]).run()
    assert at.query_params["unit"] == "区水利局"
    assert "筛选：责任单位 区水利局" in at.caption[0].value
