"""Figures restyled for a projector: type read from the back of a room, thick lines, colours
that survive a washed-out image. Takes any figure of charts/lagcharts/lightmap, builds none."""

from __future__ import annotations

import plotly.graph_objects as go

from xzcore.display.charts import LIGHT_COLORS

TEXT = "#111111"
SCHEDULE = "#111111"  # the schedule line in black: the dashboard's red is a light's colour here
FONT_SIZE = 22
AXIS_TITLE_SIZE = 24
TITLE_SIZE = 30
LINE_WIDTH = 4
MARKERS = 1.3  # points grow by this much
# Deeper than the dashboard's: a projector washes colours out towards white.
LIGHTS = {"green": "#157a35", "yellow": "#e39a00", "red": "#c4161c"}
_DEEPER = {LIGHT_COLORS[light]: colour for light, colour in LIGHTS.items()}


def _deeper(colour):
    if isinstance(colour, str):
        return _DEEPER.get(colour, colour)
    if isinstance(colour, list | tuple):
        return [_deeper(c) for c in colour]
    return colour


def _grown(size):
    if isinstance(size, int | float):
        return size * MARKERS
    if isinstance(size, list | tuple):
        return [s * MARKERS for s in size]
    return size


def _trace(trace) -> None:
    marker = getattr(trace, "marker", None)
    if marker is not None:
        marker.color = _deeper(marker.color)
        if hasattr(marker, "size"):
            marker.size = _grown(marker.size)
    line = getattr(trace, "line", None)
    if line is not None and hasattr(line, "width"):
        line.width = max(LINE_WIDTH, 2 * (line.width or 0))
    if hasattr(trace, "textfont") and trace.text is not None:
        trace.textfont.size = max(FONT_SIZE, trace.textfont.size or 0)
    if trace.type == "bar" and trace.textposition == "outside":
        trace.constraintext = "none"  # plotly would shrink the labels to the bars' thickness


def projector(fig: go.Figure, height: int | None = None) -> go.Figure:
    """A copy of the figure with big type, thick lines, deeper light colours, black schedule.

    Applied after the chart is built, so the dashboard and the meeting show the same chart.
    """
    fig = go.Figure(fig)  # the caller's figure stays as it was
    fig.update_layout(
        font={"size": FONT_SIZE, "color": TEXT},
        title={"font": {"size": TITLE_SIZE}},
        legend={"font": {"size": FONT_SIZE}},
        hoverlabel={"font": {"size": FONT_SIZE}},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    if height is not None:
        fig.update_layout(height=height)
    axes = {
        "tickfont": {"size": FONT_SIZE, "color": TEXT},
        "title": {"font": {"size": AXIS_TITLE_SIZE, "color": TEXT}},
        "gridcolor": "#c8c8c8",
        "linecolor": TEXT,
    }
    fig.update_xaxes(**axes)
    fig.update_yaxes(**axes)
    for trace in fig.data:
        _trace(trace)
    for shape in fig.layout.shapes:
        if shape.type == "line":  # add_vline: the schedule
            shape.line.color = SCHEDULE
            shape.line.width = LINE_WIDTH
    for note in fig.layout.annotations:
        note.font.size = AXIS_TITLE_SIZE
        note.font.color = TEXT
    return fig
