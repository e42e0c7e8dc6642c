"""月度通报 under AppTest: the bulletin's sentences, its tables, the three download buttons; and
the files those buttons hand out (ui.report_data, called as the buttons call it)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from ui import data, report_data
from xzcore.display import tables
from xzcore.period import Month
from xzcore.report import bulletin, plots
from xzcore.store import db


@pytest.fixture
def report_page(demo_db, monkeypatch):
    monkeypatch.setenv("XZ_DB", str(demo_db))
    st.cache_data.clear()

    def run(month: str) -> AppTest:
        at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
        at.query_params["month"] = month
        at.run()
        at.switch_page("pages/report.py").run()
        assert not at.exception, at.exception
        return at

    return run


@pytest.fixture(scope="module")
def august(demo_db):
    with db.connect(demo_db, read_only=True) as con:
        return bulletin.gather(con, Month(2020, 8))


def test_page_shows_the_bulletin_and_offers_three_downloads(report_page, august):
    at = report_page("2020-08")
    assert at.subheader[0].value == "秀洲区重点项目建设进展情况通报（2020年1-8月）"
    shown = [m.value for m in at.markdown]
    assert tables.literal(august.overall) in shown
    assert "超时序进度13.3个百分点" in august.overall
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["下载 PDF", "下载 Excel", "下载图表图片（ZIP）"]
    assert [t.label for t in at.tabs] == [t.title for t in august.tables.values()]
    units = next(d.value for d in at.dataframe if "责任单位" in d.value.columns[:2])
    assert list(units["责任单位"]) == [g["key"] for g in august.summary["groups"]["unit"]]


def test_page_follows_the_month_of_the_view(report_page):
    at = report_page("2020-06")
    assert at.subheader[0].value.endswith("（2020年1-6月）")
    assert at.markdown[1].value.startswith("1\\-6月，全区113个重点建设项目")


def test_the_buttons_files(demo_db, monkeypatch):
    monkeypatch.setenv("XZ_DB", str(demo_db))
    st.cache_data.clear()
    version = data.data_version()
    book = openpyxl.load_workbook(io.BytesIO(report_data.xlsx_file(version, "2020-08")))
    assert book["总体"].cell(row=4, column=2).value == 113
    with zipfile.ZipFile(io.BytesIO(report_data.charts_zip(version, "2020-08"))) as archive:
        assert archive.namelist() == [f"{n}.png" for n in plots.NAMES]
    assert report_data.pdf_file(version, "2020-08").startswith(b"%PDF-")
