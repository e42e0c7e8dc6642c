"""Problems as the report's tables (xzcore.report.model.Table): the 待协调问题清单 for a
meeting (a leader's, a unit's, or all), and the bulletin's paragraph and overdue list. The
bulletin, PDF and workbook writers take these as they take their own tables.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xzcore.period import Month
from xzcore.problems import ledger
from xzcore.problems.model import BLUE, RED, YELLOW
from xzcore.report.model import ALERT_MARKS, Column, Table

AGENDA_COLUMNS = (
    Column("编号", "count", 6),
    Column("督办", "alert", 12),
    Column("督办原因", "text", 24),
    Column("项目", "text", 28),
    Column("类型", "text", 10),
    Column("问题描述", "text", 36),
    Column("需协调事项", "text", 30),
    Column("主办单位", "text", 18),
    Column("协办单位", "text", 18),
    Column("协调区领导", "text", 16),
    Column("办结时限", "text", 12),
    Column("状态", "text", 10),
)


def _day(value) -> str | None:
    return None if value is None or pd.isna(value) else f"{value:%Y-%m-%d}"


# the colour as every list says it: a symbol and the word, never colour alone
MARKS = {c: ALERT_MARKS[c] for c in (RED, YELLOW, BLUE)}
AGENDA_STATES = ["待交办", "已交办", "办理中", "申请办结"]  # open, not on hold
FORMATS = {"pdf": "PDF", "xlsx": "Excel 工作簿"}


def agenda(con, today: dt.date, *, leader: str | None = None, unit: str | None = None) -> Table:
    """The open problems to take to a meeting (not those on hold), overdue first; a leader's
    (协调区领导) or a unit's (主办 or 协办) when named."""
    return agenda_of(ledger.ledger(con, today), today, leader=leader, unit=unit)


def agenda_of(table, today: dt.date, *, leader: str | None = None, unit: str | None = None):
    """agenda from a ledger already read and coloured on `today` (ledger.ledger, unfiltered):
    the pages keep one, shared by the sessions."""
    whose_ = {"leader": leader, "unit": [unit] if unit else None}
    found = ledger.filtered(open_for_meeting(table), whose_)
    whose = "、".join(w for w in (leader, unit) if w) or "全部"
    # whole columns, then zipped: itertuples over this wide frame cost 90 ms at 3,000 rows
    due = found["due_on"].dt.strftime("%Y-%m-%d").astype(object)
    rows = tuple(zip(
        found["id"].tolist(), *_texts(found, "colour"),
        [w or None for w in found["colour_reason"].tolist()], *_texts(found, "project",
        "category", "description", "request", "lead_unit"),
        ["、".join(u) or None for u in found["support_units"].tolist()],
        *_texts(found, "leader"), due.where(due.notna(), None).tolist(), found["state"].tolist(),
        strict=True,
    ))  # fmt: skip
    counts = found["colour"].value_counts()
    said = "、".join(f"{MARKS[c]} {int(counts[c])} 个" for c in MARKS if counts.get(c, 0))
    return Table(
        "待协调问题清单",
        f"待协调问题清单（{whose}，截至{today:%Y年%m月%d日}）",
        AGENDA_COLUMNS,
        rows,
        note=f"共 {len(rows)} 个未办结问题" + (f"，其中{said}" if said else "")
        + "；逾期的在前。红：逾期未办结；黄：久无进展或申请办结被退回；蓝：临近办结时限。",
        empty="没有未办结的问题。",
    )  # fmt: skip


def _texts(found, *columns: str) -> list[list]:
    """Columns as lists of their values, None where missing (never NaN in a cell)."""
    return [found[c].astype(object).where(found[c].notna(), None).tolist() for c in columns]


def scopes(table) -> dict[str, list[str]]:
    """Whose 清单 can be made from a ledger (ledger.ledger): the leaders and the units (主办 or
    协办) of its open problems."""
    found = open_for_meeting(table)
    units = {u for u in found["lead_unit"].dropna()}
    units |= {u for listed in found["support_units"] for u in listed}
    return {"leader": sorted(found["leader"].dropna().unique()), "unit": sorted(units)}


def agenda_file(table: Table, fmt: str) -> bytes:
    """The 清单 as a PDF (A4 landscape, set as the bulletin) or an Excel workbook; every text
    as typed: HTML escaped in the PDF, stored as text (never a formula) in the workbook."""
    stamp = f"秀洲区重点项目看板　·　{table.note}"
    if fmt == "pdf":
        from xzcore.report import pdf

        return pdf.tables_pdf(table.title, "秀洲区重点项目看板", (table,), landscape=True)
    if fmt == "xlsx":
        from xzcore.report import workbook

        return workbook.tables_xlsx(table.title, stamp, (table,))
    raise ValueError(f"unknown format {fmt}")


def file_name(table: Table, fmt: str) -> str:
    """The 清单's title as a file name: a unit's "/" would be a directory."""
    return f"{table.title}.{fmt}".replace("/", "／").replace("\\", "＼")


def paragraph(con, month: Month) -> str:
    """本月收集问题X个，办结Y个；累计收集A个，办结B个，办结率Z%；逾期未办结W个。"""
    return ledger.sentence(ledger.month_figures(con, month))


def overdue_table(con, month: Month) -> Table:
    """逾期未办结问题 at the month's end, for the bulletin."""
    found = ledger.overdue_at(con, month)
    rows = tuple(
        (r.id, r.project, r.category, r.description, r.lead_unit, r.leader, _day(r.due_on),
         r.days)
        for r in found.itertuples()
    )  # fmt: skip
    columns = (Column("编号", "count", 6), Column("项目", "text", 28), Column("类型", "text", 10),
               Column("问题描述", "text", 36), Column("主办单位", "text", 18),
               Column("协调区领导", "text", 16), Column("办结时限", "text", 12),
               Column("逾期天数", "count", 10))  # fmt: skip
    return Table(
        "逾期未办结问题",
        f"逾期未办结问题（截至{month.end:%Y年%m月%d日}）",
        columns,
        rows,
        note="月末已过办结时限、仍未销号的问题（暂缓的除外），逾期最久的在前。",
        empty="月末没有逾期未办结的问题。",
    )


def open_for_meeting(table):
    """The rows of a ledger (ledger.ledger, in its order: overdue first) a meeting takes up:
    open and not on hold."""
    return table[table["state"].isin(AGENDA_STATES)]


def by_unit(found) -> list[dict]:
    """Per 主办单位 of these open problems: how many, and how many red, yellow and blue; the
    units with the most overdue first (then yellow, then open), for the presentation's slide."""
    keyed = found.assign(unit=found["lead_unit"].fillna(ledger.NOT_ASSIGNED))
    rows = [
        {
            "unit": unit,
            "open": len(group),
            **{colour: int(group["colour"].eq(colour).sum()) for colour in MARKS},
        }
        for unit, group in keyed.groupby("unit", sort=True)
    ]
    return sorted(rows, key=lambda r: (-r[RED], -r[YELLOW], -r["open"]))
