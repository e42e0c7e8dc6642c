"""Excel templates for the two uploads: the demo files' headers, a 单位 line and one sample row.

The sample row is a project already in the database with its stored figures, so that the
template, uploaded unchanged, parses without a single error: an office sees what a good row
looks like and replaces it. Only an empty database gets an invented row.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from xzcore import demo, metrics
from xzcore.ingest.export import put
from xzcore.period import Month

FILE_NAMES = {"register": "项目计划表模板.xlsx", "progress": "月度进展月报模板.xlsx"}
NOTE = "说明：第4行是示例（取自库中已有项目），请替换为本单位的数据；表头和“单位”行请勿改动。"
EXAMPLE_NAME = "示例项目（请替换为实际项目名称）"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_SAMPLE_FONT = Font(italic=True, color="7F7F7F")


def template(con, kind: str, today: dt.date | None = None) -> bytes:
    """The .xlsx template of a kind ('register' or 'progress') for the period due next."""
    if kind == "register":
        year = _plan_year(con, today or dt.date.today())
        # The demo header names its own year in the plan column; the template names this one.
        header = [h.replace(f"{demo.YEAR}年", f"{year}年") for h in demo.REGISTER_HEADER.split(",")]
        return _workbook(
            "计划表", f"{year}年秀洲区重点项目计划表", header, _register_row(con, year)
        )
    month = due_month(con, today or dt.date.today())
    title = f"秀洲区重点项目{month.label}进展情况"
    header = demo.PROGRESS_HEADER.split(",")
    return _workbook("月报", title, header, _progress_row(con, month))


def _plan_year(con, today: dt.date) -> int:
    return con.execute("SELECT max(year) FROM annual_plans").fetchone()[0] or today.year


def due_month(con, today: dt.date) -> Month:
    """The month to report next: the one after the latest reported, within its year and the past."""
    months = metrics.available_months(con)
    if not months:
        return Month(_plan_year(con, today), 1)
    following = months[-1].shift(1)
    if following.year == months[-1].year and following <= Month.of(today):
        return following
    return months[-1]


def _first_project(con, year: int) -> int | None:
    return con.execute(
        "SELECT min(project_id) FROM annual_plans WHERE year = ?", [year]
    ).fetchone()[0]


def _register_row(con, year: int) -> list:
    pid = _first_project(con, year)
    if pid is None:
        targets = [Decimal(100)] * 12
        return ["", EXAMPLE_NAME, "区重点", "先进制造业", "王店镇", "区发改局", "常务副区长",
                "嘉兴示例有限公司", "新建", 5000, sum(targets), dt.date(year, 1, 1),
                dt.date(year + 1, 12, 31), None, None, *targets]  # fmt: skip
    row = list(
        con.execute(
            """SELECT p.code, p.name, p.tier, p.category, p.township, p.unit, p.leader, p.owner,
                      p.build_type, p.total_investment, a.plan, p.planned_start,
                      p.planned_completion, p.lon, p.lat
               FROM projects p JOIN annual_plans a ON a.project_id = p.id AND a.year = ?
               WHERE p.id = ?""",
            [year, pid],
        ).fetchone()
    )
    cumulative = dict(
        con.execute(
            "SELECT month, target_cum FROM monthly_targets WHERE project_id = ? AND year = ?",
            [pid, year],
        ).fetchall()
    )
    # The demo files give targets month by month; the database keeps them cumulative.
    per_month = [
        cumulative[m] - cumulative.get(m - 1, Decimal(0)) if m in cumulative else None
        for m in range(1, 13)
    ]
    return row + per_month


def _progress_row(con, month: Month) -> list:
    pid = _first_project(con, month.year)
    if pid is None:
        return ["", EXAMPLE_NAME, 100, 100, "在建", None, "主体结构施工", ""]
    code, name, start = con.execute(
        "SELECT code, name, actual_start FROM projects WHERE id = ?", [pid]
    ).fetchone()
    last = con.execute(
        """SELECT ytd, amount, stage, image_progress FROM progress
           WHERE project_id = ? AND year = ? AND month <= ? ORDER BY month DESC LIMIT 1""",
        [pid, month.year, month.month],
    ).fetchone()
    previous = con.execute(
        "SELECT max_by(ytd, month) FROM progress WHERE project_id = ? AND year = ? AND month < ?",
        [pid, month.year, month.month],
    ).fetchone()[0] or Decimal(0)
    amount = max(last[1] or Decimal(0), Decimal(0)) if last else Decimal(0)
    stage, image = (last[2], last[3]) if last else ("在建", "")
    start = start if start and start <= month.end else None
    return [code, name, amount, previous + amount, stage, start, image, ""]


def _cell_value(value):
    """Figures as numbers an office can sum; whole 万元 without a trailing .0000."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _workbook(sheet_name: str, title: str, header: list[str], sample: list) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name
    put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    put(sheet, 2, 1, "单位：万元")
    put(sheet, 2, 2, NOTE).font = Font(color="7F7F7F")
    for j, name in enumerate(header, start=1):
        cell = put(sheet, 3, j, name)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        # CJK characters are about two Latin widths; dates and names need a little more room.
        width = max(8, min(40, 2 * len(name) + 2))
        sheet.column_dimensions[cell.column_letter].width = 40 if name == "项目名称" else width
    for j, value in enumerate(sample, start=1):
        cell = put(sheet, 4, j, _cell_value(value))
        cell.font = _SAMPLE_FONT
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "C4"  # header rows and the code and name columns stay in view
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
