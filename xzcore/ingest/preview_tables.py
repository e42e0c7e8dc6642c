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

from xzcore.display.csvout import FORMULA_LEADS
from xzcore.ingest import KINDS
from xzcore.ingest.headers import MAPPABLE, MONEY, Column
from xzcore.ingest.parse import Parsed, Problem
from xzcore.ingest.rows import LABELS, Preview
from xzcore.ingest.values import plain

ACTIONS = {"new": "新增", "changed": "变更", "unchanged": "不变"}
SKIPPED = "不导入"  # a file row the preview left out because of an error
LEVELS = {"error": "错误", "warning": "警告", "info": "提示"}
PROBLEM_COLUMNS = ("行号", "列", "级别", "说明")
SHEET = "工作表"
_WIDTHS = {SHEET: 14, "行号": 8, "列": 24, "级别": 8, "说明": 80}
HISTORY_COLUMNS = ["批次", "类型", "文件名", "年月", "行数", "上传人", "时间", "状态", "确认理由",
                   "按元换算的列"]  # fmt: skip
MONTHLY = ("progress", "combined")  # kinds that carry a month's figures
# Excel (and LibreOffice) run a cell typed as text that starts with one of these as a formula.
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
    """One line a problem, in file order; problems of the whole file (no row) first.

    A workbook read sheet by sheet names the sheet of each problem in a 工作表 column first.
    """
    sheets = list(dict.fromkeys(p.sheet for p in problems if p.sheet))
    ordered = sorted(
        problems,
        key=lambda p: (
            p.row is not None,
            sheets.index(p.sheet) if p.sheet in sheets else -1,
            p.row or 0,
            p.level != "error",
        ),
    )
    lines = [(p.row, p.column or "", LEVELS[p.level], p.message) for p in ordered]
    columns = list(PROBLEM_COLUMNS)
    if sheets:
        lines = [(p.sheet or "", *line) for p, line in zip(ordered, lines, strict=True)]
        columns = [SHEET, *columns]
    return pd.DataFrame(lines, columns=columns).astype({"行号": "Int64"})


def several_sheets(parsed: Parsed) -> bool:
    """The file's table came from more than one sheet: rows and columns must name theirs."""
    return len({part.sheet for part in parsed.parts}) > 1


def field_label(column: Column) -> str:
    """The field a column fills, as people read it."""
    if column.field == "target":
        return f"{column.number}月目标"
    if column.field == "month":
        return "报告月份"
    return LABELS.get(column.field) or MAPPABLE.get(column.field, column.field)


def columns_table(parsed: Parsed) -> pd.DataFrame:
    """How each recognised header was read: the field it fills and the unit turned into 万元.

    A header over several rows shows joined ("1-9月完成投资/金额（万元）"); a workbook read
    sheet by sheet says which sheet each column is on.
    """
    rows = []
    for part in parsed.parts:
        for column in part.columns:
            factor = column.factor
            unit = _UNITS.get(factor, f"×{plain(factor)}") if column.field in MONEY else ""
            rows.append((part.sheet, column.header, field_label(column), unit))
    table = pd.DataFrame(rows, columns=[SHEET, "文件表头", "对应字段", "金额单位"])
    return table if several_sheets(parsed) else table.drop(columns=SHEET)


def header_text(part) -> str:
    """Where a part's header is: 第 3 行, or 第 2–3 行 over two rows."""
    first = part.header_row - part.header_rows + 1
    return f"第 {first}–{part.header_row} 行" if part.header_rows > 1 else f"第 {first} 行"


def sheets_text(parsed: Parsed) -> list[str]:
    """Each sheet read, with its header rows and its number of rows; then each one skipped, why."""
    lines = []
    for i, part in enumerate(parsed.parts):
        rows = sum(r.part == i for r in parsed.records)
        lines.append(f"工作表“{part.sheet}”：表头在{header_text(part)}，{rows} 行数据")
    lines += [f"未读取工作表“{sheet}”：{why}" for sheet, why in parsed.skipped]
    return lines


