"""Bytes of an uploaded file → sheets of cell texts. Knows formats and encodings, nothing else."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from xzcore.errors import XZError

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UnreadableFile(XZError):
    """Not a table at all (exit code 2 on the command line)."""


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[object]]  # str for CSV; str/float/int/date/datetime/bool for workbooks


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
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]


def _workbook_sheets(data: bytes) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets.append(Sheet(name, [list(r) for r in rows]))
        return sheets
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise UnreadableFile(f"Excel 文件已损坏或无法读取（{type(exc).__name__}）") from exc


def read(data: bytes, filename: str) -> list[Sheet]:
    """Every sheet of the file; a CSV is one sheet named after the file."""
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
