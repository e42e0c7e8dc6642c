"""The presentation's 待协调问题 slide (accounts only, after the fixed seven): the open problems
by 主办单位 with their colours, and the most urgent of them, colour and why in words.

Problems are as of today (the colours are the day's), whatever month the deck shows; a filtered
view lists the problems of its projects, and those its units lead or support. Every text a
person typed is escaped.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import problems, slide_html
from ui.slide_html import block, text
from xzcore.problems import ledger, model
from xzcore.report import problems_meeting

# the colour on its symbol and word, never colour alone (as 问题督办's table)
_BADGE = {
    model.RED: "background:#fde2e1;color:#8a1c14",
    model.YELLOW: "background:#fff1d6;color:#7a4b00",
    model.BLUE: "background:#e1ecfb;color:#17457a",
}
_SHORT = 46  # characters of a description on a slide; the page has the rest
UNITS_SHOWN = 10


def found(view, ids: pd.Series) -> pd.DataFrame:
    """The open problems (not on hold) a meeting takes up, overdue first, within the view."""
    version, day = problems.version(), problems.today()
    table = problems_meeting.open_for_meeting(problems.table(version, day))
    if not view.filters:
        return table
    keep = table["project_id"].isin(set(ids))
    units = dict(view.filters).get("unit")
    if units:  # a unit's view: also what the unit leads or supports with no project
        keep |= table.index.isin(ledger.filtered(table, {"unit": list(units)}).index)
    return table[keep]


def badge(colour) -> str:
    if colour not in problems_meeting.MARKS:
        return "—"
    return (
        f'<span class="xz-alert" style="{_BADGE[colour]};padding:2px 10px;border-radius:6px;'
        f'font-weight:700;white-space:nowrap">{problems_meeting.MARKS[colour]}</span>'
    )


def draw(slide, rows: pd.DataFrame) -> None:
    limits = problems.thresholds(problems.version())
    counts = rows["colour"].value_counts()
    said = "、".join(
        f"{problems_meeting.MARKS[c]} {int(counts.get(c, 0))} 个" for c in model.COLOURS
    )
    st.html(
        slide_html.note(
            f"截至 {problems.today():%Y-%m-%d}（今天）：未办结 {len(rows)} 个（不含暂缓），{said}。"
            f"红：逾期未办结；黄：{limits.stale}天无进展或申请办结被退回；"
            f"蓝：{limits.due_soon}天内到期。逾期的在前。"
        )
    )
    if rows.empty:
        slide_html.empty("没有未办结的问题。")
        return
    units = problems_meeting.by_unit(rows)
    left, right = st.columns([4, 8], gap="large")
    more_units = len(units) - UNITS_SHOWN
    block(
        left,
        "按主办单位",
        ["主办单位", "未办结", "■ 红", "▲ 黄", "◆ 蓝"],
        [
            [text(u["unit"]), str(u["open"]), *(str(u[c]) for c in model.COLOURS)]
            for u in units[:UNITS_SHOWN]
        ],
        {"未办结", "■ 红", "▲ 黄", "◆ 蓝"},
        f"另有 {more_units} 个单位未列出。" if more_units > 0 else "",
    )
    part = slide.rows(len(rows))
    more = slide.left_over(len(rows))
    block(
        right,
        "最紧迫的问题",
        ["编号", "督办", "问题", "主办单位", "原因或时限"],
        [
            [
                str(r.id),
                badge(r.colour),
                (f"<b>{text(r.project)}</b><br>" if text(r.project) != "—" else "")
                + ("" if text(r.description) == "—" else text(r.description, _SHORT)),
                text(r.lead_unit or ledger.NOT_ASSIGNED),
                text(r.colour_reason) if r.colour_reason else _due(r.due_on),
            ]
            for r in rows.iloc[part].itertuples()
        ],
        {"编号"},
        f"另有 {more} 个未列出，见看板“问题督办”页。" if more else "",
    )


def _due(value) -> str:
    return "未定时限" if value is None or pd.isna(value) else f"时限 {value:%Y-%m-%d}"