def rows_table(preview: Preview, part: str | None = None) -> pd.DataFrame:
    """Every project row of the file: what would happen to it, old → new, and its problems.

    part ("register" | "progress") keeps the rows of one part of a combined table. Rows an
    error kept out of the preview are listed too, so that problems show in place. A workbook
    read sheet by sheet has a 工作表 column: row numbers are the sheet's own.
    """
    parsed = preview.parsed
    several = several_sheets(parsed)
    order = {p.sheet: i for i, p in enumerate(parsed.parts)}

    def key(sheet: str | None, row: int) -> tuple[str, int]:
        return (sheet or "") if several else "", row

    by_row: dict[tuple[str, int], list[Problem]] = {}
    for problem in preview.problems:
        if problem.row is not None:
            by_row.setdefault(key(problem.sheet, problem.row), []).append(problem)
    planned = {key(r.sheet, r.row) for r in preview.rows}  # in either part
    plans = [r for r in preview.rows if part is None or r.part == part]
    # the name has its own column: a renamed project shows "old → new" there, not twice
    fields = [f for f in LABELS if f != "name" and any(f in r.changes for r in plans)]
    lines = {}
    for plan in plans:
        at = key(plan.sheet, plan.row)
        renamed = plan.action == "changed" and "name" in plan.changes
        name = _change(plan.changes["name"]) if renamed else plan.name
        lines[at] = {SHEET: at[0], "行号": plan.row, "项目名称": name}
        lines[at] |= {"处理": ACTIONS[plan.action]}
        lines[at] |= {LABELS[f]: _change(plan.changes[f]) for f in fields if f in plan.changes}
    for record in parsed.records:
        at = key(record.sheet, record.row)
        if at not in planned:
            name = record.values.get("name") or record.values.get("code") or ""
            lines[at] = {SHEET: at[0], "行号": record.row, "项目名称": name, "处理": SKIPPED}
    for at in by_row:
        if at not in planned:
            lines.setdefault(at, {SHEET: at[0], "行号": at[1], "项目名称": "", "处理": SKIPPED})
    for at, line in lines.items():
        found = by_row.get(at, [])
        line["级别"] = next(
            (LEVELS[lvl] for lvl in ("error", "warning") if any(p.level == lvl for p in found)), ""
        )
        line["问题"] = "；".join(
            f"{p.column}：{p.message}" if p.column else p.message for p in found
        )
    columns = ["行号", "项目名称", "处理", *(LABELS[f] for f in fields), "级别", "问题"]
    if several:
        columns.insert(0, SHEET)
    ordered = sorted(lines, key=lambda at: (order.get(at[0], len(order)), at[1]))
    table = pd.DataFrame([lines[at] for at in ordered], columns=columns)
    return table.fillna("").astype({"行号": "Int64"})


def _change(pair: tuple) -> str:
    old, new = pair
    return text(new) if old is None else f"{text(old)} → {text(new)}"


def needs_period(parsed: Parsed) -> bool:
    """The file is of a known kind but its year (or a report's month) must be asked for."""
    if parsed.kind is None:
        return False
    return parsed.year is None or (parsed.kind in MONTHLY and parsed.month is None)


def period_text(parsed: Parsed) -> str:
    """The period the file is for, as bulletins name it, or — when still unknown."""
    if parsed.year is None:
        return "—"
    if parsed.kind in MONTHLY:
        if parsed.month is None:
            return "—"
        return f"{parsed.year}年1-{parsed.month}月" if parsed.month > 1 else f"{parsed.year}年1月"
    return f"{parsed.year}年"


def history_table(batches: list[dict]) -> pd.DataFrame:
    """The upload history as listed on the page, newest first as given: with the reason given
    for accepting warnings and the columns read as 元."""
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
            b.get("reason") or "",
            "、".join(b.get("converted") or []),
        )
        for b in batches
    ]
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def batch_label(batch: dict) -> str:
    """How the undo selector names a batch."""
    period = f"{batch['year']}-{batch['month']:02d}" if batch["month"] else f"{batch['year']}年"
    return f"#{batch['id']} {KINDS[batch['kind']]} {period}　{batch['file_name']}"


def put(sheet, row: int, column: int, value):
    """Write a cell so that it stays what it is: text that looks like a formula stays text."""
    cell = sheet.cell(row, column, value)
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        cell.data_type = "s"  # openpyxl took it for a formula; store the characters as typed
    return cell


def problems_xlsx(problems: list[Problem]) -> bytes:
    """The problem list as a workbook an office can sort and fix its file by."""
    book = Workbook()
    sheet = book.active
    sheet.title = "错误清单"
    table = problems_table(problems)
    headers = list(table.columns)
    for j, header in enumerate(headers, start=1):
        put(sheet, 1, j, header).font = Font(bold=True)
    red, amber = PatternFill("solid", fgColor="FDE2E1"), PatternFill("solid", fgColor="FFF1D6")
    for i, line in enumerate(table.to_dict("records"), start=2):
        fill = red if line["级别"] == LEVELS["error"] else amber
        for j, header in enumerate(headers, start=1):
            value = line[header]
            value = None if pd.isna(value) else int(value) if header == "行号" else value
            cell = put(sheet, i, j, value)
            cell.fill = fill
            cell.alignment = Alignment(vertical="top", wrap_text=header == "说明")
    sheet.freeze_panes = "A2"
    for j, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = _WIDTHS[header]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
