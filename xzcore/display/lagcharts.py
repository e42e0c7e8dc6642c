"""Charts of lag: every project against the light zones, and the project × month light history."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from xzcore.display import fmt
from xzcore.display.charts import LIGHT_COLORS, SCHEDULE_COLOR, escape, layout
from xzcore.display.tables import LIGHT_MARKS, VERSUS
from xzcore.rules import LIGHT_NAMES, LIGHTS, Preset

_ZONE_FILL = {
    "green": "rgba(46,157,79,0.10)",
    "yellow": "rgba(224,168,0,0.14)",
    "red": "rgba(192,57,43,0.10)",
}


_LOG_TICKS = [m * 10.0**e for e in range(-3, 4) for m in (1, 2, 5)]
# Projects whose point carries its name, unit and reason in the hover: the worst this many. A
# hover string is ~300 bytes (Chinese goes to the browser as \uXXXX escapes), so 10,000 named
# points made a 3.5 MB chart sent on every view; the others keep their place and their click.
NAMED_POINTS = 500


def _points(part: pd.DataFrame) -> dict:
    """x, y as float32 arrays (sent as 4 bytes a value, not as decimal text) and the project id
    as plain lists: a numpy array goes to the browser as a typed array, whose rows come back
    in a selection event as {"0": id} rather than [id]."""
    return {
        "x": (part.completion_rate * 100).to_numpy("float32"),
        "y": (part.plan_wan / 10000).to_numpy("float32"),
        "customdata": [[int(i)] for i in part["id"]],
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
    named = set(data["id"].head(NAMED_POINTS))  # status comes worst first
    for light in LIGHTS:  # red drawn last, on top
        part = data[data.light == light]
        mine = part["id"].isin(named)
        marker = {
            "color": LIGHT_COLORS[light],
            "size": 11,
            "line": {"color": "white", "width": 1},
            "symbol": {"green": "circle", "yellow": "triangle-up", "red": "square"}[light],
        }
        name = f"{LIGHT_NAMES[light]}（{len(part)}个）"
        # one legend entry a light, on the named points or, when none is named, on the rest
        fig.add_scatter(
            **_points(part[mine]),
            mode="markers",
            name=name,
            legendgroup=light,
            showlegend=bool(mine.any() or mine.all()),
            marker=marker,
            text=[
                f"<b>{escape(n)}</b><br>{escape(u or '')}<br>{escape(r)}"
                for n, u, r in zip(part.name[mine], part.unit[mine], part.reason[mine], strict=True)
            ],
            hovertemplate="%{text}<extra></extra>",
        )
        if not mine.all():  # the rest: where they stand and a click to open, no name sent
            fig.add_scatter(
                **_points(part[~mine]),
                mode="markers",
                name=name,
                legendgroup=light,
                showlegend=not bool(mine.any()),
                marker=marker,
                hovertemplate="完成率 %{x:.1f}%<br>年度计划 %{y:.2f} 亿元<br>点击查看项目"
                f"<extra>{LIGHT_NAMES[light]}</extra>",
            )
    fig.add_vline(
        x=schedule * 100,
        line={"color": SCHEDULE_COLOR, "dash": "dash", "width": 2},
        annotation_text=f"时序进度 {schedule * 100:.1f}%",
        annotation_position="top",
    )
    # a little room left of 0%, so that projects with nothing done yet show whole
    fig.update_xaxes(
        title="完成率（%）", ticksuffix="%", range=[-right * 0.02, right], gridcolor="#eee"
    )
    fig.update_yaxes(
        title="年度计划（亿元，对数）",
        type="log",
        gridcolor="#eee",
        tickvals=_LOG_TICKS,  # 1-2-5 steps, labelled at full size (not plotly's small digits)
        ticktext=[f"{v:g}" for v in _LOG_TICKS],
    )
    return layout(fig, title, 520)


_CELL_WORDS = {"green": "绿", "yellow": "黄", "red": "红"}


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
            y=[escape(names[i]) for i in grid.index],
            customdata=reasons.fillna("未亮灯").map(escape).to_numpy(),
            # the light's word in each cell too: not colour alone
            text=grid.apply(lambda col: col.map(_CELL_WORDS)).fillna("").to_numpy(),
            texttemplate="%{text}",
            textfont={"size": 10, "color": "white"},
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
    # months labelled on top: the chart is taller than a screen, the worst rows are up there
    fig.update_xaxes(side="top")
    fig = layout(fig, title, max(320, 16 * len(grid) + 110))
    fig.update_layout(margin={"t": 90, "b": 20})
    return fig


# --- the lists beside the charts (pages only draw them) ---------------------------------------

_RANK = {"green": 0, "yellow": 1, "red": 2}


def in_view(frame: pd.DataFrame, ids) -> pd.DataFrame:
    """The rows of projects in the page's view (history and changes take no light filter)."""
    return frame[frame["id"].isin(set(ids))].reset_index(drop=True)


def lagging(status: pd.DataFrame) -> pd.DataFrame:
    """Projects with a red or yellow light, in the order given (lights() gives worst first)."""
    return status[status["light"].isin(("red", "yellow"))].reset_index(drop=True)


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    """history.light_changes as shown: last month → this month in words; id kept first."""
    before, now = changes["light_before"], changes["light"]
    return pd.DataFrame(
        {
            "id": changes["id"],
            "项目名称": changes["name"],
            "上月": before.map(LIGHT_MARKS),
            "本月": now.map(LIGHT_MARKS),
            "变化": [
                "转为红灯" if n == "red" else "转差" if _RANK[n] > _RANK[b] else "好转"
                for b, n in zip(before, now, strict=True)
            ],
            VERSUS: [fmt.pp(lag, short=True) for lag in changes["lag_pp"]],
            "责任单位": changes["unit"],
            "镇街道": changes["township"],
            "原因": changes["reason"],
        }
    )
