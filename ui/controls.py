"""The view every page shares: month and filters (kept in the URL), the stamp, drill-down,
and the way into presentation mode (ui/present.py), which shows the same view as slides.

A copied link opens the same view: ?month=2020-06&unit=区交通运输局&light=red.
Clicking a group on a chart filters to it; clicking a project opens its detail page.

Months follow the monthly cycle (DESIGN.md §6): a user is offered the months he may open
(published ones; the one being collected too for the office and admin), the newest published
first; a month being collected carries its 未发布 banner on every page, a published one the
version shown (the overview and the report offer earlier versions: ?version=1).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from ui import data, screen
from xzcore import auth
from xzcore.display import charts, tables
from xzcore.period import Month
from xzcore.rules import LIGHT_NAMES, SCHEDULE_MODES

FILTERS = {
    "tier": "项目级别",
    "township": "镇街道",
    "unit": "责任单位",
    "leader": "联系区领导",
    "light": "亮灯",
}
PROJECT_PAGE = "pages/project.py"
PRESENT = "present"  # ?present=1: the same view as meeting slides (ui/present.py)
_OPEN = "_open_project"
# The rule for a project with no report in the month, stated wherever its figures are shown.
UNREPORTED_RULE = "未报送的项目按上月累计计列，标注未报送"
# What a chart or table says instead of empty axes when the view's filters keep no project.
NOTHING_MATCHES = "没有符合筛选条件的项目。"


@dataclass(frozen=True)
class View:
    month: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # hashable, for the caches
    edition: int | None = None  # the published version shown; None: a month being collected
    banner: str | None = None  # 未发布（已报送 x/y 个项目，a/b 个单位） while collecting
    note: str | None = None  # why the month the link asked for is not the one shown

    def as_dict(self) -> dict[str, list[str]]:
        return {column: list(values) for column, values in self.filters}

    def without_light(self) -> tuple:
        return tuple(f for f in self.filters if f[0] != "light")


def view(
    version: str, user: auth.User | None, *, filters: bool = True, versions: bool = False
) -> View:
    """Sidebar controls, read from and written back to the URL; follows pending drill-downs.

    `versions`: offer a picker of the month's published versions (the overview and the report);
    elsewhere a published month shows its latest version."""
    if _OPEN in st.session_state:
        project = st.session_state.pop(_OPEN)
        st.switch_page(PROJECT_PAGE, query_params={"project": project, **_month_param()})
    month, note = month_picker(version, user)
    edition = _edition(version, month, versions)
    chosen = _filter_widgets(version) if filters else ()
    st.sidebar.button(
        "演示模式",
        icon=":material/co_present:",
        width="stretch",
        help="会议投屏用：全屏幻灯片、大字号，按 → ← 翻页；月份与筛选同当前视图，网址可提前复制",
        on_click=_present,
    )
    return View(month, chosen, edition, data.banner(version, month), note)


def linked_view(version: str, user: auth.User | None) -> View:
    """The view the URL (or the session) holds, drawing no widget: for the presentation, which
    shows a published month's latest version (and a month being collected with its banner)."""
    month, note = _chosen_month(version, user)
    _remember("month", month)
    chosen = []
    for column, values in _chosen_filters(version).items():
        _remember(column, values)
        if values:
            chosen.append((column, tuple(values)))
    found = data.versions(version, month)
    edition = found[-1].version if found else None
    return View(month, tuple(chosen), edition, data.banner(version, month), note)


def _present() -> None:
    st.query_params[PRESENT] = "1"


def _month_param() -> dict:
    month = st.query_params.get("month")
    return {"month": month} if month else {}


# The view lives in two places: the URL (so a copied link opens it) and the session (so it
# survives moving between pages, which clears the URL and drops widget state). A value in the
# URL wins: it is a link someone followed. Each widget's state is set from the view before it
# is drawn, and its change callback writes the view back.


def _url_or_session(name: str, many: bool = False):
    if many:
        values = st.query_params.get_all(name)
        return values if values else st.session_state.get(f"view_{name}", [])
    return st.query_params.get(name) or st.session_state.get(f"view_{name}")


