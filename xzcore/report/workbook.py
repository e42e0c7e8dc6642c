"""The bulletin as an Excel workbook: one sheet a table, numbers as numbers with formats.

Each sheet: the title (row 1), the note or the stamp (row 2), the header (row 3, frozen), the
rows. Lights are cells filled with the light's colour holding the symbol and the word.
Text from the database is always stored as text: openpyxl would store a str starting with "="
as a formula, so `=HYPERLINK(…)` typed as a project name would become a live link.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from xzcore.display.charts import LIGHT_COLORS
from xzcore.display.csvout import FORMULA_LEADS
from xzcore.report.model import Bulletin, Table, missing, text

NUMBER_FORMATS = {
    "count": "0",
    "wan": "#,##0.00",
    "rate": "0.0%",
    # the lag stays a number (positive = behind), shown in words as the PDF and slides word it
    "pp": '"落后"0.0;"超前"0.0;"持平"',
    "text": "@",
    "light": "@",
    "alert": "@",
}
HEADER_ROW = 3
FILLS = {k: PatternFill("solid", fgColor=v.lstrip("#").upper()) for k, v in LIGHT_COLORS.items()}
# white on green and red, black on yellow: readable on screen and in a grey printout
LIGHT_FONTS = {"green": "FFFFFF", "yellow": "000000", "red": "FFFFFF"}
ALERT_FILLS = {k: PatternFill("solid", fgColor=v) for k, v in
               (("红", "FDE2E1"), ("黄", "FFF1D6"), ("蓝", "E1ECFB"))}  # fmt: skip
ALERT_FONTS = {"红": "8A1C14", "黄": "7A4B00", "蓝": "17457A"}
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF7")
_THIN = Side(style="thin", color="B9C3D3")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _text(value) -> str:
    # characters XML cannot hold (control codes) would make openpyxl refuse the whole workbook
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))


def _put(ws, row: int, column: int, value, kind: str):
    cell = ws.cell(row=row, column=column)
    if missing(value):
        cell.value = None
    elif kind in ("text", "light", "alert"):
        cell.value = _text(text(kind, value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        # and Excel keeps it text when someone edits the cell (its own leading apostrophe)
        cell.quotePrefix = cell.value.startswith(FORMULA_LEADS)
    else:
        cell.value = int(value) if kind == "count" else float(value)
    cell.number_format = NUMBER_FORMATS[kind]
    cell.border = _BORDER
    if kind == "alert" and value in ALERT_FILLS:  # a problem's 三色督办 colour
        cell.fill = ALERT_FILLS[value]
        cell.font = Font(bold=True, color=ALERT_FONTS[value])
    if kind == "light" and value in FILLS:
        cell.fill = FILLS[value]
        cell.font = Font(bold=True, color=LIGHT_FONTS[value])
        cell.alignment = Alignment(horizontal="center")
    return cell


def _sheet(ws, table: Table, stamp: str, after: tuple[str, ...] = (), mark: str = "") -> None:
    ws.title = table.sheet
    # the month's state on every sheet (a sheet is printed or copied on its own): 未发布 in red
    title = ws.cell(row=1, column=1, value=_text(table.title + mark))
    title.font = Font(bold=True, size=14, color="B71C1C" if "未发布" in mark else None)
    note = ws.cell(row=2, column=1, value=_text(table.note or stamp))
    note.data_type = "s"
    note.font = Font(color="555555")
    for j, column in enumerate(table.columns, start=1):
        head = ws.cell(row=HEADER_ROW, column=j, value=column.title)
        head.font = Font(bold=True)
        head.fill = _HEADER_FILL
        head.border = _BORDER
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = column.width
    for i, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for j, (column, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            _put(ws, i, j, value, column.kind)
    if not table.rows:
        ws.cell(row=HEADER_ROW + 1, column=1, value=table.empty)
    below = HEADER_ROW + max(len(table.rows), 1) + 2  # one blank row between
    for i, words in enumerate(after, start=below):
        ws.cell(row=i, column=1, value=_text(words)).data_type = "s"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)  # title, note and header stay
    ws.row_dimensions[HEADER_ROW].height = 30


def xlsx_bytes(b: Bulletin) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table in b.tables.values():
        # the overview sheet says the month's figures in words under its table, as the PDF does
        first = table is next(iter(b.tables.values()))
        words = (*b.paragraphs, *([b.correction] if b.correction else [])) if first else ()
        _sheet(book.create_sheet(), table, b.stamp, words, b.mark)
    book.properties.title = b.heading
    book.properties.creator = "秀洲区重点项目看板"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def tables_xlsx(heading: str, stamp: str, tables: tuple[Table, ...]) -> bytes:
    """A workbook of tables alone, one sheet each, as the bulletin's (for lists such as
    待协调问题清单); stamp: row 2 of a sheet whose table has no note."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        _sheet(book.create_sheet(), table, stamp)
    book.properties.title = heading
    book.properties.creator = "秀洲区重点项目看板"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
