"""No upload can take the server down: workbooks are measured from their zip before they are
read, read in a child process with a memory and a time limit, and every refusal writes nothing.
Files the issue found refused for the wrong reason (UTF-16 text, HTML tables named .xls) read."""

from __future__ import annotations

import io
import pickle
import re
import time
import zipfile

import openpyxl
import pytest
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook

from tests import bound_files as bomb
from tests import upload_files as files
from tests.conftest import build
from tests.upload_files import AUGUST, JULY, STARTS, dump, load
from xzcore import ingest
from xzcore.ingest import limits, sandbox, webtable
from xzcore.ingest.read import read

DIED = "文件过大或已损坏，无法读取（读取进程超出内存/时间上限）"


def _kb(field: str) -> int:
    status = open("/proc/self/status").read()  # noqa: SIM115 (read at once)
    return int(re.search(rf"{field}:\s+(\d+) kB", status)[1])


def refused(con, data: bytes, name: str) -> str:
    """prepare() refuses the file, and nothing in the database changed."""
    before = dump(con)
    with pytest.raises(ingest.UnreadableFile) as exc:
        ingest.prepare(con, data, name)
    assert dump(con) == before
    return str(exc.value)


@pytest.mark.parametrize(
    ("dimension", "message"),
    [
        (True, "工作表“Sheet1”：表格有 5,000,000 行 × 60 列，共 300,000,000 个单元格，超过上限 "
               "5,000,000 个单元格，请删去多余的行列或拆分成几个文件上传"),
        (False, "工作表“Sheet1”解压后有 4,344 MB，超过上限 256 MB，"
                "请删去多余的行列或拆分成几个文件上传"),
    ],
    ids=["dimension", "no-dimension"],
)  # fmt: skip
def test_the_issues_13_mb_workbook_is_refused_fast_without_the_memory(con, dimension, message):
    """5,000,000 rows × 60 cells of 1: 2.8 GB and a dead server before; now its zip says no."""
    build(con, JULY)
    data = bomb.ones(5_000_000, 60, dimension=dimension)
    assert 12 * 2**20 < len(data) < 20 * 2**20  # under the upload limit, as in the issue
    rss = _kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the peak RSS (VmHWM) starts again from now
    started = time.perf_counter()
    assert refused(con, data, "月报.xlsx") == message
    assert time.perf_counter() - started < 10
    assert _kb("VmHWM") - rss < 100 * 1024  # KB: the test process grew by under 100 MB


def test_199000_rows_of_500_columns_pass_each_limit_but_not_their_product(con, monkeypatch):
    build(con, JULY)
    data = bomb.ones(199_000, 500)
    assert refused(con, data, "宽表.xlsx") == (
        "工作表“Sheet1”：表格有 199,000 行 × 500 列，共 99,500,000 个单元格，超过上限 5,000,000 个"
        "单元格，请删去多余的行列或拆分成几个文件上传"
    )
    monkeypatch.setenv("XZ_MAX_UPLOAD_CELLS", "100000000")  # then its 1.4 GB of XML is too much
    assert refused(con, data, "宽表.xlsx") == (
        "工作表“Sheet1”解压后有 1,425 MB，超过上限 256 MB，请删去多余的行列或拆分成几个文件上传"
    )


