"""An HTML page holding a <table>, as many government systems export it under an .xls name.

Read the way Excel opens such a file: one sheet, text outside the tables (a title in <h2>, a
<caption>) on rows of its own, each table's rows below; a cell spanning rows or columns
(colspan/rowspan) keeps its text in its first cell and is listed as a merged range, exactly
as a merged cell of a workbook, so that a header over two rows joins the same way.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from xzcore.ingest.limits import (
    MAX_COLUMNS,
    UnreadableFile,
    check_merged,
    check_size,
    max_cells,
    max_lines,
)

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "caption", "center", "pre"}
_HIDDEN = {"head", "script", "style", "title", "template"}
_SPACES = re.compile(r"[ \t\n\r\f]+")  # HTML's white space: U+3000 is text, not layout
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_START = re.compile(r"\s*<(?:!doctype\s+html|html|head|meta|body|table|style|!--)", re.IGNORECASE)
_TABLE = re.compile(r"<table[\s>]", re.IGNORECASE)
_DIGITS = re.compile(r"\s*(\d+)")
NO_TABLE = "这是网页格式的文件，其中没有表格（<table>）：请在 Excel 中打开后另存为 xlsx 再上传"


def declared_charset(data: bytes) -> str | None:
    """The encoding a page's <meta> names, if its start looks like HTML at all."""
    head = data[:4096]
    if not _START.match(head.decode("latin-1")):
        return None
    hit = _CHARSET.search(head)
    if not hit:
        return None
    name = hit[1].decode("ascii").lower()
    # GB2312 and GBK pages are written by tools that emit GB18030's characters all the same.
    return "gb18030" if name in ("gb2312", "gbk", "gb_2312-80", "x-gbk") else name


def is_html(text: str) -> bool:
    return bool(_START.match(text[:4096]))


def read_table(text: str) -> tuple[list[list[object]], tuple[tuple[int, int, int, int], ...]]:
    """Rows of cell texts and the merged ranges of an HTML page's tables."""
    if not _TABLE.search(text):
        raise UnreadableFile(NO_TABLE)
    parser = _Tables()
    parser.feed(text)
    parser.close()
    parser.finish()
    return parser.rows, tuple(tuple(m) for m in parser.merged)


