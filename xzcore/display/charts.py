"""Plotly figures: a DataFrame or summary in, a Figure out. No data access here."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from xzcore.display.tables import group_name
from xzcore.rules import LIGHT_NAMES

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, Source Han Sans SC, sans-serif"
LIGHT_COLORS = {"green": "#2e9d4f", "yellow": "#e0a800", "red": "#c0392b"}
SCHEDULE_COLOR = "#c0392b"
BAR_COLOR = "#2f6db5"


def escape(text) -> str:
    """Text from the database (names, units, townships, reasons) for a figure, shown as typed.

    Plotly draws <b>, <i>, <br>, <a href> … in tick labels, hovers, legends and annotations, and
    turns &lt; &gt; &amp; back into characters, but not &quot;: quotes are left as they are.
    """
    # group_name: a group (or a project) without a unit, township … showed as "None" or "nan"
    return html.escape(group_name(text), quote=False)


def unescape(label: str) -> str:
    """The database text of a label escape() made, as a chart's click event hands it back."""
    return html.unescape(label)


def layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 18}},
        font={"family": FONT, "size": 14},
        height=height,
        margin={"l": 10, "r": 20, "t": 60, "b": 40},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.12},
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def completion_by_group(groups: list[dict], schedule: float | None, title: str) -> go.Figure:
    """Horizontal bars of completion rate per group, best at the top, with the schedule line.

    Each bar has the colour of its group's own light (metrics.summary judges the group's sums by
    the preset in force), never bands of its own: a rule's thresholds live in one place.
    """
    rows = [g for g in groups if g["completion_rate"] is not None]
    rows.sort(key=lambda g: g["completion_rate"])
    fig = go.Figure(
        go.Bar(
            x=[g["completion_rate"] * 100 for g in rows],
            y=[escape(g["key"]) for g in rows],
            orientation="h",
            marker_color=[LIGHT_COLORS[g["light"]] for g in rows],
            text=[f"{g['completion_rate'] * 100:.1f}%" for g in rows],
            textposition="outside",
            cliponaxis=False,
            customdata=[
                [g["projects"], g["completed_wan"], g["plan_wan"], LIGHT_NAMES[g["light"]]]
                for g in rows
            ],
            hovertemplate="%{y}<br>完成率 %{x:.1f}%　%{customdata[3]}<br>项目 %{customdata[0]} 个"
            "<br>完成 %{customdata[1]:,.0f} / 计划 %{customdata[2]:,.0f} 万元<extra></extra>",
            name="完成率",
        )
    )
    if schedule is not None:
        fig.add_vline(
            x=schedule * 100,
            line={"color": SCHEDULE_COLOR, "dash": "dash", "width": 2},
            annotation_text=f"时序进度 {schedule * 100:.1f}%",
            annotation_position="top",
        )
    widest = max([g["completion_rate"] * 100 for g in rows] + [(schedule or 0) * 100, 1])
    # room on the right for the value labels of the longest bar
    fig.update_xaxes(
        title="完成率（%）", ticksuffix="%", gridcolor="#eee", range=[0, widest * 1.15]
    )
    return layout(fig, title, max(320, 34 * len(rows) + 120))


def cumulative_trend(points: list[dict], title: str) -> go.Figure:
    """Completed (bars) against the schedule and the annual plan, month by month, in 亿元."""
    months = [f"{p['month_no']}月" for p in points]
    fig = go.Figure()
    fig.add_bar(
        x=months,
        y=[p["completed_wan"] / 10000 for p in points],
        name="累计完成",
        marker_color=BAR_COLOR,
        hovertemplate="%{x} 累计完成 %{y:.2f} 亿元<extra></extra>",
    )
    fig.add_scatter(
        x=months,
        y=[p["plan_wan"] * p["schedule_progress"] / 10000 for p in points],
        name="时序进度应完成",
        mode="lines+markers",
        line={"color": SCHEDULE_COLOR, "dash": "dash"},
        hovertemplate="%{x} 按时序进度应完成 %{y:.2f} 亿元<extra></extra>",
    )
    fig.add_scatter(
        x=months,
        y=[p["plan_wan"] / 10000 for p in points],
        name="年度计划",
        mode="lines",
        line={"color": "#888", "width": 1},
        hovertemplate="年度计划 %{y:.2f} 亿元<extra></extra>",
    )
    fig.update_yaxes(title="亿元", gridcolor="#eee", rangemode="tozero")
    return layout(fig, title, 380)


def stage_pipeline(stages: dict[str, int], title: str) -> go.Figure:
    """签约 → 开工 → 在建 → 竣工 → 投运 as one row of bars, counts on them."""
    names = list(stages)
    fig = go.Figure(
        go.Bar(
            x=names,
            y=[stages[s] for s in names],
            text=[f"{stages[s]} 个" for s in names],
            textposition="outside",
            cliponaxis=False,
            marker_color=["#9db4d6", "#6c93c9", BAR_COLOR, "#2e9d4f", "#1b6b36"],
            hovertemplate="%{x}：%{y} 个项目<extra></extra>",
        )
    )
    fig.update_yaxes(title="项目数", gridcolor="#eee", rangemode="tozero")
    return layout(fig, title, 320)


def lights_by_group(groups: list[dict], title: str) -> go.Figure:
    """Stacked counts of green, yellow and red projects per group, most red at the top."""
    rows = sorted(groups, key=lambda g: (g["lights"]["red"], g["lights"]["yellow"]))
    fig = go.Figure()
    for light, name in (("green", "绿灯"), ("yellow", "黄灯"), ("red", "红灯")):
        fig.add_bar(
            y=[escape(g["key"]) for g in rows],
            x=[g["lights"][light] for g in rows],
            orientation="h",
            name=name,
            marker_color=LIGHT_COLORS[light],
            text=[g["lights"][light] or "" for g in rows],
            textposition="inside",
            textangle=0,  # upright; "auto" turned a count 90° in a short segment
            insidetextanchor="middle",
            hovertemplate="%{y} " + name + " %{x} 个<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title="项目数", gridcolor="#eee")
    fig = layout(fig, title, max(300, 30 * len(rows) + 120))
    # the legend above the bars, right of the title: below them it sat on the axis title
    # 项目数 whenever the chart was narrow (1366 wide, two charts side by side)
    fig.update_layout(
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"}
    )
    return fig


def project_months(months, title: str) -> go.Figure:
    """One project: completed per month (bars), cumulative completed against its target (lines)."""
    labels = [f"{m}月" for m in months["month_no"]]
    fig = go.Figure()
    fig.add_bar(
        x=labels,
        y=months["amount"],
        name="本月完成",
        marker_color="#9db4d6",
        hovertemplate="%{x} 本月完成 %{y:,.0f} 万元<extra></extra>",
    )
    fig.add_scatter(
        x=labels,
        y=months["ytd"],
        name="累计完成",
        mode="lines+markers",
        line={"color": BAR_COLOR, "width": 3},
        hovertemplate="%{x} 累计完成 %{y:,.0f} 万元<extra></extra>",
    )
    fig.add_scatter(
        x=labels,
        y=months["target_cum"],
        name="月度计划（累计）",
        mode="lines",
        line={"color": SCHEDULE_COLOR, "dash": "dash"},
        hovertemplate="%{x} 计划累计 %{y:,.0f} 万元<extra></extra>",
    )
    fig.update_yaxes(title="万元", gridcolor="#eee", rangemode="tozero", tickformat=",.0f")
    return layout(fig, title, 360)
