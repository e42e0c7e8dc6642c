"""Bytes of an uploaded file → sheets of cell texts. Knows formats and encodings, nothing else."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from xzcore.ingest import measure, sandbox, webtable
from xzcore.ingest.limits import (  # noqa: F401  (the names every caller imports from here)
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_MB,
    FileTooLarge,
    UnreadableFile,
    check_size,
    max_cells,
    max_lines,
    max_rows,
    max_upload_mb,
    too_many_columns,
    too_many_lines,
    too_many_rows,
)

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Byte order marks, longest first: UTF-32's LE mark begins with UTF-16's.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),  # Excel's “Unicode 文本”: UTF-16 LE, tab-separated
    (b"\xfe\xff", "utf-16"),
)
BINARY = "不是表格文件：内容是二进制数据（请上传 CSV、xlsx 或 xls）"


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


def _text(data: bytes) -> str:
    """The file as text: a byte order mark decides, then an HTML page's <meta charset>, then
    decode(). NUL bytes without a mark are binary: UTF-16 without one cannot be told apart."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"文件以 {encoding.upper()} 编码标记开头，但第 {exc.start:,} 个字节起无法按"
                    f" {encoding.upper()} 解码：文件已损坏，请在 Excel 中另存为 CSV 或 xlsx"
                ) from exc
    if b"\x00" in data[:4096]:
        raise UnreadableFile(BINARY)
    declared = webtable.declared_charset(data)
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass  # a page mislabelled as GBK or UTF-8: the usual two are tried below
    return decode(data)


def _csv_rows(text: str) -> list[list[object]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    lines, cells = max_lines(), max_cells()
    rows: list[list[object]] = []
    width = 0
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for row in reader:
            if len(rows) == lines:
                raise too_many_lines()
            if len(row) > MAX_COLUMNS:
                raise too_many_columns(len(row))
            width = max(width, len(row))
            if (len(rows) + 1) * width > cells:
                check_size(len(rows) + 1, width)
            rows.append(row)
    except csv.Error as exc:  # a cell over 128 KB: no office typed that
        raise UnreadableFile(f"CSV 文件第{reader.line_num}行无法读取：单元格过长") from exc
    return rows


_SPREADSHEET_XML = "urn:schemas-microsoft-com:office:spreadsheet"


def _not_a_table(text: str) -> str | None:
    """Why a text file that Excel opens is still not one read here, and what to do."""
    head = text[:4096].lstrip()
    if head.startswith("<?xml") and _SPREADSHEET_XML in text[:8192]:
        return (
            "这是“XML 电子表格 2003”格式的文件，无法直接读取：请在 Excel 中打开后另存为 xlsx 再上传"
        )
    if head[:13].lower() == "mime-version:":
        return (
            "这是“单个文件网页”（mht）格式的文件，无法直接读取："
            "请在 Excel 中打开后另存为 xlsx 再上传"
        )
    return None


def read(data: bytes, filename: str) -> list[Sheet]:
    """Every sheet of the file; a CSV or an HTML page is one sheet named after the file."""
    limit = max_upload_mb()
    if len(data) > limit * 2**20:
        raise FileTooLarge(
            f"文件大小 {len(data) / 2**20:.1f} MB，超过上限 {limit:g} MB，请拆分成几个文件上传"
        )
    if not data.strip():
        raise UnreadableFile("文件是空的")
    if data.startswith(XLSX_MAGIC):
        # Measured from the zip directory before the reader unpacks it: a zip bomb or a sheet
        # of millions of cells is refused without ever being read.
        return [Sheet(*s) for s in sandbox.read_workbook(data, check=measure.check_zip)]
    if data.startswith(XLS_MAGIC):
        return [Sheet(*s) for s in sandbox.read_workbook(data)]
    text = _text(data)
    if webtable.is_html(text):
        return [Sheet(filename, *webtable.read_table(text))]
    why = _not_a_table(text)
    if why:
        raise UnreadableFile(why)
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
