"""Upload limits: too big a file, too many data rows, lines or columns — a clear message, nothing
read into the database, whatever the format."""

from __future__ import annotations

import time

import openpyxl
import pytest

from tests.conftest import build
from tests.test_cli import cli
from tests.upload_files import csv, dump
from xzcore import ingest
from xzcore.errors import BadArgument
from xzcore.ingest import FileTooLarge
from xzcore.store import db

HEADER = "2020年8月\n项目名称,累计完成投资\n"


def dump_file(path) -> dict:
    """Every table but the audit log (which notes the refused upload) of a database file."""
    con = db.connect(path, read_only=True)
    try:
        return {k: v for k, v in dump(con).items() if k != "audit_log"}
    finally:
        con.close()


def report(rows: int) -> bytes:
    return csv(HEADER + "".join(f"项目{i},{i}\n" for i in range(rows)))


def big_report() -> bytes:
    """1.5 MB in 20,000 rows: over a 1 MB limit, well within the row limit."""
    return csv(HEADER + "".join(f"项目{i:06d}{'甲' * 20},{i}\n" for i in range(20_000)))


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(con, monkeypatch):
    monkeypatch.setenv("XZ_MAX_UPLOAD_MB", "1")
    data = big_report()
    with pytest.raises(FileTooLarge) as refused:
        ingest.prepare(con, data, "月报.csv")
    assert str(refused.value) == "文件大小 1.5 MB，超过上限 1 MB，请拆分成几个文件上传"
    monkeypatch.delenv("XZ_MAX_UPLOAD_MB")
    assert len(ingest.prepare(con, data, "月报.csv").parsed.records) == 20_000  # 20 MB default
    with pytest.raises(FileTooLarge, match="超过上限 20 MB"):
        ingest.prepare(con, b"x" * (20 * 2**20 + 1), "大文件.csv")


def test_the_command_line_refuses_an_oversized_file_with_exit_2_and_writes_nothing(
    tmp_path, monkeypatch
):
    path = tmp_path / "t.duckdb"
    assert cli("init", db=path).returncode == 0
    upload = tmp_path / "月报.csv"
    upload.write_bytes(big_report())
    before = dump_file(path)
    monkeypatch.setenv("XZ_MAX_UPLOAD_MB", "0.5")
    result = cli("import", str(upload), db=path)
    assert result.returncode == 2
    assert "文件大小 1.5 MB，超过上限 0.5 MB" in result.stdout
    assert dump_file(path) == before
    monkeypatch.setenv("XZ_MAX_UPLOAD_MB", "many")
    result = cli("import", str(upload), db=path)
    assert result.returncode == 1
    assert result.stderr.strip() == "错误：环境变量 XZ_MAX_UPLOAD_MB 应为正数，现为“many”"


def test_50000_data_rows_are_the_default_limit(con):
    data = report(50_001)
    started = time.perf_counter()
    with pytest.raises(FileTooLarge) as refused:
        ingest.prepare(con, data, "月报.csv")
    assert str(refused.value) == "数据超过 50,000 行的上限，请拆分成几个文件上传"
    assert time.perf_counter() - started < 30  # refused as it reads, not after matching


def test_the_row_limit_counts_data_rows_not_titles_totals_or_blank_lines(con, monkeypatch):
    build(con, [dict(name=f"项目{i}", plan=100) for i in range(4)])
    monkeypatch.setenv("XZ_MAX_UPLOAD_ROWS", "3")
    before = dump(con)
    with_extras = csv(HEADER + "项目0,1\n\n项目1,1\n,\n项目2,1\n合计,3\n注：单位万元\n")
    assert len(ingest.prepare(con, with_extras, "月报.csv").parsed.records) == 3
    with pytest.raises(FileTooLarge, match="数据超过 3 行的上限"):
        ingest.prepare(con, report(4), "月报.csv")
    # Lines are counted too, blank ones included, so that no file is held whole in memory.
    with pytest.raises(FileTooLarge, match=r"表格超过 12 行（含空行）"):
        ingest.prepare(con, report(2) + b"\r\n" * 20, "月报.csv")
    with pytest.raises(FileTooLarge, match="表格有 501 列，超过上限 500 列"):
        ingest.prepare(con, csv(HEADER.replace("\n项目名称", "\n" + "x," * 499 + "项目名称")),
                       "宽.csv")  # fmt: skip
    assert dump(con) == before


def test_a_workbook_is_measured_before_its_cells_are_read(con, tmp_path, monkeypatch):
    monkeypatch.setenv("XZ_MAX_UPLOAD_ROWS", "10")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目名称", "累计完成投资"])
    sheet.append(["项目0", 1])
    sheet["A41"] = "说明"  # a stray cell far below the table: 41 rows > 4 × 10
    book.save(tmp_path / "长.xlsx")
    with pytest.raises(FileTooLarge, match="表格超过 40 行（含空行）"):
        ingest.prepare(con, (tmp_path / "长.xlsx").read_bytes(), "长.xlsx")
    sheet["A41"] = None
    sheet.cell(row=1, column=600, value="备注")
    book.save(tmp_path / "宽.xlsx")
    with pytest.raises(FileTooLarge, match="表格有 600 列，超过上限 500 列"):
        ingest.prepare(con, (tmp_path / "宽.xlsx").read_bytes(), "宽.xlsx")


def test_a_cell_too_long_for_csv_is_a_message_not_a_crash(con):
    with pytest.raises(ingest.UnreadableFile, match="CSV 文件第3行无法读取：单元格过长"):
        ingest.prepare(con, csv(HEADER + "项目0," + "9" * 200_000 + "\n"), "月报.csv")


@pytest.mark.parametrize("value", ["0", "-5", "lots"])
def test_a_limit_set_to_nonsense_is_an_error_not_no_limit(con, monkeypatch, value):
    monkeypatch.setenv("XZ_MAX_UPLOAD_ROWS", value)
    with pytest.raises(BadArgument, match=f"环境变量 XZ_MAX_UPLOAD_ROWS 应为正数，现为“{value}”"):
        ingest.prepare(con, report(1), "月报.csv")
