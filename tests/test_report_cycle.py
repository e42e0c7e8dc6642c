"""The bulletin and the month's state: a month being collected is marked 未发布 with how much is
in (title, stamp, every chart, every sheet, the PDF); a corrected version says 更正 and what
changed, version 1 stays as it was; the report command defaults to the newest published month."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import openpyxl
import pytest

from tests.cycle_files import BANNER, CORRECTION, SEP, UNIT, correct, publish, staff_september
from tests.test_report_cli import report
from xzcore import cycle
from xzcore.report import bulletin, pdf, plots, workbook
from xzcore.store import db

TITLE = "秀洲区重点项目建设进展情况通报（2020年1-9月）"


@pytest.fixture(scope="module")
def collecting(demo_db, tmp_path_factory):
    """The demo with one unit's September in: September is being collected."""
    path = tmp_path_factory.mktemp("collecting") / "demo.duckdb"
    shutil.copy(demo_db, path)
    staff_september(path)
    return path


@pytest.fixture(scope="module")
def corrected(collecting, tmp_path_factory):
    """September published, then corrected by the office: one project's cumulative +5,000万元."""
    path = tmp_path_factory.mktemp("corrected") / "demo.duckdb"
    shutil.copy(collecting, path)
    publish(path)
    name, ytd = correct(path)
    return {"path": path, "name": name, "ytd": ytd}


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "b.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    return re.sub(r"\s+", "", out)


def test_a_collecting_months_bulletin_is_marked_unpublished_in_every_format(collecting, tmp_path):
    with db.connect(collecting, read_only=True) as con:
        b = bulletin.gather(con, SEP)
    assert b.title == TITLE and b.banner == BANNER and b.edition is None
    assert b.heading == TITLE + "（未发布：已报送 5/113 个项目，1/19 个单位）"
    assert BANNER in b.stamp and "已发布" not in b.stamp
    for name, fig in plots.figures(b).items():
        assert BANNER in fig.layout.title.text, name  # on the image itself
    book = openpyxl.load_workbook(io.BytesIO(workbook.xlsx_bytes(b)))
    assert book.properties.title == b.heading
    for ws in book.worksheets:
        assert ws.cell(row=1, column=1).value.endswith(b.mark), ws.title
    text = pdf_text(pdf.pdf_bytes(b, {}), tmp_path)
    assert b.heading.replace(" ", "") in text and "数据收集中，不是发布数" in text


def test_a_published_months_bulletin_says_which_version(corrected):
    with db.connect(corrected["path"], read_only=True) as con:
        first = bulletin.gather(cycle.months.reader(con, SEP, 1), SEP)
    assert first.heading == TITLE and first.banner is None and first.correction is None
    assert "已发布：2020-10-12 10:00（第1版）" in first.stamp and first.edition == 1
    assert all(BANNER not in f.layout.title.text for f in plots.figures(first).values())


def test_a_corrected_bulletin_says_更正_what_changed_and_why(corrected, tmp_path):
    with db.connect(corrected["path"], read_only=True) as con:
        second = bulletin.gather(con, SEP)  # the latest version, read as published
        first = bulletin.gather(cycle.months.reader(con, SEP, 1), SEP)
    name, ytd = corrected["name"], corrected["ytd"]
    assert second.edition == 2 and second.heading == TITLE + "（更正版，第2版）"
    assert second.correction.startswith("更正说明：本通报为第2版（更正版），")
    assert f"更正理由：{CORRECTION}。与第1版相比，1个项目的数据有变化：" in second.correction
    assert f"{name}（{UNIT}）累计完成投资{ytd:,.2f}万元→{ytd + 5000:,.2f}万元" in second.correction
    assert second.paragraphs != first.paragraphs  # the figures moved: 5,000万元 more
    book = openpyxl.load_workbook(io.BytesIO(workbook.xlsx_bytes(second)))
    first_sheet = [c.value for row in book.worksheets[0].iter_rows() for c in row if c.value]
    assert second.correction in first_sheet and book.properties.title == second.heading
    text = pdf_text(pdf.pdf_bytes(second, {}), tmp_path)
    assert "（更正版，第2版）" in text and "更正说明" in text


def test_the_report_command_defaults_to_the_newest_published_month(collecting, tmp_path):
    out = tmp_path / "b.xlsx"
    result = report(collecting, "--format", "xlsx", "-o", str(out))
    assert result.returncode == 0, result.stderr
    title = openpyxl.load_workbook(out).properties.title
    assert title == "秀洲区重点项目建设进展情况通报（2020年1-8月）"
    result = report(collecting, "--month", "2020-09", "--format", "xlsx", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"2020-09 {BANNER}"
    assert openpyxl.load_workbook(out).properties.title.endswith(
        "（未发布：已报送 5/113 个项目，1/19 个单位）"
    )
