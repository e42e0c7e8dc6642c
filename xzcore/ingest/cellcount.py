"""The used range of a worksheet's XML, counted as it streams past a megabyte at a time.

For a sheet that declares no <dimension> (openpyxl's write-only mode, many exporters) or one that
declares more than the limits allow (formatting dragged far below the table costs calamine
nothing: it keeps only cells that hold something). Memory stays at a chunk whatever the size.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO

from xzcore.ingest.limits import fits, max_lines

_CHUNK = 1 << 20
_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
# A cell holding something: a value, an inline string or a formula right inside it. An empty
# <c r="A41" s="3"/> (a border, a colour) is nothing to calamine and costs it nothing.
_HOLDS = rb"[^>]*>\s*<(?:\w+:)?(?:v|is|f)[\s>/]"
_VALUE = re.compile(rb"<(?:\w+:)?c(?:\s[^>]*)?>\s*<(?:\w+:)?(?:v|is|f)[\s>/]")
_VALUE_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Za-z]{1,3})(\d+)"' + _HOLDS)


def column_number(letters: str) -> int:
    """A → 1, BH → 60."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def used_range(open_xml: Callable[[], IO[bytes]]) -> tuple[int, int]:
    """(rows, columns) from A1 to the last cell that holds a value.

    First every cell's r="…" read with plain byte searches (a few ms a megabyte), counting cells
    with nothing in them too; only when that is over a limit, or some cell does not say where it
    is, the slower count of cells that hold a value, which stops once it is over a limit.
    """
    quick = _stream(open_xml, _Quick())
    if quick is not None and fits(*quick):
        return quick
    return _stream(open_xml, _Exact())


def _stream(open_xml, counter):
    carry = b""
    with open_xml() as stream:
        while chunk := stream.read(_CHUNK):
            buffer = carry + chunk
            cut = buffer.rfind(b">") + 1
            # A tag is never cut: the rest waits for the next chunk (only its end if it is
            # text longer than a tag could be).
            part, carry = buffer[:cut], buffer[cut:][-4096:]
            if not counter.feed(part):
                break
    return counter.result()


class _Quick:
    """Cells and rows as Excel and every library write them: each with r= as its first
    attribute, in order. None when the sheet is written any other way."""

    def __init__(self) -> None:
        self.rows = self.columns = 0
        self.patterns: tuple[bytes, re.Pattern, re.Pattern] | None = None
        self.unknown = False

    def feed(self, part: bytes) -> bool:
        if self.patterns is None:
            hit = _PREFIX.search(part)
            tag = b"<" + re.escape((hit and hit[1]) or b"")  # <x:c r="A1"> from the OpenXML SDK
            self.patterns = (
                b"<" + ((hit and hit[1]) or b"") + b'row r="',
                re.compile(tag + rb'c r="([A-Z]{1,3})'),
                re.compile(tag + rb'(?:c|row)(?:>| (?!r="))'),  # one not saying where it is
            )
        row, cell, anonymous = self.patterns
        if anonymous.search(part):
            self.unknown = True
            return False
        letters = cell.findall(part)
        if letters:
            numbers = map(column_number, map(bytes.decode, set(letters)))
            self.columns = max(self.columns, max(numbers))
        last = part.rfind(row)
        if last >= 0:
            start = last + len(row)
            self.rows = max(self.rows, int(part[start : part.index(b'"', start)]))
        return fits(self.rows, self.columns)

    def result(self) -> tuple[int, int] | None:
        return None if self.unknown else (self.rows, self.columns)


class _Exact:
    """Cells holding a value, wherever they say (or do not say) they are."""

    def __init__(self) -> None:
        self.row = self.rows = self.columns = self.in_row = 0

    def feed(self, part: bytes) -> bool:
        refs = _VALUE_REF.findall(part)
        if refs:
            self.rows = max(self.rows, max(int(r) for _, r in refs))
            self.columns = max(self.columns, max(column_number(c.decode()) for c, _ in set(refs)))
        if len(_VALUE.findall(part)) > len(refs):  # some cells do not say where they are
            start = 0
            for tag in _ROW.finditer(part):
                self._cells(part[start : tag.start()])
                number = _ROW_NUMBER.search(tag[1])
                self.row = int(number[1]) if number else self.row + 1
                self.in_row, start = 0, tag.end()
                if self.row > max_lines() or not fits(self.rows, self.columns):
                    self.rows = max(self.rows, self.row)
                    return False
            self._cells(part[start:])
        else:
            last = _ROW_NUMBER.search(part, part.rfind(b"<row") if b"<row" in part else len(part))
            self.row = int(last[1]) if last else self.row
        return fits(self.rows, self.columns)

    def _cells(self, segment: bytes) -> None:
        """Cells of the current row: where the last one holding a value is."""
        cells = _CELL.findall(segment)
        if not cells:
            return
        self.in_row += len(cells)
        if _VALUE.search(segment):
            self.rows = max(self.rows, self.row)
            self.columns = max(self.columns, self.in_row)

    def result(self) -> tuple[int, int]:
        return self.rows, self.columns
