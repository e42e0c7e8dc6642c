"""The presentation's slides, drawn. What each shows comes from xzcore.display.slide_plan; this
module reads the view's data (cached, through ui.data) and puts it on a 1920×1080
screen in large type.

Tables are plain HTML (st.html): a projector needs type sizes and light badges the data grid
does not offer. Every text from an upload is escaped; lights carry symbol and word.
"""

from __future__ import annotations

import functools
import html
import os

import pandas as pd
import streamlit as st

from ui import access, controls, data, nodes_slide, problems_slide, screen, slide_html
from xzcore.display import charts, fmt, lagcharts, lightmap, slide_plan
from xzcore.display.present_style import projector
from xzcore.display.slide_plan import Slide
from xzcore.display.tables import LIGHT_MARKS

HEIGHT = 830  # pixels between a slide's header and its controls on a 1080-pixel screen
CHART = screen.SLIDE  # no toolbar over a slide, toolbar words in Chinese (ui/screen.py)
# Slides of charts and group tables; the overview shows its zeros, the lists say they are empty.
CHARTED = ("units", "lag", "map")


class Deck:
    """The data of one view for every slide; each part is read when a slide first needs it."""

    def __init__(self, version: str, view, user=None) -> None:
        self.version, self.view, self.user = version, view, user

    @functools.cached_property
    def total(self) -> dict:
        view = self.view
        return data.summary(
            self.version, view.month, ("unit", "township"), view.filters, view.edition
        )

    @functools.cached_property
    def before(self) -> dict | None:
        """Last month from the same copy as this month (a published month's frozen copy)."""
        return data.before(self.version, self.view.month, self.view.filters, self.view.edition)

    @functools.cached_property
    def status(self) -> pd.DataFrame:
        view = self.view
        return data.lights(self.version, view.month, view.filters, edition=view.edition)

    @functools.cached_property
    def evaluation(self) -> dict:
        return data.evaluation(self.version, self.view.month, edition=self.view.edition)

    @functools.cached_property
    def lists(self) -> dict[str, pd.DataFrame]:
        """The list slides' rows. Red flags and warnings are chosen district-wide (as on the
        红旗/预警 page); a filtered view lists those of them within it."""
        ids = self.status["id"]
        changes = data.light_changes(self.version, self.view.month, self.view.edition)
        lists = {
            "red_flags": lagcharts.in_view(self.evaluation["red_flags"], ids),
            "warnings": lagcharts.in_view(self.evaluation["warnings"], ids),
            "changes": lagcharts.in_view(changes, ids),
        }
        if access.may(self.user, "problems"):  # accounts only, as 问题督办
            lists["problems"] = problems_slide.found(self.view, ids)
            lists["nodes"] = nodes_slide.found(self.view, ids)  # 节点超期, last
        return lists

    def lengths(self) -> dict[str, int]:
        return {kind: len(rows) for kind, rows in self.lists.items()}


def draw(slide: Slide, deck: Deck) -> None:
    if slide.kind in CHARTED and not deck.total["projects"]:  # words, not empty axes
        slide_html.empty(controls.NOTHING_MATCHES)
        return
    DRAW[slide.kind](slide, deck)


# --- pieces ---------------------------------------------------------------------------------


def _name(row) -> str:
    """A project's name; one with no report of the month says so (its figures are carried)."""
    late = (
        "" if getattr(row, "reported", True) else ' <span class="xz-lag behind">（未报送）</span>'
    )
    return slide_html.text(row.name) + late


def _light(light: str) -> str:
    return f'<span class="xz-light {light}">{LIGHT_MARKS[light]}</span>'


def _lag_cell(lag) -> str:
    tone = "" if lag is None or lag != lag else " behind" if lag > 0 else " ahead"
    return f'<span class="xz-lag{tone}">{fmt.pp(lag)}</span>'


def _chart(fig) -> None:
    st.plotly_chart(fig, width="stretch", config=CHART)


# --- the slides -----------------------------------------------------------------------------


