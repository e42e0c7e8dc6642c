"""What a bulletin or a meeting says of the milestones at a month's end, in one paragraph:
the pipeline's rates with their denominators and the nodes overdue and due next month; and the
monthly bulletin's section 节点: that paragraph over the nodes overdue at the month's end."""

from __future__ import annotations

import pandas as pd

from xzcore.nodes import pipeline, states, store
from xzcore.period import Month
from xzcore.report.model import Column, Table

SHEET = "超期节点"


def sentence(figures: dict, overdue: pd.DataFrame, due_next: pd.DataFrame) -> str:
    """截至8月末，签约项目113个，已开工113个，已竣工6个，已投产4个；
    开工率（按1-8月计划）100.0%（已开工 113 个 ÷ 1-8月计划应开工 113 个），…；
    超期未完成节点6个（其中本月到期3个，最长超期118天），下月到期节点10个。"""
    day = figures["day"]
    counts = figures["counts"]
    said = [
        f"截至{day.month}月末，签约项目{counts['签约']}个，已开工{counts['开工']}个，"
        f"已竣工{counts['竣工']}个，已投产{counts['投产']}个"
    ]
    rates = []
    for rate in figures["rates"].values():
        shown = "—" if rate["rate"] is None else f"{rate['rate'] * 100:.1f}%"
        rates.append(f"{rate['name']}{shown}（{rate['words']}）")
    said.append("，".join(rates))
    if overdue.empty:
        late = "没有超期未完成的节点"
    else:
        new = int(overdue["new"].sum())
        late = (
            f"超期未完成节点{len(overdue)}个（其中本月到期{new}个，"
            f"最长超期{int(overdue['days'].max())}天）"
        )
    said.append(f"{late}，下月到期节点{len(due_next)}个")
    return "；".join(said) + "。"


def overdue_table(con, month: Month) -> Table:
    """超期节点 at the month's end for the bulletin (PDF section 八, a sheet of the workbook):
    the paragraph above it, the nodes the longest overdue first, their notes as typed."""
    soon = store.settings(con).due_soon
    overdue = states.overdue(con, month, soon)
    words = sentence(pipeline.figures(con, month), overdue, states.due_next(con, month, soon))
    rows = tuple(
        (i, r.project, r.name, f"{pd.Timestamp(r.planned):%Y-%m-%d}", int(r.days),
         "是" if r.new else "", r.unit, None if pd.isna(r.note) else r.note)
        for i, r in enumerate(overdue.itertuples(), start=1)
    )  # fmt: skip
    columns = (Column("序号", "count", 6), Column("项目", "text", 36), Column("节点", "text", 16),
               Column("计划日期", "text", 12), Column("超期天数", "count", 10),
               Column("本月到期", "text", 10), Column("责任单位", "text", 18),
               Column("备注", "text", 30))  # fmt: skip
    return Table(
        SHEET,
        f"超期节点（截至{month.end:%Y年%m月%d日}）",
        columns,
        rows,
        note=f"{words}下表为月末计划日期已过、仍未完成的节点，超期最久的在前。",
        empty="月末没有超期未完成的节点。",
    )
