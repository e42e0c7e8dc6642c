"""The 2020-08 bulletin of the demo data as PDF, Excel workbook and chart images.

Three projects carry names an attacker or a careless typist might give them: the PDF must print
them as typed, the workbook must store them as text, never as a formula.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from tests.browser import ARTIFACTS
from xzcore import cycle
from xzcore.display.charts import LIGHT_COLORS
from xzcore.figures import evaluation, metrics
from xzcore.period import Month
from xzcore.report import bulletin, images, pdf, plots, workbook
from xzcore.store import db

AUG = Month(2020, 8)
NASTY = ['=HYPERLINK("x")', "<script>alert(1)</script>", "**粗体**"]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def nasty_db(demo_db, tmp_path_factory):
    """The demo data with the three worst-lit projects renamed (they are in the light lists)."""
    path = tmp_path_factory.mktemp("nasty") / "demo.duckdb"
    shutil.copy(demo_db, path)
    with db.connect(path) as con:
        worst = metrics.lights(con, AUG)["id"].head(len(NASTY)).tolist()
        # August is published: the bulletin prints its frozen copy, so the names go there too
        schemas = ["main", *(v.schema_name for v in cycle.months.versions(con, AUG))]
        for pid, name in zip(worst, NASTY, strict=True):
            for schema in schemas:
                con.execute(f"UPDATE {schema}.projects SET name = ? WHERE id = ?", [name, pid])
    return path


@pytest.fixture(scope="module")
def expected(nasty_db):
    with db.connect(nasty_db, read_only=True) as con:
        return {
            "summary": metrics.summary(con, AUG, by=["unit", "township"]),
            "evaluation": evaluation.evaluate(con, AUG),
            "lights": metrics.lights(con, AUG),
            "bulletin": bulletin.gather(con, AUG),
        }


@pytest.fixture(scope="module")
def pngs(expected):
    return images.render(plots.figures(expected["bulletin"]))


@pytest.fixture(scope="module")
def pdf_file(expected, pngs, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "bulletin.pdf"
    path.write_bytes(pdf.pdf_bytes(expected["bulletin"], pngs))
    return path


@pytest.fixture(scope="module")
def pdf_text(pdf_file) -> str:
    """The PDF's text, white space left out: lines wrap inside paragraphs and table cells."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_file), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def book(expected):
    return openpyxl.load_workbook(io.BytesIO(workbook.xlsx_bytes(expected["bulletin"])))


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_says_the_title_and_the_published_figures(pdf_text):
    assert "秀洲区重点项目建设进展情况通报（2020年1-8月）" in pdf_text
    assert "全区113个重点建设项目累计完成投资131.30亿元" in pdf_text
    assert "占年度计划的80.0%，超时序进度13.3个百分点" in pdf_text


def test_pdf_names_every_red_flag_and_warning_project(pdf_text, expected):
    result = expected["evaluation"]
    assert len(result["red_flags"]) == 12
    for name in [*result["red_flags"]["name"], *result["warnings"]["name"]]:
        assert re.sub(r"\s+", "", name) in pdf_text, name


def test_pdf_prints_names_from_the_database_as_typed(pdf_text, expected):
    for name in NASTY:
        assert name.replace(" ", "") in pdf_text
    html = pdf.document(expected["bulletin"], {})
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pdf_embeds_chinese_fonts_and_every_chart(pdf_file, pngs):
    fonts = subprocess.run(
        ["pdffonts", str(pdf_file)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all("Noto-Sans-CJK-SC" in line for line in fonts), fonts
    assert all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column: embedded
    images_listed = subprocess.run(
        ["pdfimages", "-list", str(pdf_file)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    pictures = [line for line in images_listed if line.split()[2] == "image"]  # not alpha masks
    assert len(pictures) == len(pngs) == len(plots.NAMES)


def test_pdf_pages_render_for_a_person_to_look_at(pdf_file):
    out = ARTIFACTS / "report"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf_file), str(out / "page")], check=True)
    pages = sorted(out.glob("page-*.png"))
    assert 4 <= len(pages) <= 12
    assert all(p.read_bytes().startswith(PNG) for p in pages)


def test_lights_in_pdf_tables_carry_a_symbol_a_word_and_a_colour(expected):
    html = pdf.table_html(expected["bulletin"].tables["黄红灯项目"], heading=False)
    assert '<td class="light red">■ 红灯</td>' in html
    assert '<td class="light yellow">▲ 黄灯</td>' in html


# --- Excel --------------------------------------------------------------------------------


def _rows(ws, count: int) -> list[dict]:
    """The first `count` rows under the header, by header."""
    header = [c.value for c in ws[workbook.HEADER_ROW]]
    first = workbook.HEADER_ROW + 1
    return [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in ws.iter_rows(min_row=first, max_row=first + count - 1)
    ]


def test_workbook_has_a_sheet_per_table_with_valid_names(book):
    assert book.sheetnames == ["总体", "按责任单位", "按镇街道", "红旗项目", "预警项目",
                               "黄红灯项目", "亮灯变化", "逾期未办结问题", "超期节点"]  # fmt: skip
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in book.sheetnames)


