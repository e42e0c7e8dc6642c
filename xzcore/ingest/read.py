"""Bytes of an uploaded file → sheets of cell texts. Knows formats and encodings, nothing else."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass

from xzcore.errors import BadArgument, XZError

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UPLOAD_MB = 20  # default size limit; XZ_MAX_UPLOAD_MB overrides it
MAX_ROWS = 50_000  # default limit of data rows; XZ_MAX_UPLOAD_ROWS overrides it
# Rows read before giving up, blank and title rows included: a sheet formatted far below its
# table is common, but a file of millions of empty lines must not be held in memory.
_SLACK = 4
MAX_COLUMNS = 500  # a sheet of 16,384 columns would make every row a huge list


class UnreadableFile(XZError):
    """Not a table at all (exit code 2 on the command line)."""


class FileTooLarge(UnreadableFile):
    """Over the size or row limit: refused before anything is parsed or written."""


def _limit(name: str, default: float) -> float:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise BadArgument(f"环境变量 {name} 应为正数，现为“{text}”")
    return value


def max_upload_mb() -> float:
    """The size limit of one upload in MB (1 MB = 1,048,576 bytes)."""
    return _limit("XZ_MAX_UPLOAD_MB", MAX_UPLOAD_MB)


def max_rows() -> int:
    """The most data rows one upload may have."""
    return int(_limit("XZ_MAX_UPLOAD_ROWS", MAX_ROWS))


def too_many_rows() -> FileTooLarge:
    return FileTooLarge(f"数据超过 {max_rows():,} 行的上限，请拆分成几个文件上传")


def _too_many_lines() -> FileTooLarge:
    return FileTooLarge(
        f"表格超过 {max_rows() * _SLACK:,} 行（含空行），超过上限（最多 {max_rows():,} 行数据），"
        "请删去多余的空行或拆分成几个文件上传"
    )


def _too_many_columns(columns: int) -> FileTooLarge:
    return FileTooLarge(f"表格有 {columns:,} 列，超过上限 {MAX_COLUMNS} 列，请删去多余的列")


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[object]]  # str for CSV; str/float/int/date/datetime/bool for workbooks
    # Merged cells of a workbook as (first row, first column, last row, last column), 0-based:
    # a header over two rows says which columns a parent spans only this way.
    merged: tuple[tuple[int, int, int, int], ...] = ()


def decode(data: bytes) -> str:
    """Strict UTF-8 (BOM or not), then strict GB18030: detectors misread short GBK files."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        "无法识别文件编码：既不是 UTF-8 也不是 GBK/GB18030，请在 Excel 中另存为 CSV 或 xlsx"
    )


def _csv_rows(text: str) -> list[list[object]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    cap = max_rows() * _SLACK
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for row in reader:
            if len(rows) == cap:
                raise _too_many_lines()
            if len(row) > MAX_COLUMNS:
                raise _too_many_columns(len(row))
            rows.append(row)
    except csv.Error as exc:  # a cell over 128 KB: no office typed that
        raise UnreadableFile(f"CSV 文件第{reader.line_num}行无法读取：单元格过长") from exc
    return rows


def _workbook_sheets(data: bytes) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            # A few bytes of XML can claim a million rows: look at the size before reading.
            if sheet.height > max_rows() * _SLACK:
                raise _too_many_lines()
            if sheet.width > MAX_COLUMNS:
                raise _too_many_columns(sheet.width)
            rows = sheet.to_python(skip_empty_area=False)
            merged = tuple(
                (r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()
            )
            sheets.append(Sheet(name, [list(r) for r in rows], merged))
        return sheets
    except FileTooLarge:
        raise
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise UnreadableFile(f"Excel 文件已损坏或无法读取（{type(exc).__name__}）") from exc


def read(data: bytes, filename: str) -> list[Sheet]:
    """Every sheet of the file; a CSV is one sheet named after the file."""
    limit = max_upload_mb()
    if len(data) > limit * 2**20:
        raise FileTooLarge(
            f"文件大小 {len(data) / 2**20:.1f} MB，超过上限 {limit:g} MB，请拆分成几个文件上传"
        )
    if not data.strip():
        raise UnreadableFile("文件是空的")
    if data.startswith(XLSX_MAGIC) or data.startswith(XLS_MAGIC):
        return _workbook_sheets(data)
    if b"\x00" in data[:4096]:
        raise UnreadableFile("不是表格文件：内容是二进制数据（请上传 CSV、xlsx 或 xls）")
    text = decode(data)
    return [Sheet(filename, _csv_rows(text))]


def cell_text(value: object) -> str:
    """A cell as the text the office typed, so that one parser serves CSV and Excel alike."""
    if type(value) is str:  # every CSV cell and most workbook text: no conversion to make
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel stores 1234.5 as a float; repr gives the shortest text that round-trips.
        return repr(value)[:-2] if value.is_integer() else repr(value)
    return str(value)
