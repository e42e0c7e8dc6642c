"""Downloads in a real browser: the report page's three files, a table's 「下载 CSV」, and no
st.dataframe toolbar download (it would hand out formulas)."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.browser import screenshot, settled, streamlit_server
from xzcore import cycle
from xzcore.figures import metrics
from xzcore.period import Month
from xzcore.report import plots
from xzcore.store import db

# one worker runs the module, in order, on its one server (make test: --dist loadgroup)
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("report_server")]

FORMULA = '=HYPERLINK("x")'
TITLE = "秀洲区重点项目建设进展情况通报（2020年1-8月）"


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    """The dashboard over the demo data, its worst-lit project renamed to a formula."""
    path = tmp_path_factory.mktemp("report_browser") / "demo.duckdb"
    shutil.copy(demo_db, path)
    with db.connect(path) as con:
        worst = int(metrics.lights(con, Month(2020, 8))["id"].iloc[0])
        # August is published: the bulletin prints its frozen copy, so the name goes there too
        frozen = [v.schema_name for v in cycle.months.versions(con, Month(2020, 8))]
        for schema in ["main", *frozen]:
            con.execute(f"UPDATE {schema}.projects SET name = ? WHERE id = ?", [FORMULA, worst])
    with streamlit_server(path) as url:
        yield url


@pytest.fixture
def page(tabs):
    return tabs.screen()  # a visitor's tab at 1920×1080, kept open between tests


def _download(page, key: str, timeout: float = 60000):
    with page.expect_download(timeout=timeout) as info:
        page.locator(f".st-key-{key} button").click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_report_page_hands_out_pdf_excel_and_chart_images(server, page):
    page.goto(f"{server}/report?month=2020-08")
    settled(page, timeout=60000)
    body = page.inner_text("body")
    assert TITLE in body and "超时序进度13.3个百分点" in body
    screenshot(page, "page_report_1920x1080", top=True)
    name, pdf = _download(page, "report_pdf")
    assert (name, pdf[:5]) == (f"{TITLE}.pdf", b"%PDF-")
    name, xlsx = _download(page, "report_xlsx")
    assert name == f"{TITLE}.xlsx" and zipfile.is_zipfile(io.BytesIO(xlsx))
    name, charts = _download(page, "report_zip")
    with zipfile.ZipFile(io.BytesIO(charts)) as archive:
        assert archive.namelist() == [f"{n}.png" for n in plots.NAMES]


def test_a_tables_csv_has_a_bom_and_no_formula(server, page):
    page.goto(f"{server}/lag?month=2020-08")
    settled(page, timeout=60000)
    name, data = _download(page, "csv_lag_projects")
    assert name == "滞后项目_2020-08.csv"
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert '\'=HYPERLINK(""x"")' in text  # quoted by the CSV rules, then neutralised
    assert '\r\n"=HYPERLINK' not in text and "\r\n=HYPERLINK" not in text


def test_dataframes_offer_no_download_of_their_own(server, page):
    page.goto(f"{server}/evaluation?month=2020-08")
    settled(page, timeout=60000)
    table = page.locator('[data-testid="stDataFrame"]').first
    table.hover()
    toolbar = page.locator('[data-testid="stElementToolbar"]').first
    toolbar.wait_for(state="attached", timeout=10000)
    assert page.get_by_role("button", name="Download as CSV").count() == 0
    assert page.locator(".st-key-csv_red_flags button").count() == 1
