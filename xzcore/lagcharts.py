"""Charts of lag: every project against the light zones, and the project × month light history."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from xzcore.charts import LIGHT_COLORS, SCHEDULE_COLOR, layout
from xzcore.rules import LIGHT_NAMES, Preset

_ZONE_FILL = {
    "green": "rgba(46,157,79,0.10)",
    "yellow": "rgba(224,168,0,0.14)",
    "red": "rgba(192,57,43,0.10)",
}


def _zone_edges(preset: Preset, schedule: float) -> tuple[float, float]:
    """Completion rates (%) where yellow and green begin, for a project on this schedule."""
    s = schedule * 100
    if preset.measure == "lag_pp":
        return s - float(preset.yellow.value), s - float(preset.green.value)
    return s * float(preset.yellow.value), s * float(preset.green.value)


def lag_scatter(status: pd.DataFrame, schedule: float, preset: Preset, title: str) -> go.Figure:
    """Completion rate (x) against annual plan (y, log) with the preset's zones drawn.

    The zones are those of the district's schedule; in plan mode a project's own schedule may
    differ, so its colour (its own light) is what counts.
    """
    data = status[status.completion_rate.notna()]
    yellow_at, green_at = _zone_edges(preset, schedule)
    right = max(float(data.completion_rate.max() * 100) if len(data) else 0, schedule * 100) * 1.1
    fig = go.Figure()
    for light, (x0, x1) in {
        "red": (0, yellow_at),
        "yellow": (yellow_at, green_at),
        "green": (green_at, right),
    }.items():
        if x1 > x0:
            fig.add_vrect(
                x0=max(x0, 0), x1=x1, fillcolor=_ZONE_FILL[light], line_width=0, layer="below"
            )
    for light in ("green", "yellow", "red"):
        part = data[data.light == light]
        fig.add_scatter(
            x=part.completion_rate * 100,
            y=part.plan_wan / 10000,
            mode="markers",
            name=f"{LIGHT_NAMES[light]}（{len(part)}个）",
            marker={
                "color": LIGHT_COLORS[light],
                "size": 11,
                "line": {"color": "white", "width": 1},
                "symbol": {"green": "circle", "yellow": "triangle-up", "red": "square"}[light],
            },
            customdata=part[["id"]].to_numpy(),
            text=[
                f"<b>{html.escape(n)}</b><br>{html.escape(u or '')}<br>{html.escape(r)}"
                for n, u, r in zip(part.name, part.unit, part.reason, strict=True)
            ],
            hovertemplate="%{text}<extra></extra>",
        )
    fig.add_vline(
        x=schedule * 100,
        line={"color": SCHEDULE_COLOR, "dash": "dash", "width": 2},
        annotation_text=f"时序进度 {schedule * 100:.1f}%",
        annotation_position="top",
    )
    fig.update_xaxes(title="完成率（%）", ticksuffix="%", range=[0, right], gridcolor="#eee")
    fig.update_yaxes(title="年度计划（亿元，对数）", type="log", gridcolor="#eee")
    return layout(fig, title, 520)


def light_heatmap(history: pd.DataFrame, title: str) -> go.Figure:
    """Projects (rows, worst now at the top) × months, coloured by the light published then."""
    if history.empty:
        return layout(go.Figure(), title, 200)
    code = {"green": 0, "yellow": 1, "red": 2}
    grid = history.pivot_table(index="id", columns="month", values="light", aggfunc="first")
    reasons = history.pivot_table(index="id", columns="month", values="reason", aggfunc="first")
    names = history.drop_duplicates("id").set_index("id")["name"]
    last = grid.columns.max()
    order = grid[last].map(code).fillna(-1).sort_values(kind="stable").index
    grid, reasons = grid.loc[order], reasons.loc[order]
    z = grid.apply(lambda col: col.map(code)).to_numpy(dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"{m}月" for m in grid.columns],
            y=[html.escape(names[i]) for i in grid.index],
            customdata=reasons.fillna("未亮灯").map(html.escape).to_numpy(),
            colorscale=[
                [0, LIGHT_COLORS["green"]],
                [0.5, LIGHT_COLORS["yellow"]],
                [1, LIGHT_COLORS["red"]],
            ],
            zmin=0,
            zmax=2,
            showscale=False,
            xgap=2,
            ygap=1,
            hovertemplate="%{y}　%{x}<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_yaxes(tickfont={"size": 11})  # rows run upwards: the worst end on top
    return layout(fig, title, max(320, 16 * len(grid) + 100))
