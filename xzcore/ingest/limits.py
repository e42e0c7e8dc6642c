"""What one upload may hold, and the errors that refuse it: one place for every format's reader.

Every limit is checked before the cells it guards are held in memory, so that one file from one
account can never take the server's memory from everyone else.
"""

from __future__ import annotations

import os

from xzcore.errors import BadArgument, XZError

MAX_UPLOAD_MB = 20  # default size limit; XZ_MAX_UPLOAD_MB overrides it
MAX_ROWS = 50_000  # default limit of data rows; XZ_MAX_UPLOAD_ROWS overrides it
# Rows read before giving up, blank and title rows included: a sheet formatted far below its
# table is common, but a file of millions of empty lines must not be held in memory.
SLACK = 4
MAX_COLUMNS = 500  # a sheet of 16,384 columns would make every row a huge list
# Rows and columns are each within their limit in 199,000 × 500, which held 4 GB: the product is
# what costs memory. 50,000 rows of 100 columns is far more than any report of the district.
MAX_CELLS = 5_000_000  # XZ_MAX_UPLOAD_CELLS overrides it
# A workbook is a zip: 20 MB of it can unpack to many GB. 5,000,000 cells take ~200 MB of XML.
MAX_UNZIPPED_MB = 256  # XZ_MAX_UNZIPPED_MB overrides it
MAX_ZIP_ENTRIES = 10_000  # a workbook of 1,000 sheets has ~2,000; each costs memory to list
# Every merged range is a tuple handed to the header finder: a million of them is an attack.
MAX_MERGED = 100_000
# The child process that reads a workbook: address space and wall time.
READ_MEMORY_MB = 1024  # XZ_READ_MEMORY_MB
READ_SECONDS = 20  # XZ_READ_SECONDS


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


def max_lines() -> int:
    """The most rows a sheet may have, blank and title rows included."""
    return max_rows() * SLACK


def max_cells() -> int:
    """The most cells (rows × columns of the used range) of one sheet."""
    return int(_limit("XZ_MAX_UPLOAD_CELLS", MAX_CELLS))


def max_unzipped_mb() -> float:
    return _limit("XZ_MAX_UNZIPPED_MB", MAX_UNZIPPED_MB)


def read_memory_mb() -> float:
    return _limit("XZ_READ_MEMORY_MB", READ_MEMORY_MB)


def read_seconds() -> float:
    return _limit("XZ_READ_SECONDS", READ_SECONDS)


def _where(sheet: str | None) -> str:
    return f"工作表“{sheet}”：" if sheet is not None else ""


def too_many_rows() -> FileTooLarge:
    return FileTooLarge(f"数据超过 {max_rows():,} 行的上限，请拆分成几个文件上传")


def too_many_lines(sheet: str | None = None) -> FileTooLarge:
    return FileTooLarge(
        f"{_where(sheet)}表格超过 {max_lines():,} 行（含空行），"
        f"超过上限（最多 {max_rows():,} 行数据），"
        "请删去多余的空行或拆分成几个文件上传"
    )


def too_many_columns(columns: int, sheet: str | None = None) -> FileTooLarge:
    return FileTooLarge(
        f"{_where(sheet)}表格有 {columns:,} 列，超过上限 {MAX_COLUMNS} 列，请删去多余的列"
    )


def too_many_cells(rows: int, columns: int, sheet: str | None = None) -> FileTooLarge:
    return FileTooLarge(
        f"{_where(sheet)}表格有 {rows:,} 行 × {columns:,} 列，共 {rows * columns:,} 个单元格，"
        f"超过上限 {max_cells():,} 个单元格，请删去多余的行列或拆分成几个文件上传"
    )


def too_many_merged(count: int, sheet: str | None = None) -> FileTooLarge:
    return FileTooLarge(
        f"{_where(sheet)}有 {count:,} 处合并单元格，超过上限 {MAX_MERGED:,} 处，"
        "请取消表格中多余的合并单元格"
    )


def fits(rows: int, columns: int) -> bool:
    return rows * columns <= max_cells() and rows <= max_lines() and columns <= MAX_COLUMNS


def check_size(rows: int, columns: int, sheet: str | None = None) -> None:
    """A sheet's used range against the limits: cells first, the cost that matters."""
    if rows * columns > max_cells():
        raise too_many_cells(rows, columns, sheet)
    if rows > max_lines():
        raise too_many_lines(sheet)
    if columns > MAX_COLUMNS:
        raise too_many_columns(columns, sheet)


def check_merged(count: int, sheet: str | None = None) -> None:
    if count > MAX_MERGED:
        raise too_many_merged(count, sheet)
