"""Excel templates for the two uploads.

The monthly template is for the month being collected (cycle.months.due), one sheet a unit:
the unit's own projects with code and name, and for reference their annual plan, the month's
cumulative target and the cumulative last reported; this month's cells are empty. Reference
columns are headed 参考：… so that the upload reads none of them (no alias begins so), and the
template filled in uploads back as exactly what was typed. No other project's figures and no
sample row: a template uploaded unchanged has nothing to import and says so.

The register template is the demo header for the plan year, with no rows.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from xzcore.cycle import months
from xzcore.ingest import standard
from xzcore.ingest.preview_tables import put
from xzcore.period import Month

FILE_NAMES = {"register": "项目计划表模板.xlsx", "progress": "月度进展月报模板.xlsx"}
NO_UNIT = "（未填责任单位）"  # as cycle.status names projects without a 责任单位
REFERENCE = "参考："  # the start of a column the upload never reads
REFERENCE_HEADER = [
    f"{REFERENCE}年度计划投资（万元）",
    f"{REFERENCE}本月末累计目标（万元）",
    f"{REFERENCE}上月末累计完成（万元）",
]
MONTH_HEADER = standard.PROGRESS_HEADER[2:]  # this month's cells
PROGRESS_NOTE = (
    "说明：请填写本单位每个项目本月完成投资或年初至报告期累计完成投资（至少一项），以及项目阶段、"
    "形象进度、存在问题；本月新开工的项目填写实际开工日期。灰色“参考”列仅供核对，导入时不读取。"
    "项目行、表头和“单位”行请勿增删改动。"
)
REGISTER_NOTE = "说明：请从下一行起逐行填写项目（一行一个项目）；表头和“单位”行请勿改动。"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REFERENCE_FILL = PatternFill("solid", fgColor="EDEDED")
_REFERENCE_FONT = Font(color="595959")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\：]")


def template(con, kind: str, today: dt.date | None = None, units: list[str] | None = None):
    """The .xlsx template of a kind: 'register' for the plan year, 'progress' for the month
    being collected (every unit's sheet, or the units given). Raises LookupError when no month
    is being collected."""
    today = today or dt.date.today()
    if kind == "register":
        return register(con, today)
    month = due_month(con, today)
    if month is None:
        raise LookupError("目前没有需要报送的月份")
    return monthly(con, month, units)


def due_month(con, today: dt.date | None = None) -> Month | None:
    """The month templates are for: the month being collected (None before it has begun)."""
    return months.due(con, today)


def _plan_year(con, today: dt.date) -> int:
    return con.execute("SELECT max(year) FROM annual_plans").fetchone()[0] or today.year


def register(con, today: dt.date | None = None) -> bytes:
    year = _plan_year(con, today or dt.date.today())
    header = standard.register_header(year)
    book = Workbook()
    _sheet(book.active, "计划表", f"{year}年秀洲区重点项目计划表", REGISTER_NOTE, header, [])
    return _save(book)


def units(con, year: int) -> list[str]:
    """The units with projects planned in the year (one template sheet each), sorted."""
    rows = con.execute(
        """SELECT DISTINCT coalesce(p.unit, ?) FROM projects p
           JOIN annual_plans a ON a.project_id = p.id AND a.year = ? ORDER BY 1""",
        [NO_UNIT, year],
    ).fetchall()
    return [r[0] for r in rows]


def unit_projects(con, month: Month) -> dict[str, list[tuple]]:
    """unit → its projects planned in the month's year: code, name, plan, the month's
    cumulative target, the cumulative last reported before the month."""
    rows = con.execute(
        """SELECT coalesce(p.unit, $none) AS unit, p.code, p.name, a.plan,
                  (SELECT t.target_cum FROM monthly_targets t WHERE t.project_id = p.id
                   AND t.year = $year AND t.month = $month) AS target,
                  (SELECT arg_max(g.ytd, g.month) FROM progress g WHERE g.project_id = p.id
                   AND g.year = $year AND g.month < $month) AS last
           FROM projects p JOIN annual_plans a ON a.project_id = p.id AND a.year = $year
           ORDER BY unit, p.id""",
        {"year": month.year, "month": month.month, "none": NO_UNIT},
    ).fetchall()
    found: dict[str, list[tuple]] = {}
    for unit, *rest in rows:
        found.setdefault(unit, []).append(tuple(rest))
    return found


def monthly(con, month: Month, chosen: list[str] | None = None) -> bytes:
    """The month's template: one sheet per unit (every unit, or those chosen), in one workbook
    that uploads back as one batch."""
    projects = unit_projects(con, month)
    wanted = sorted(projects) if chosen is None else [u for u in chosen if u in projects]
    if not wanted:
        raise LookupError(f"{month.year}年没有{'、'.join(chosen or [])}的计划项目")
    book = Workbook()
    book.remove(book.active)
    header = ["项目代码", "项目名称", *REFERENCE_HEADER, *MONTH_HEADER]
    names: set[str] = set()
    for unit in wanted:
        rows = [
            [code, name, plan, target, last, *[None] * len(MONTH_HEADER)]
            for code, name, plan, target, last in projects[unit]
        ]
        sheet = book.create_sheet(sheet_name(unit, names))
        title = f"秀洲区重点项目{month.label}进展情况（{unit}）"
        _sheet(sheet, None, title, PROGRESS_NOTE, header, rows)
    return _save(book)


def file_name(month: Month, unit: str | None = None) -> str:
    """The monthly template's file name, with the month (the upload reads it as a period)."""
    return f"{month.year}年{month.month}月重点项目月报_{unit or '全部单位'}.xlsx"


def sheet_name(unit: str, taken: set[str]) -> str:
    """A unit's sheet name: Excel refuses []:*?/\\ and more than 31 characters."""
    base = _SHEET_FORBIDDEN.sub("_", unit)[:31] or "单位"
    name, n = base, 2
    while name in taken:
        suffix = f"_{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _cell_value(value):
    """Figures as numbers an office can sum; whole 万元 without a trailing .0000."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _sheet(sheet, name: str | None, title: str, note: str, header: list[str], rows) -> None:
    if name:
        sheet.title = name
    put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    put(sheet, 2, 1, "单位：万元")
    put(sheet, 2, 2, note).font = Font(color="7F7F7F")
    for j, text in enumerate(header, start=1):
        cell = put(sheet, 3, j, text)
        reference = text.startswith(REFERENCE)
        cell.font = Font(bold=True, color="595959" if reference else None)
        cell.fill = _REFERENCE_FILL if reference else _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        # CJK characters are about two Latin widths; long headers wrap within 16.
        width = 40 if text == "项目名称" else max(8, min(16, 2 * len(text) + 2))
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.row_dimensions[3].height = 45
    for i, row in enumerate(rows, start=4):
        for j, value in enumerate(row, start=1):
            cell = put(sheet, i, j, _cell_value(value))
            if header[j - 1].startswith(REFERENCE):
                cell.fill, cell.font = _REFERENCE_FILL, _REFERENCE_FONT
    sheet.freeze_panes = "C4"  # header rows and the code and name columns stay in view


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plan_years(con, today: dt.date) -> list[int]:
    """Years a register may be for, newest first: those planned so far, this year and the next."""
    known = {r[0] for r in con.execute("SELECT DISTINCT year FROM annual_plans").fetchall()}
    return sorted(known | {today.year, today.year + 1}, reverse=True)


def reportable_months(con, today: dt.date) -> list[Month]:
    """Months a report may be for, newest first: those of planned years, none in the future."""
    years = {r[0] for r in con.execute("SELECT DISTINCT year FROM annual_plans").fetchall()}
    now = Month.of(today)
    return [
        Month(y, m) for y in sorted(years or {today.year}, reverse=True)
        for m in range(12, 0, -1) if Month(y, m) <= now
    ]  # fmt: skip