def _span(text: str | None, most: int) -> int:
    if not text:
        return 1
    digits = _DIGITS.match(text)
    return min(max(int(digits[1]), 1), most) if digits else 1


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[object]] = []
        self.merged: list[list[int]] = []
        self.lines, self.cells = max_lines(), max_cells()
        self.width = 0
        self.depth = 0  # tables open; a table inside a cell is only text of that cell
        self.hidden = 0
        self.text: list[str] = []  # text outside tables, or of the open cell
        self.row: list[object] | None = None
        self.cell: tuple[int, int, int] | None = None  # column, colspan, rowspan of the open cell
        self.caption = False
        self.above: dict[int, int] = {}  # column → rows a rowspan from above covers, this one too
        self.below: dict[int, int] = {}  # column → rows under this one a cell of it covers
        self.open_merges: list[list[int]] = []  # ranges whose rowspan may pass the table's end

    # ---- text --------------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.depth == 0 or self.cell is not None or self.caption:
            self.text.append(_SPACES.sub(" ", data))  # a line end in the source is a space

    def _take_text(self) -> str:
        text, self.text = "".join(self.text).replace("\xa0", " "), []
        if "\n" not in text:  # no <br>: spaces are collapsed but for where chunks met
            return (_SPACES.sub(" ", text) if "  " in text else text).strip(" ")
        lines = text.split("\n")
        return "\n".join(t for t in (_SPACES.sub(" ", line).strip() for line in lines) if t)

    def _flush_block(self) -> None:
        """Text between tables (a title, a 单位 line) becomes a row of one cell."""
        text = self._take_text()
        if text:
            self._emit([text])

    # ---- tags --------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
            return
        if tag == "body":
            self.hidden = 0  # a <head> never closed ends here, as in a browser
        if self.hidden:
            return
        if tag == "br":
            self.text.append("\n")  # a line break inside a cell is one Excel keeps
        elif tag == "table":
            if self.depth == 0:
                self._flush_block()
                self.above, self.below, self.open_merges = {}, {}, []
            else:
                self.text.append(" ")
            self.depth += 1
        elif self.depth == 0:
            if tag in _BLOCKS:
                self._flush_block()
        elif self.depth > 1:
            if tag in ("td", "th", "tr"):
                self.text.append(" ")
        elif tag == "caption":
            self.caption = True
            self.text = []
        elif tag == "tr":
            self._end_row()
            self.row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self.row is None:
                self.row = []
            colspan = rowspan = 1
            if attrs:  # most cells have none: spare them the lookups
                named = dict(attrs)
                colspan = _span(named.get("colspan"), MAX_COLUMNS + 1)
                rowspan = _span(named.get("rowspan"), self.lines + 1)
            column = len(self.row)
            while self.above.get(column):
                column += 1  # a cell from a row above spans down into this one
            self.row.extend([""] * (column - len(self.row)))
            self.cell = (column, colspan, rowspan)
            self.text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self.hidden:
            self.text.append("\n")
        elif tag not in _HIDDEN:
            self.handle_starttag(tag, attrs)
            if tag in ("td", "th", "table"):
                self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if self.hidden:
            return
        if tag == "table" and self.depth:
            self.depth -= 1
            if self.depth == 0:
                self._end_row()
                self._end_table()
        elif self.depth == 1 and tag in ("td", "th"):
            self._end_cell()
        elif self.depth == 1 and tag == "tr":
            self._end_row()
        elif self.depth == 1 and tag == "caption" and self.caption:
            self.caption = False
            self._flush_block()
        elif self.depth == 0 and tag in _BLOCKS:
            self._flush_block()

    # ---- the grid ----------------------------------------------------------------------
    def _end_cell(self) -> None:
        if self.cell is None:
            return
        column, colspan, rowspan = self.cell
        self.cell = None
        text = self._take_text()
        last = column + colspan - 1
        if last + 1 > MAX_COLUMNS:
            check_size(len(self.rows) + 1, last + 1)
        while self.above.get(last) and last > column:
            last -= 1  # overlapping spans: the cell stops where a span from above begins
        row = self.row
        row.extend([""] * (last + 1 - len(row)))
        row[column] = text
        if rowspan > 1:
            for j in range(column, last + 1):
                self.below[j] = rowspan - 1
        if rowspan > 1 or last > column:
            at = len(self.rows)
            merge = [at, column, at + rowspan - 1, last]
            self.merged.append(merge)
            if rowspan > 1:
                self.open_merges.append(merge)
            check_merged(len(self.merged))

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is None:
            return
        row, self.row = self.row, None
        covered = max(self.above, default=-1) + 1
        row.extend([""] * (covered - len(row)))
        self.above = {j: n - 1 for j, n in self.above.items() if n > 1} | self.below
        self.below = {}
        self._emit(row)

    def _end_table(self) -> None:
        """A rowspan past the table's last row stops there, as in a browser."""
        last = len(self.rows) - 1
        single = set()
        for merge in self.open_merges:
            merge[2] = min(merge[2], max(last, merge[0]))
            if merge[2] == merge[0] and merge[3] == merge[1]:
                single.add(id(merge))  # clipped to one cell: not merged at all
        if single:
            self.merged = [m for m in self.merged if id(m) not in single]
        self.above, self.below, self.open_merges = {}, {}, []

    def _emit(self, row: list[object]) -> None:
        self.rows.append(row)
        self.width = max(self.width, len(row))
        count = len(self.rows)
        if count * self.width > self.cells or count > self.lines:
            check_size(count, self.width)

    def finish(self) -> None:
        if self.depth:  # a table never closed: what was read of it stands
            self.depth = 0
            self._end_row()
            self._end_table()
        self._flush_block()
