"""The presentation's 节点超期 slide (accounts only, last): the nodes overdue at the month's end
(today within the month) counted by responsible unit, the worst first, beside the nodes
themselves, the longest overdue first.

A filtered view lists the nodes of its projects. Every name a person typed (project, node,
unit) is escaped: the slide is HTML.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import nodes, slide_html
from ui.slide_html import block, text
from xzcore.nodes import states

UNITS_SHOWN = 10
_SHORT = 18  # characters of a project's name on the slide (one line); the page has the rest


def found(view, ids: pd.Series) -> pd.DataFrame:
    day, _ = nodes.as_of(view.month)
    table = nodes.overdue(nodes.version(), view.month, view.edition, day)
    if view.filters:
        table = table[table["project_id"].isin(set(ids))]
    return table.reset_index(drop=True)


def _one_line(cell: str) -> str:
    return f'<span style="white-space:nowrap">{cell}</span>'


def draw(slide, rows: pd.DataFrame, view) -> None:
    _, label = nodes.as_of(view.month)
    units = states.by_unit(rows)
    new = int(rows["new"].sum()) if not rows.empty else 0
    st.html(
        slide_html.note(
            f"{label}：超期未完成的节点 {len(rows)} 个（其中本月到期 {new} 个），"
            f"涉及 {len(units)} 个责任单位。单位按超期节点数排序，节点按超期天数排序。"
        )
    )
    if rows.empty:
        slide_html.empty("没有超期未完成的节点。")
        return
    left, right = st.columns([4, 9], gap="large")
    more_units = len(units) - UNITS_SHOWN
    block(
        left,
        "按责任单位",
        ["责任单位", "超期节点", "本月到期", "最长超期"],
        [
            [text(u["unit"]), str(u["overdue"]), str(u["new"]), f"{u['longest']}天"]
            for u in units[:UNITS_SHOWN]
        ],
        {"超期节点", "本月到期", "最长超期"},
        f"另有 {more_units} 个单位未列出。" if more_units > 0 else "",
    )
    part = slide.rows(len(rows))
    more = slide.left_over(len(rows))
    block(
        right,
        "超期最久的节点",
        ["项目", "节点", "计划日期", "超期", "责任单位"],
        [
            [
                _one_line(text(r.project, _SHORT)),
                text(r.name),
                _one_line(f"{pd.Timestamp(r.planned):%Y-%m-%d}"),
                _one_line(f"{int(r.days)}天"),
                text(r.unit),
            ]
            for r in rows.iloc[part].itertuples()
        ],
        {"超期"},
        f"另有 {more} 个未列出，见看板“项目推进”页。" if more else "",
    )