def _remember(name: str, value) -> None:
    st.session_state[f"view_{name}"] = value
    if value:
        st.query_params[name] = value
    else:
        st.query_params.pop(name, None)


def _changed(name: str) -> None:
    _remember(name, st.session_state[f"w_{name}"])
    if name == "month":  # versions are a month's own: another month opens at its latest
        _remember("version", None)


def _months(version: str, user: auth.User | None) -> list[str]:
    months = data.viewable(version, user)
    if not months:
        if data.months(version):  # figures are in, none of them published yet
            st.info("还没有已发布的月份：各单位的月报正在收集，区重点办发布后即可在此查看。")
        else:
            st.warning("数据库中还没有任何月报数据，请先在“上传数据”页导入计划表和月报。")
        st.stop()
    return months


def _chosen_month(version: str, user: auth.User | None) -> tuple[str, str | None]:
    """The month asked for (URL, then session) when this user may open it, else the default
    (the newest published month); with a note when the month asked for is not published yet."""
    months = _months(version, user)
    default = data.default_month(version, user) or months[-1]
    current = _url_or_session("month")
    if current in months:
        return current, None
    note = None
    if current in data.collecting(version):
        note = (
            f"{month_label(current)}的数据尚未发布（正在收集各单位月报），发布后才能查看；"
            f"现显示已发布的最新月份：{month_label(default)}。"
        )
    return default, note


def _edition(version: str, month: str, offered: bool) -> int | None:
    """The published version shown: the latest, or on a page that offers them, the one asked
    for (?version=); with a caption saying when it was published. None while collecting."""
    found = {v.version: v for v in data.versions(version, month)}
    if not found:
        st.sidebar.caption(f":orange[**收集中**]　{data.banner(version, month)}")
        return None
    latest = max(found)
    asked = _url_or_session("version") if offered else None
    chosen = int(asked) if asked and asked.isdigit() and int(asked) in found else latest
    if offered:
        _remember("version", str(chosen) if chosen != latest else None)
    else:  # kept in the session for the pages that offer it, out of this page's link
        st.query_params.pop("version", None)
    if offered and len(found) > 1:
        st.session_state["w_version"] = str(chosen)
        st.sidebar.selectbox(
            "版本",
            [str(n) for n in sorted(found, reverse=True)],
            key="w_version",
            format_func=lambda n: f"第{n}版" + ("（最新）" if int(n) == latest else ""),
            on_change=_changed,
            args=("version",),
            help="发布后的更正会形成新的版本；早先的版本仍可查看",
        )
    st.sidebar.caption(published_text(found[chosen]))
    return chosen


def published_text(v) -> str:
    """已发布：2020-09-12 10:00（第1版）; a correction says so."""
    corrected = "，更正" if v.corrected else ""
    return f"已发布：{v.published_at:%Y-%m-%d %H:%M}（第{v.version}版{corrected}）"


def _chosen_filters(version: str) -> dict[str, list[str]]:
    options = data.filter_options(version)
    return {c: [v for v in _url_or_session(c, many=True) if v in options[c]] for c in FILTERS}


def month_picker(version: str, user: auth.User | None) -> tuple[str, str | None]:
    """The month chosen (and a note when a link asked for one not published yet)."""
    months = _months(version, user)
    current, note = _chosen_month(version, user)
    collecting = set(data.collecting(version))
    _remember("month", current)
    st.session_state["w_month"] = current
    st.sidebar.selectbox(
        "报告月份",
        months,
        key="w_month",
        format_func=lambda m: month_label(m) + ("（收集中，未发布）" if m in collecting else ""),
        on_change=_changed,
        args=("month",),
    )
    return current, note


def _filter_widgets(version: str) -> tuple:
    options = data.filter_options(version)
    current = _chosen_filters(version)
    chosen = []
    with st.sidebar.expander("筛选", expanded=any(current.values())):
        for column, label in FILTERS.items():
            _remember(column, current[column])
            st.session_state[f"w_{column}"] = current[column]
            st.multiselect(
                label,
                options[column],
                key=f"w_{column}",
                format_func=(lambda v: LIGHT_NAMES[v]) if column == "light" else str,
                placeholder="全部",
                on_change=_changed,
                args=(column,),
            )
            if current[column]:
                chosen.append((column, tuple(current[column])))
        if chosen and st.button("清除筛选", width="stretch"):
            for column in FILTERS:
                _remember(column, [])
            st.rerun()
    return tuple(chosen)