def _overview(slide: Slide, deck: Deck) -> None:
    cards = []
    for kpi in slide_plan.kpis(deck.total, deck.before):
        note = f'<div class="note {kpi.tone or ""}">{kpi.note}</div>' if kpi.note else ""
        figure = (
            f'<div><div class="label">{kpi.label}</div>'
            f'<div class="value">{kpi.value}<small>{kpi.unit}</small></div>{note}</div>'
        )
        cards.append(
            f'<div class="xz-kpi{" wide" if kpi.gauge else ""}" data-label="{kpi.label}">'
            f"{figure}{_gauge(*kpi.gauge) if kpi.gauge else ''}</div>"
        )
    for light, count, change in slide_plan.light_counts(deck.total, deck.before):
        note = "" if change is None else f'<div class="note">较上月 {change:+d} 个</div>'
        cards.append(
            f'<div class="xz-kpi lights {light}" data-label="{light}">'
            f'<div class="label">{LIGHT_MARKS[light]}</div>'
            f'<div class="value">{count}<small>个</small></div>{note}</div>'
        )
    st.html(f'<div class="xz-kpis">{"".join(cards)}</div>')


def _gauge(rate: float, schedule: float) -> str:
    """Completion as a bar from 0 to 100%, the schedule as a black mark on it."""
    done, due = min(max(rate, 0), 1) * 100, min(max(schedule, 0), 1) * 100
    return (
        f'<div class="xz-gauge"><div class="fill" style="width:{done:.1f}%"></div>'
        f'<div class="mark" style="left:{due:.1f}%"><span>时序进度 {fmt.percent(schedule)}</span>'
        '</div><div class="ends"><span>0%</span><span>100%</span></div></div>'
    )


def _units(slide: Slide, deck: Deck) -> None:
    total = deck.total
    st.html(
        slide_html.note(
            f"虚线为时序进度 {fmt.percent(total['schedule_progress'])}；柱越过虚线即超前。"
            + slide_plan.bar_legend(
                data.rules_info(deck.version, deck.view.month, deck.view.edition)
            )
        )
    )
    fig = charts.completion_by_group(total["groups"]["unit"], total["schedule_progress"], "")
    _chart(projector(fig, height=HEIGHT - 120))  # the note above (two lines) takes the rest


def _lag(slide: Slide, deck: Deck) -> None:
    groups = deck.total["groups"]["unit"]
    units = slide_plan.units_behind(groups)
    projects = slide_plan.projects_behind(deck.status)
    left, right = st.columns([5, 7], gap="large")
    on_time = slide_plan.units_on_schedule(groups)
    rest = slide_html.note(f"其余 {on_time} 个责任单位达到或超前时序进度。") if on_time else ""
    if units:
        left.html(
            f'<div class="xz-sub">责任单位：落后时序进度的 {len(units)} 个</div>'
            + slide_html.table(
                ["责任单位", "完成率", "较时序进度", "亮灯"],
                [
                    [
                        slide_html.text(g["key"]),
                        fmt.percent(g["completion_rate"]),
                        _lag_cell(g["lag_pp"]),
                        _light(g["light"]),
                    ]
                    for g in units
                ],
                numeric={"完成率"},
            )
            + rest
        )
    else:
        left.html(
            '<div class="xz-sub">责任单位</div>'
            + slide_html.note("没有落后时序进度的责任单位。")
            + rest
        )
    if projects.empty:
        right.html('<div class="xz-sub">项目</div>' + slide_html.note("没有落后时序进度的项目。"))
        return
    right.html(
        f'<div class="xz-sub">项目：落后时序进度最多的 {len(projects)} 个</div>'
        + slide_html.table(
            ["项目名称", "责任单位", "完成率", "较时序进度"],
            [
                [
                    _name(p),
                    slide_html.text(p.unit),
                    fmt.percent(p.completion_rate),
                    _lag_cell(p.lag_pp),
                ]
                for p in projects.itertuples()
            ],
            numeric={"完成率"},
        )
    )


def _map(slide: Slide, deck: Deck) -> None:
    townships = deck.total["groups"]["township"]
    points = data.map_points(deck.version, deck.view.month, deck.view.filters, deck.view.edition)
    fig = lightmap.light_map(
        points, townships, tiles=os.environ.get("XZ_MAP_TILES") or None, height=HEIGHT
    )
    left, right = st.columns([3, 2], gap="large")
    with left:
        _chart(projector(fig))
    right.html(
        slide_html.note(
            "点是项目，颜色为亮灯（图例注明个数），越大年度计划越多；浅色大圆为镇街道汇总亮灯。"
        )
        + slide_html.table(
            ["镇街道", "完成率", "亮灯", "■ 红", "▲ 黄", "● 绿"],
            [
                [
                    slide_html.text(t["key"]),
                    fmt.percent(t["completion_rate"]),
                    _light(t["light"]),
                    *(str(t["lights"][light]) for light in ("red", "yellow", "green")),
                ]
                for t in townships
            ],
            numeric={"完成率", "■ 红", "▲ 黄", "● 绿"},
        )
        + f'<div class="xz-credit">{lightmap.CREDIT}；项目位置为示意</div>'
    )