def test_unit_figures_are_those_of_metrics(book, expected):
    groups = expected["summary"]["groups"]["unit"]
    rows = _rows(book["按责任单位"], len(groups))
    assert (
        book["按责任单位"].cell(row=workbook.HEADER_ROW + 1 + len(groups), column=1).value is None
    )
    assert [r["责任单位"] for r in rows] == [g["key"] for g in groups]
    for row, g in zip(rows, groups, strict=True):
        # a workbook keeps 15-16 significant digits, as Excel does
        assert row["完成率"] == pytest.approx(g["completion_rate"], rel=1e-14)
        assert row["年度计划（万元）"] == g["plan_wan"]
        assert row["累计完成（万元）"] == g["completed_wan"]
        assert row["较时序进度（百分点）"] == pytest.approx(g["lag_pp"], rel=1e-14)
        assert row["项目数"] == g["projects"]


def test_overview_figures_are_those_of_metrics(book, expected):
    now, before = _rows(book["总体"], 2)
    assert (now["期间"], before["期间"]) == ("2020年1-8月", "2020年1-7月")
    total = expected["summary"]
    assert now["项目数"] == 113
    assert now["完成率"] == total["completion_rate"] == pytest.approx(0.8)
    assert now["累计完成（万元）"] == total["completed_wan"]
    assert (now["绿灯"], now["黄灯"], now["红灯"]) == (94, 7, 12)


def test_number_formats_and_frozen_header(book):
    ws = book["按镇街道"]
    assert ws.freeze_panes == f"A{workbook.HEADER_ROW + 1}"
    first = workbook.HEADER_ROW + 1
    header = [c.value for c in ws[workbook.HEADER_ROW]]
    formats = {h: ws.cell(row=first, column=j).number_format for j, h in enumerate(header, 1)}
    assert formats["年度计划（万元）"] == "#,##0.00"
    assert formats["完成率"] == formats["时序进度"] == "0.0%"
    assert isinstance(ws.cell(row=first, column=header.index("完成率") + 1).value, float)
    assert all(ws.column_dimensions[c].width for c in "ABCDEFGHIJKL")


def test_light_cells_are_filled_with_the_lights_colour(book, expected):
    ws = book["黄红灯项目"]
    header = [c.value for c in ws[workbook.HEADER_ROW]]
    column = header.index("亮灯") + 1
    lights = expected["lights"]
    lagging = lights[lights.light.isin(("red", "yellow"))]
    cells = [ws.cell(row=workbook.HEADER_ROW + 1 + i, column=column) for i in range(len(lagging))]
    words = {"red": "■ 红灯", "yellow": "▲ 黄灯"}
    for cell, light in zip(cells, lagging["light"], strict=True):
        assert cell.value == words[light]
        assert cell.fill.fgColor.rgb[-6:] == LIGHT_COLORS[light].lstrip("#").upper()


def test_names_are_stored_as_text_never_as_formulas(book):
    ws = book["黄红灯项目"]
    header = [c.value for c in ws[workbook.HEADER_ROW]]
    column = header.index("项目名称") + 1
    cells = [ws.cell(row=workbook.HEADER_ROW + 1 + i, column=column) for i in range(3)]
    assert [c.value for c in cells] == NASTY
    assert all(c.data_type == "s" for c in cells)


# --- chart images -------------------------------------------------------------------------


def test_every_chart_is_a_png_with_its_chinese_file_name(pngs):
    files = images.files(pngs)
    assert list(files) == [f"{n}.png" for n in plots.NAMES]
    assert "02_各责任单位投资完成率.png" in files and "06_亮灯地图.png" in files
    assert all(data.startswith(PNG) and len(data) > 20_000 for data in files.values())
    with zipfile.ZipFile(io.BytesIO(images.zip_bytes(files))) as archive:
        assert archive.namelist() == list(files)
        assert archive.read("06_亮灯地图.png") == files["06_亮灯地图.png"]
