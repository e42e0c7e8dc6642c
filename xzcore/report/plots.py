"""The bulletin's charts: the dashboard's own figures, drawn from the bulletin's data.

Names are the image files' names (numbered, in Chinese); the title is the name without its number.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from xzcore.display import charts, lagcharts, lightmap
from xzcore.report.model import Bulletin

NAMES = (
    "01_累计完成投资与时序进度",
    "02_各责任单位投资完成率",
    "03_各镇街道投资完成率",
    "04_各镇街道亮灯",
    "05_各项目完成率与亮灯区间",
    "06_亮灯地图",
)


def title(name: str) -> str:
    return name.split("_", 1)[1]


def _map(b: Bulletin, name: str) -> go.Figure:
    fig = lightmap.light_map(b.status.to_dict("records"), b.summary["groups"]["township"])
    # on paper there is no hover: the title and the credit go on the image itself
    fig.add_annotation(
        text=f"{lightmap.CREDIT}；项目位置为示意。点越大，年度计划投资越多；浅色大圆为镇街道汇总亮灯",
        x=1,
        y=1,
        xref="paper",
        yref="paper",
        xanchor="right",
        yanchor="bottom",  # in the top margin, clear of the legend at the bottom left
        showarrow=False,
        font={"size": 11, "color": "#555"},
    )
    return fig.update_layout(
        title={"text": title(name), "x": 0, "font": {"size": 18}},
        margin={"l": 0, "r": 0, "t": 60, "b": 0},
    )


def _unpublished(fig: go.Figure, banner: str) -> go.Figure:
    """A month being collected: its 未发布 line under the chart's title, on the image itself, so
    that no copied chart passes for a published one."""
    title = fig.layout.title.text or ""
    top = fig.layout.margin.t
    return fig.update_layout(
        title={"text": f"{title}<br><span style='font-size:14px;color:#b71c1c'>{banner}</span>"},
        margin={"t": max(top if top is not None else 0, 90)},
    )


def _standalone(fig: go.Figure) -> go.Figure:
    """A figure drawn outside the dashboard names its own template and margins.

    Importing streamlit makes its own template plotly's default for the whole process: colours
    the browser fills in later and no automargin, so a PDF or ZIP made by the dashboard cut the
    unit and township names to their last character, while the command line drew them whole.
    """
    fig.update_layout(template=pio.templates["plotly"])
    fig.update_xaxes(automargin=True)
    return fig.update_yaxes(automargin=True)


def figures(b: Bulletin) -> dict[str, go.Figure]:
    drawn = {name: _standalone(fig) for name, fig in _figures(b).items()}
    if b.banner:
        drawn = {name: _unpublished(fig, b.banner) for name, fig in drawn.items()}
    return drawn


def _figures(b: Bulletin) -> dict[str, go.Figure]:
    total = b.summary
    schedule, groups = total["schedule_progress"], total["groups"]
    trend, units, towns, town_lights, scatter, light_map = NAMES
    return {
        trend: charts.cumulative_trend(b.trend.to_dict("records"), title(trend)),
        units: charts.completion_by_group(groups["unit"], schedule, title(units)),
        towns: charts.completion_by_group(groups["township"], schedule, title(towns)),
        town_lights: charts.lights_by_group(groups["township"], title(town_lights)),
        scatter: lagcharts.lag_scatter(b.status, schedule or 0, b.preset, title(scatter)),
        light_map: _map(b, light_map),
    }