def _project_list(slide: Slide, deck: Deck, rule: str, columns: list[str], cells) -> None:
    rows = deck.lists[slide.kind]
    st.html(slide_html.note(rule))
    if rows.empty:
        slide_html.empty("本轮没有符合条件的项目。")
        return
    shown = rows.iloc[slide.rows(len(rows))]
    start = slide.rows(len(rows)).start
    body = [[str(start + i + 1), *cells(r)] for i, r in enumerate(shown.itertuples())]
    more = slide.left_over(len(rows))
    st.html(
        slide_html.table(["序号", *columns], body, numeric={"序号", "完成率"})
        + (slide_html.note(f"另有 {more} 个未列出，见看板“红旗/预警”页。") if more else "")
    )


def _red_flags(slide: Slide, deck: Deck) -> None:
    _project_list(
        slide,
        deck,
        f"{_scope(deck)}评选规则：{html.escape(deck.evaluation['red_flag_rule'])}",
        ["项目名称", "责任单位", "镇街道", "完成率", "较时序进度"],
        lambda r: [
            _name(r),
            slide_html.text(r.unit),
            slide_html.text(r.township),
            fmt.percent(r.completion_rate),
            _lag_cell(r.lag_pp),
        ],
    )


def _warnings(slide: Slide, deck: Deck) -> None:
    _project_list(
        slide,
        deck,
        f"{_scope(deck)}符合任一条即列入，按滞后幅度排序",
        ["项目名称", "入选规则", "责任单位", "完成率", "较时序进度", "亮灯"],
        lambda r: [
            _name(r),
            slide_html.text(r.rule),
            slide_html.text(r.unit),
            fmt.percent(r.completion_rate),
            _lag_cell(r.lag_pp),
            _light(r.light),
        ],
    )


def _scope(deck: Deck) -> str:
    label = deck.evaluation["label"]
    return f"{label}　全区评选{'，只列筛选范围内的项目' if deck.view.filters else ''}。"


def _changes(slide: Slide, deck: Deck) -> None:
    changes = deck.lists["changes"]
    if deck.before is None:
        slide_html.empty("本月是本年度第一个月，没有上月亮灯可比。")
        return
    if changes.empty:
        slide_html.empty("与上月相比，没有项目的亮灯发生变化。")
        return
    words = lagcharts.changes_table(changes)["变化"]
    counts = "，".join(f"{word} {n} 个" for word, n in slide_plan.change_counts(words).items())
    part = slide.rows(len(changes))
    more = slide.left_over(len(changes))
    st.html(
        slide_html.note(f"与上月相比：{counts}。转为红灯的排在最前。")
        + slide_html.table(
            ["项目名称", "上月", "", "本月", "变化", "较时序进度", "责任单位"],
            [
                [
                    _name(r),
                    _light(r.light_before),
                    "→",
                    _light(r.light),
                    slide_html.text(word),
                    _lag_cell(r.lag_pp),
                    slide_html.text(r.unit),
                ]
                for r, word in zip(changes.iloc[part].itertuples(), words.iloc[part], strict=True)
            ],
        )
        + (slide_html.note(f"另有 {more} 个未列出，见看板“进度滞后”页。") if more else "")
    )


def _problems(slide: Slide, deck: Deck) -> None:
    problems_slide.draw(slide, deck.lists["problems"])


def _nodes(slide: Slide, deck: Deck) -> None:
    nodes_slide.draw(slide, deck.lists["nodes"], deck.view)


DRAW = {
    "overview": _overview,
    "units": _units,
    "lag": _lag,
    "map": _map,
    "red_flags": _red_flags,
    "warnings": _warnings,
    "changes": _changes,
    "problems": _problems,
    "nodes": _nodes,
}
