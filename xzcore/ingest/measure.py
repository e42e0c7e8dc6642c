"""An xlsx measured from its zip directory before any reader unpacks it.

13.6 MB of zip held 5,000,000 rows × 60 cells, and calamine asked for 5 GB before Python could
say no. Here only the directory, the first few KB of each sheet's XML (its <dimension ref>) and,
for a sheet that declares no dimension, its XML streamed a megabyte at a time are looked at.
What a lying file still gets past this ends only the reading child (sandbox.py).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib

from xzcore.ingest.cellcount import column_number, used_range
from xzcore.ingest.limits import (
    MAX_ZIP_ENTRIES,
    FileTooLarge,
    UnreadableFile,
    check_size,
    fits,
    max_unzipped_mb,
)

_HEAD = 16_384  # <dimension> comes before <sheetViews>, in the first few hundred bytes
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?\bref="([^"]*)"')
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")
_SMALL_XML = 4 << 20  # workbook.xml and its rels: names of sheets, never megabytes


def broken(exc: Exception) -> UnreadableFile:
    return UnreadableFile(f"Excel 文件已损坏或无法读取（{type(exc).__name__}）")


def check_zip(data: bytes) -> None:
    """Refuse a workbook too large to read, from what its zip says before it is unpacked."""
    entries = _entry_count(data)
    if entries > MAX_ZIP_ENTRIES:
        raise FileTooLarge(
            f"文件是含 {entries:,} 个条目的压缩包，超过上限 {MAX_ZIP_ENTRIES:,} 个，"
            "不是正常的 Excel 工作簿"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            _check(book)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ValueError,
    ) as exc:
        raise broken(exc) from exc


def _entry_count(data: bytes) -> int:
    """Entries the central directory lists, read from its end record (zipfile would list them)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return 0  # no end record: zipfile says how the file is damaged
    (count,) = struct.unpack_from("<H", data, end + 10)
    return count  # 0xFFFF when a zip64 record holds the real count: over the limit either way


def _check(book: zipfile.ZipFile) -> None:
    limit = max_unzipped_mb() * 2**20
    names = _sheet_names(book)
    sheets = [i for i in book.infolist() if i.filename in names or _is_sheet(i.filename)]
    to_count = []
    for info in sheets:
        name = names.get(info.filename, info.filename)
        declared = _dimension(book, info)
        if info.file_size > limit:
            if declared is not None:
                check_size(*declared, name)  # the XML is as large as the sheet says it is
            raise FileTooLarge(
                f"工作表“{name}”解压后有 {info.file_size / 2**20:,.0f} MB，超过上限 "
                f"{limit / 2**20:g} MB，请删去多余的行列或拆分成几个文件上传"
            )
        if declared is None or not fits(*declared):
            # No dimension, or one over a limit: formatting alone reaches far down and costs
            # calamine nothing, so count the cells that hold something. One within every
            # limit is taken at its word: a lie ends only the reading child.
            to_count.append((info, name))
    total = sum(i.file_size for i in book.infolist())
    if total > limit:
        raise FileTooLarge(
            f"文件解压后共 {total / 2**20:,.0f} MB，超过上限 {limit / 2**20:g} MB，"
            "不是正常的报表（请在 Excel 中删去多余的内容后另存为 xlsx）"
        )
    for info, name in to_count:
        check_size(*used_range(lambda info=info: book.open(info)), name)


def _is_sheet(path: str) -> bool:
    return path.startswith("xl/worksheets/") and path.endswith(".xml")


def _sheet_names(book: zipfile.ZipFile) -> dict[str, str]:
    """Path of each worksheet's XML → the name on its tab, for messages; {} if not found."""
    try:
        workbook = book.getinfo("xl/workbook.xml")
        rels = book.getinfo("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    if workbook.file_size > _SMALL_XML or rels.file_size > _SMALL_XML:
        return {}
    try:
        targets = {
            e.get("Id"): e.get("Target", "")
            for e in ET.fromstring(book.read(rels)).iter()
            if e.tag.endswith("Relationship")
        }
        names = {}
        for element in ET.fromstring(book.read(workbook)).iter():
            if not element.tag.endswith("}sheet"):
                continue
            rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid)
            if target:
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                names[posixpath.normpath(path)] = element.get("name", "")
        return names
    except ET.ParseError:
        return {}


def _dimension(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int] | None:
    """(rows, columns) from A1 to the <dimension ref>'s last cell, or None if it has none."""
    with book.open(info) as stream:
        head = stream.read(_HEAD)
    hit = _DIMENSION.search(head.split(b"<sheetData", 1)[0])
    if not hit:
        return None
    cell = _CELL_REF.match(hit[1].decode("ascii", "replace").split(":")[-1].strip())
    if not cell:
        return None
    return int(cell[2]), column_number(cell[1])
