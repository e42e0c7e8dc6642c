"""A Preview and the upload history as tables people read: on the upload page and in Excel.

The page draws these frames as they are; the error list goes out as an .xlsx built here.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from xzcore.ingest import KINDS
from xzcore.ingest.headers import MONEY
from xzcore.ingest.parse import Parsed, Problem
from xzcore.ingest.plan import LABELS, Preview
from xzcore.ingest.values import plain

ACTIONS = {"new": "新增", "changed": "变更", "unchanged": "不变"}
SKIPPED = "不导入"  # a file row the preview left out because of an error
LEVELS = {"error": "错误", "warning": "警告"}
PROBLEM_COLUMNS = ("行号", "列", "级别", "说明")
# Excel (and LibreOffice) run a cell typed as text that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNITS = {Decimal(1): "万元", Decimal(10000): "亿元 → ×10000", Decimal("0.0001"): "元 → ÷10000"}


def text(value) -> str:
    """A stored or parsed value as the page shows it: figures as written, dates ISO, — for none."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):  # monthly targets, cumulative by month
        return f"逐月目标，全年 {text(value.get(12))}"
    return str(value)


def problems_table(problems: list[Problem]) -> pd.DataFrame:
    """One line a problem, in file order; problems of the whole file (no row) first."""
    ordered = sorted(problems, key=lambda p: (p.row or 0, p.level != "error"))
    return pd.DataFrame(
        [(p.row, p.column or "", LEVELS[p.level], p.message) for p in ordered],
        columns=list(PROBLEM_COLUMNS),
    ).astype({"行号": "Int64"})


def columns_table(parsed: Parsed) -> pd.DataFrame:
    """How each recognised header was read: the field it fills and the unit turned into 万元."""
    rows = []
    for column in parsed.columns:
        if column.field == "target":
            label = f"{column.number}月目标"
        else:
            label = LABELS.get(
                column.field, "报告月份" if column.field == "month" else column.field
            )
        unit = (
            _UNITS.get(column.factor, f"×{plain(column.factor)}") if column.field in MONEY else ""
        )
        rows.append((column.header, label, unit))
    return pd.DataFrame(rows, columns=["文件表头", "对应字段", "金额单位"])


def rows_table(preview: Preview) -> pd.DataFrame:
    """Every project row of the file: what would happen to it, old → new, and its problems.

    Rows an error kept out of the preview are listed too, so that problems show in place.
    """
    by_row: dict[int, list[Problem]] = {}
    for problem in preview.problems:
        if problem.row is not None:
            by_row.setdefault(problem.row, []).append(problem)
    fields = [f for f in LABELS if any(f in r.changes for r in preview.rows)]
    lines = {}
    for plan in preview.rows:
        cells = {LABELS[f]: _change(plan.changes[f]) for f in fields if f in plan.changes}
        lines[plan.row] = {"行号": plan.row, "项目名称": plan.name, "处理": ACTIONS[plan.action]}
        lines[plan.row] |= cells
    for record in preview.parsed.records:
        if record.row not in lines:
            name = record.values.get("name") or record.values.get("code") or ""
            lines[record.row] = {"行号": record.row, "项目名称": name, "处理": SKIPPED}
    for row in by_row:
        lines.setdefault(row, {"行号": row, "项目名称": "", "处理": SKIPPED})
    for row, line in lines.items():
        found = by_row.get(row, [])
        line["级别"] = next(
            (LEVELS[lvl] for lvl in ("error", "warning") if any(p.level == lvl for p in found)), ""
        )
        line["问题"] = "；".join(
            f"{p.column}：{p.message}" if p.column else p.message for p in found
        )
    columns = ["行号", "项目名称", "处理", *(LABELS[f] for f in fields), "级别", "问题"]
    table = pd.DataFrame([lines[r] for r in sorted(lines)], columns=columns)
    return table.fillna("").astype({"行号": "Int64"})


def _change(pair: tuple) -> str:
    old, new = pair
    return text(new) if old is None else f"{text(old)} → {text(new)}"


def needs_period(parsed: Parsed) -> bool:
    """The file is of a known kind but its year (or a report's month) must be asked for."""
    if parsed.kind is None:
        return False
    return parsed.year is None or (parsed.kind == "progress" and parsed.month is None)


def period_text(parsed: Parsed) -> str:
    """The period the file is for, as bulletins name it, or — when still unknown."""
    if parsed.year is None:
        return "—"
    if parsed.kind == "progress":
        if parsed.month is None:
            return "—"
        return f"{parsed.year}年1-{parsed.month}月" if parsed.month > 1 else f"{parsed.year}年1月"
    return f"{parsed.year}年"


def history_table(batches: list[dict]) -> pd.DataFrame:
    """The upload history as listed on the page, newest first as given."""
    rows = [
        (
            b["id"],
            KINDS[b["kind"]],
            b["file_name"],
            f"{b['year']}-{b['month']:02d}" if b["month"] else f"{b['year']}年",
            b["row_count"],
            b["user_name"],
            f"{b['created_at']:%Y-%m-%d %H:%M}",
            "已撤销" if b["undone_at"] else "有效",
        )
        for b in batches
    ]
    columns = ["批次", "类型", "文件名", "年月", "行数", "上传人", "时间", "状态"]
    return pd.DataFrame(rows, columns=columns)


def batch_label(batch: dict) -> str:
    """How the undo selector names a batch."""
    period = f"{batch['year']}-{batch['month']:02d}" if batch["month"] else f"{batch['year']}年"
    return f"#{batch['id']} {KINDS[batch['kind']]} {period}　{batch['file_name']}"


def put(sheet, row: int, column: int, value):
    """Write a cell so that it stays what it is: text that looks like a formula stays text."""
    cell = sheet.cell(row, column, value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"  # openpyxl took it for a formula; store the characters as typed
    return cell


def problems_xlsx(problems: list[Problem]) -> bytes:
    """The problem list as a workbook an office can sort and fix its file by."""
    book = Workbook()
    sheet = book.active
    sheet.title = "错误清单"
    table = problems_table(problems)
    for j, header in enumerate(PROBLEM_COLUMNS, start=1):
        put(sheet, 1, j, header).font = Font(bold=True)
    red, amber = PatternFill("solid", fgColor="FDE2E1"), PatternFill("solid", fgColor="FFF1D6")
    for i, row in enumerate(table.itertuples(index=False), start=2):
        values = [None if pd.isna(row[0]) else int(row[0]), row[1], row[2], row[3]]
        fill = red if row[2] == LEVELS["error"] else amber
        for j, value in enumerate(values, start=1):
            cell = put(sheet, i, j, value)
            cell.fill = fill
            cell.alignment = Alignment(vertical="top", wrap_text=j == 4)
    sheet.freeze_panes = "A2"
    for j, width in enumerate((8, 24, 8, 80), start=1):
        sheet.column_dimensions[get_column_letter(j)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