def test_a_zip_bomb_is_refused_from_the_zip_directory_alone(con, tmp_path, monkeypatch):
    build(con, JULY)
    data = bomb.shared_string_bomb(5)  # a 2-cell sheet, sharedStrings.xml of 5 GB

    opening = zipfile.ZipFile.open

    def unpacked(book, member, *args, **kwargs):  # the small parts may be read, never the bomb
        info = member if isinstance(member, zipfile.ZipInfo) else book.getinfo(member)
        assert info.file_size < 2**20, f"{info.filename} ({info.file_size:,} bytes) was unpacked"
        return opening(book, member, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(zipfile.ZipFile, "open", unpacked)
        assert refused(con, data, "月报.xlsx") == (
            "文件解压后共 5,120 MB，超过上限 256 MB，"
            "不是正常的报表（请在 Excel 中删去多余的内容后另存为 xlsx）"
        )
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as book:
        for i in range(10_001):
            book.writestr(f"xl/media/{i}.xml", b"")
    assert refused(con, many.getvalue(), "月报.xlsx") == (
        "文件是含 10,001 个条目的压缩包，超过上限 10,000 个，不是正常的 Excel 工作簿"
    )


def test_a_reader_over_its_memory_limit_ends_alone_and_the_server_goes_on(con, tmp_path,
                                                                        monkeypatch):  # fmt: skip
    """1,000,000 cells pass every size check; 64 MB is enough for a report, not for them."""
    build(con, JULY)
    data = bomb.ones(40_000, 25)
    monkeypatch.setenv("XZ_READ_MEMORY_MB", "64")
    assert refused(con, data, "月报.xlsx") == DIED
    report = files.progress_xlsx(tmp_path / "8月.xlsx").read_bytes()
    load(con, report, "进展.xlsx")  # the same limit, the same process: a report reads
    assert con.execute("SELECT count(*) FROM progress WHERE month = 8").fetchone() == (4,)
    monkeypatch.delenv("XZ_READ_MEMORY_MB")  # and under the default the big file reads whole
    (sheet,) = read(data, "月报.xlsx")
    assert (len(sheet.rows), {len(r) for r in sheet.rows}, sheet.rows[-1][-1]) == (40_000, {25}, 1)


def test_a_sheet_hiding_its_size_makes_calamine_abort_in_the_child_only(con, tmp_path):
    """It declares A1:B2 and has a cell at SS300000: calamine asks for 4.9 GB and aborts."""
    build(con, JULY)
    assert refused(con, bomb.far_cell(), "月报.xlsx") == DIED
    load(con, files.progress_xlsx(tmp_path / "8月.xlsx").read_bytes(), "进展.xlsx")


def test_a_reader_over_its_time_limit_is_killed(con, monkeypatch, caplog):
    build(con, JULY)
    monkeypatch.setenv("XZ_READ_SECONDS", "0.05")
    assert refused(con, bomb.ones(40_000, 25), "月报.xlsx") == DIED
    # the parent killed it on the clock (the log says why), not the child's memory or its end
    assert "workbook reader ended: exit -9, over 0.05 s" in caplog.text


@pytest.mark.parametrize(
    "make", [files.progress_xlsx, files.register_xls, files.register_second_sheet_xlsx]
)
def test_cells_from_the_child_are_what_calamine_gives_in_process(tmp_path, make):
    data = make(tmp_path / "表").read_bytes()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    expected = []
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        merged = tuple((r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ())
        expected.append((name, sheet.to_python(skip_empty_area=False), merged))

    def typed(sheets):
        return [(n, [[(type(v), v) for v in r] for r in rows], m) for n, rows, m in sheets]

    got = [(s.name, s.rows, s.merged) for s in read(data, "表.xlsx")]
    assert typed(got) == typed(expected)
    assert any(
        type(v).__name__ in ("date", "datetime") for _, rows, _ in got for r in rows for v in r
    )


def test_the_answer_of_the_child_can_build_nothing_but_cells():
    cells = pickle.dumps([[1.0, "x", None, True]])
    assert sandbox._Cells(io.BytesIO(cells)).load() == [[1.0, "x", None, True]]
    with pytest.raises(pickle.UnpicklingError, match=r"os\.system is not a cell value"):
        sandbox._Cells(io.BytesIO(b"cos\nsystem\n(S'true'\ntR.")).load()


def test_too_many_merged_ranges_are_refused(con, tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_MERGED", 1)
    monkeypatch.setattr(limits, "MAX_MERGED", 1)
    data = files.progress_xlsx(tmp_path / "8月.xlsx").read_bytes()
    assert refused(con, data, "进展.xlsx") == (
        "工作表“8月进展”：有 2 处合并单元格，超过上限 1 处，请取消表格中多余的合并单元格"
    )


def test_a_csv_is_held_to_the_same_cell_limit(con, monkeypatch):
    monkeypatch.setenv("XZ_MAX_UPLOAD_CELLS", "100")
    data = files.csv("项目名称,累计完成投资,形象进度,存在问题\n" + "甲,1,施工,\n" * 30)
    assert refused(con, data, "月报.csv") == (
        "表格有 26 行 × 4 列，共 104 个单元格，超过上限 100 个单元格，"
        "请删去多余的行列或拆分成几个文件上传"
    )


@pytest.mark.parametrize(
    ("byteorder", "delimiter"), [("le", "\t"), ("be", "\t"), ("le", ","), ("be", ",")]
)
def test_unicode_text_from_excel_lands_as_the_same_august(con, byteorder, delimiter):
    build(con, JULY)
    data = bomb.unicode_text(byteorder, delimiter)
    assert b"\x00" in data[:100]  # the NUL bytes that made it 二进制数据 before
    preview = ingest.prepare(con, data, "月报.txt")
    assert (preview.parsed.kind, preview.parsed.year, preview.parsed.month) == ("progress", 2020, 8)
    load(con, data, "月报.txt")
    assert (
        con.execute(
            "SELECT p.name, g.amount, g.ytd, g.stage, g.image_progress, g.problems FROM progress g"
            " JOIN projects p ON p.id = g.project_id WHERE g.month = 8 ORDER BY p.id"
        ).fetchall()
        == AUGUST
    )
    assert con.execute("SELECT name, actual_start FROM projects ORDER BY id").fetchall() == STARTS


@pytest.mark.parametrize(
    ("encoding", "meta", "name"),
    [("gbk", True, "进展.xls"), ("utf-8", True, "进展.xlsx"), ("gbk", False, "进展.html")],
)
def test_an_html_table_saved_as_xls_lands_with_its_two_row_header(con, encoding, meta, name):
    build(con, JULY)
    data = bomb.html_report(encoding, meta)
    preview = ingest.prepare(con, data, name)
    part = preview.parsed.parts[0]
    assert (part.header_row, part.header_rows) == (4, 2)
    fields = {c.header: c.field for c in part.columns}
    assert fields["1-8月累计完成投资/金额（万元）"] == "ytd"
    assert fields["1-8月累计完成投资/占年度计划(%)"] == "rate_plan"
    assert fields["本月完成\n投资"] == "amount"
    header = "表头“1-8月累计完成投资/金额（万元）”"  # the period read from the joined header
    assert preview.parsed.period_sources == {"标题": "2020-8", header: "8"}
    load(con, data, name)
    assert (
        con.execute(
            "SELECT p.name, g.amount, g.ytd, g.stage, g.image_progress, g.problems FROM progress g"
            " JOIN projects p ON p.id = g.project_id WHERE g.month = 8 ORDER BY p.id"
        ).fetchall()
        == AUGUST
    )
    assert con.execute("SELECT name, actual_start FROM projects ORDER BY id").fetchall() == STARTS


SAVE_AS = "请在 Excel 中打开后另存为 xlsx 再上传"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("<html><head><meta charset='gbk'></head><body><p>没有数据</p></body></html>".encode("gbk"),
         webtable.NO_TABLE),
        (b'<?xml version="1.0"?>\r\n<?mso-application progid="Excel.Sheet"?>\r\n<Workbook xmlns='
         b'"urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Sheet1"></Worksheet>'
         b"</Workbook>",
         f"这是“XML 电子表格 2003”格式的文件，无法直接读取：{SAVE_AS}"),
        (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----="\r\n\r\n<html>',
         f"这是“单个文件网页”（mht）格式的文件，无法直接读取：{SAVE_AS}"),
        (b"\xff\xfe" + "项目名称\t金额\r\n".encode("utf-16-le") + b"\x00",
         "文件以 UTF-16 编码标记开头，但第 20 个字节起无法按 UTF-16 解码：文件已损坏，"
         "请在 Excel 中另存为 CSV 或 xlsx"),
    ],
    ids=["html-without-table", "xml-spreadsheet-2003", "mht", "utf16-odd-length"],
)  # fmt: skip
def test_a_file_excel_opens_but_we_cannot_read_says_why_and_what_to_do(con, data, message):
    build(con, JULY)
    assert refused(con, data, "月报.xls") == message


def test_formatting_dragged_far_below_the_table_is_not_counted(con, tmp_path):
    """The sheet's dimension says 300,000 rows because of one bordered cell: calamine keeps only
    cells with a value, so the sheet is read, and the cells that hold one are what is counted."""
    build(con, JULY)
    path = files.progress_xlsx(tmp_path / "8月.xlsx")
    book = openpyxl.load_workbook(path)
    book.active["B300000"].font = Font(bold=True)
    book.save(path)
    with zipfile.ZipFile(path) as zipped:
        assert b'<dimension ref="A1:H300000"' in zipped.read("xl/worksheets/sheet1.xml")
    load(con, path.read_bytes(), "进展.xlsx")
    assert con.execute("SELECT count(*) FROM progress WHERE month = 8").fetchone() == (4,)
    book.active["B300000"] = "备注"  # a value down there is counted
    book.save(path)
    assert refused(con, path.read_bytes(), "进展.xlsx").startswith(
        "工作表“8月进展”：表格超过 200,000 行（含空行）"
    )