def month_label(month: str) -> str:
    """2020-08 → 2020年1-8月 (a selectbox's words for its value)."""
    return Month.parse(month).label


def header(title: str, view: View, version: str) -> None:
    """The title, the month's state (a banner while it is being collected) and the stamp: data
    as of, published or not, schedule mode and light rule the month is shown with, demo data."""
    st.title(title)
    if view.note:
        st.info(view.note)
    if view.banner:
        st.warning(
            f"**{view.banner}**　本月月报正在收集，以下数据不是发布数；{UNREPORTED_RULE}。",
            icon=":material/pending:",
        )
    info = data.rules_info(version, view.month, view.edition)
    state = view.banner or f"已发布（第{view.edition}版）"
    stamp = (
        f"数据截至 {month_label(view.month)}　·　{state}　·　时序进度："
        f"{SCHEDULE_MODES[info['mode']]}　·　亮灯规则：{info['title']}"
    )
    if view.filters:  # values from the URL (and the database): Markdown in them stays text
        stamp += "　·　" + tables.literal(describe_filters(view))
    if data.is_demo(version):
        stamp += "　·　**示例数据**"
    st.caption(stamp, help=f"亮灯规则来源：{info['source']}")


def describe_filters(view: View) -> str:
    """The view's filters in words: 筛选：责任单位 区交通运输局；亮灯 红灯."""
    return "筛选：" + "；".join(
        f"{FILTERS[c]} " + "、".join(LIGHT_NAMES.get(v, v) for v in values)
        for c, values in view.filters
    )


REPORTED = "本月报送"


def mark_reported(shown: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    """A list as shown with 本月报送 (已报送/未报送), from the rows' `reported`."""
    words = source["reported"].map({True: "已报送", False: "未报送"})
    return shown.assign(**{REPORTED: words.to_numpy()})


def with_reported(order: list[str], source: pd.DataFrame, after: str) -> list[str]:
    """The column order with 本月报送 after `after`, when some project in the list has no report
    of the month (a list all reported needs no such column)."""
    if source.empty or source["reported"].all():
        return order
    at = order.index(after) + 1
    return [*order[:at], REPORTED, *order[at:]]


def reason(label: str, key: str, example: str | None = None) -> str:
    """A reason the batch and the audit log keep (退回、更正、确认), trimmed; at most 500
    characters, as the store keeps them."""
    return st.text_input(
        label, key=key, max_chars=500, placeholder=f"例如：{example}" if example else None
    ).strip()


def group_chart(place, version: str, view, column: str, key: str, what: str = "completion"):
    """Draw the view's groups of a column as bars (data.group_chart) in `place` (st or a
    column); a click on a bar filters the view to that group."""
    place.plotly_chart(
        data.group_chart(version, view.month, view.filters, view.edition, column, what),
        width="stretch",
        config=screen.CONFIG,
        key=key,
        # a partial, not a lambda: a lambda keeps the page's globals alive in every session
        on_select=functools.partial(filter_to, column, key),
        selection_mode="points",
    )


def filter_to(column: str, chart_key: str, axis: str = "y") -> None:
    """on_select callback of a chart whose bars are groups: filter the view to the clicked one.

    `axis` is where the group's name is: "y" for horizontal bars, "x" for columns.
    """
    points = st.session_state[chart_key].selection.points
    if points:  # the label is the group's name as charts.escape() wrote it for Plotly
        _remember(column, [charts.unescape(str(points[0][axis]))])


def open_project(chart_key: str) -> None:
    """on_select callback of a chart whose points carry the project id in customdata[0]."""
    points = st.session_state[chart_key].selection.points
    if points and points[0].get("customdata"):
        st.session_state[_OPEN] = int(points[0]["customdata"][0])


def open_row(table_key: str, ids: list[int]) -> None:
    """on_select callback of a project table (single-row selection): open that project."""
    rows = st.session_state[table_key].selection.rows
    if rows:
        st.session_state[_OPEN] = int(ids[rows[0]])
