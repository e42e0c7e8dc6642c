"""Problems as the report's tables (xzcore.report.model.Table): the 待协调问题清单 for a
meeting (a leader's, a unit's, or all), and the bulletin's paragraph and overdue list. The
bulletin, PDF and workbook writers take these as they take their own tables.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xzcore.period import Month
from xzcore.problems import ledger
from xzcore.report.model import Column, Table

AGENDA_COLUMNS = (
    Column("编号", "count", 6),
    Column("督办", "text", 10),
    Column("督办原因", "text", 24),
    Column("项目", "text", 28),
    Column("类型", "text", 10),
    Column("问题描述", "text", 36),
    Column("需协调事项", "text", 30),
    Column("主办单位", "text", 18),
    Column("协调区领导", "text", 16),
    Column("办结时限", "text", 12),
    Column("状态", "text", 10),
)


def _day(value) -> str | None:
    return None if value is None or pd.isna(value) else f"{value:%Y-%m-%d}"


def agenda(con, today: dt.date, *, leader: str | None = None, unit: str | None = None) -> Table:
    """The open problems to take to a meeting (not those on hold), overdue first; a leader's
    (协调区领导) or a unit's (主办 or 协办) when named."""
    found = ledger.ledger(con, today, state=["待交办", "已交办", "办理中", "申请办结"],
                          leader=leader, unit=[unit] if unit else None)  # fmt: skip
    whose = "、".join(w for w in (leader, unit) if w) or "全部"
    rows = tuple(
        (r.id, r.colour and f"{r.colour}色督办", r.colour_reason or None, r.project, r.category,
         r.description, r.request, r.lead_unit, r.leader, _day(r.due_on), r.state)
        for r in found.itertuples()
    )  # fmt: skip
    return Table(
        "待协调问题清单",
        f"待协调问题清单（{whose}，截至{today:%Y年%m月%d日}）",
        AGENDA_COLUMNS,
        rows,
        note=f"共 {len(rows)} 个未办结问题，逾期的在前。",
        empty="没有未办结的问题。",
    )


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
