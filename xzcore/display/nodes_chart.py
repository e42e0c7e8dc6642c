"""Figures of the milestones: one project's nodes as a Gantt-style chart, and the pipeline.
A DataFrame or dict in, a plotly Figure out; no data access here."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from xzcore.display.charts import escape, layout
from xzcore.nodes.model import (
    DONE,
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    OVERDUE,
    PENDING,
    UNPLANNED,
    words,
)

STATE_COLORS = {
    DONE_ON_TIME: "#2e9d4f",
    DONE: "#2e9d4f",
    DONE_LATE: "#e07b00",
    OVERDUE: "#c0392b",
    DUE_SOON: "#e0a800",
    PENDING: "#9db4d6",
    UNPLANNED: "#bbbbbb",
}
_MS_A_DAY = 86_400_000


def _date(value) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def gantt(
    nodes: pd.DataFrame, day: dt.date, target: dt.date | None, title: str, day_label: str
) -> go.Figure:
    """The nodes top to bottom: a bar from the node before's planned date to this one's (the
    time the plan gives it), coloured by its state; the actual date as a mark (◆); a line on
    the day the states are judged at, and one on the target date."""
    rows = nodes.sort_values("position")
    labels = [escape(n) for n in rows["name"]]
    planned = [_date(v) for v in rows["planned"]]
    actual = [_date(v) for v in rows["actual"]]
    starts, spans = [], []
    previous = None
    for when in planned:
        begin = previous if previous is not None and when is not None else when
        starts.append(begin.isoformat() if begin else None)
        spans.append(max((when - begin).days, 1) * _MS_A_DAY if when and begin else None)
        previous = when or previous
    cells = [
        words(s, d if pd.notna(d) else None)
        for s, d in zip(rows["state"], rows["days"], strict=True)
    ]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=spans,
        base=starts,
        orientation="h",
        name="计划",
        marker_color=[STATE_COLORS.get(s, "#9db4d6") for s in rows["state"]],
        opacity=0.55,
        customdata=[
            [p.isoformat() if p else "未排期", c] for p, c in zip(planned, cells, strict=True)
        ],
        hovertemplate="%{y}<br>计划 %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
    )
    done = [(lab, a, c) for lab, a, c in zip(labels, actual, cells, strict=True) if a]
    fig.add_scatter(
        y=[d[0] for d in done],
        x=[d[1].isoformat() for d in done],
        mode="markers",
        name="实际完成",
        marker={
            "symbol": "diamond",
            "size": 12,
            "color": "#1b3f73",
            "line": {"color": "white", "width": 1},
        },
        customdata=[[d[2]] for d in done],
        hovertemplate="%{y}<br>实际 %{x|%Y-%m-%d}<br>%{customdata[0]}<extra></extra>",
    )
    fig.add_scatter(  # the planned date's own mark, also where a bar has no length
        y=labels,
        x=[p.isoformat() if p else None for p in planned],
        mode="markers",
        name="计划日期",
        marker={"symbol": "line-ns-open", "size": 14, "color": "#333"},
        hoverinfo="skip",
    )
    _line(fig, day, day_label, "#c0392b", "dot", "right")
    if target is not None:
        _line(fig, target, f"目标 {target:%Y-%m-%d}", "#1b6b36", "dash", "left")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(type="date", gridcolor="#eee", tickformat="%Y-%m")
    fig = layout(fig, title, max(320, 34 * len(rows) + 140))
    fig.update_layout(
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        bargap=0.35,
    )
    return fig


def _line(fig: go.Figure, day: dt.date, label: str, color: str, dash: str, side: str) -> None:
    """A dated vertical line, its label at the top on the given side of it (the day's to the
    left, the target's to the right: on a phone the two lines are a few pixels apart)."""
    # a shape and an annotation, not add_vline's annotation, which fails on a date axis
    fig.add_shape(
        type="line", x0=day.isoformat(), x1=day.isoformat(), y0=0, y1=1, yref="paper",
        line={"color": color, "dash": dash, "width": 2},
    )  # fmt: skip
    fig.add_annotation(
        x=day.isoformat(), y=1, yref="paper", yanchor="top", xanchor=side, text=label,
        showarrow=False, font={"color": color, "size": 12}, bgcolor="rgba(255,255,255,0.85)",
        xshift=-3 if side == "right" else 3,
    )  # fmt: skip


def pipeline(figures: dict, title: str) -> go.Figure:
    """签约 → 开工 → 竣工 → 投产 as a funnel of counts, each with its share of the signed."""
    counts = figures["counts"]
    names = list(counts)
    signed = counts["签约"] or 1
    fig = go.Figure(
        go.Funnel(
            y=names,
            x=[counts[s] for s in names],
            text=[f"{counts[s]} 个（{counts[s] / signed * 100:.0f}%）" for s in names],
            textinfo="text",
            marker={"color": ["#9db4d6", "#6c93c9", "#2f6db5", "#2e9d4f"]},
            hovertemplate="%{y}：%{x} 个项目<extra></extra>",
            connector={"line": {"color": "#ccc"}},
        )
    )
    return layout(fig, title, 300)
