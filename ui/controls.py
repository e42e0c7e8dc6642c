"""The view every page shares: month and filters (kept in the URL), the stamp, drill-down,
and the way into presentation mode (ui/present.py), which shows the same view as slides.

A copied link opens the same view: ?month=2020-06&unit=区交通运输局&light=red.
Clicking a group on a chart filters to it; clicking a project opens its detail page.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui import data
from xzcore import charts, tables
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


@dataclass(frozen=True)
class View:
    month: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # hashable, for the caches

    def as_dict(self) -> dict[str, list[str]]:
        return {column: list(values) for column, values in self.filters}

    def without_light(self) -> tuple:
        return tuple(f for f in self.filters if f[0] != "light")


def view(version: str, *, filters: bool = True) -> View:
    """Sidebar controls, read from and written back to the URL; follows pending drill-downs."""
    if _OPEN in st.session_state:
        project = st.session_state.pop(_OPEN)
        st.switch_page(PROJECT_PAGE, query_params={"project": project, **_month_param()})
    month = month_picker(version)
    chosen = _filter_widgets(version) if filters else ()
    st.sidebar.button(
        "演示模式",
        icon=":material/co_present:",
        width="stretch",
        help="会议投屏用：全屏幻灯片、大字号，按 → ← 翻页；月份与筛选同当前视图，网址可提前复制",
        on_click=_present,
    )
    return View(month, chosen)


def linked_view(version: str) -> View:
    """The view the URL (or the session) holds, drawing no widget: for the presentation."""
    month = _chosen_month(_months(version))
    _remember("month", month)
    chosen = []
    for column, values in _chosen_filters(version).items():
        _remember(column, values)
        if values:
            chosen.append((column, tuple(values)))
    return View(month, tuple(chosen))


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


def _months(version: str) -> list[str]:
    months = data.months(version)
    if not months:
        st.warning("数据库中还没有任何月报数据，请先在“上传数据”页导入计划表和月报。")
        st.stop()
    return months


def _chosen_month(months: list[str]) -> str:
    current = _url_or_session("month")
    return current if current in months else months[-1]


def _chosen_filters(version: str) -> dict[str, list[str]]:
    options = data.filter_options(version)
    return {c: [v for v in _url_or_session(c, many=True) if v in options[c]] for c in FILTERS}


def month_picker(version: str) -> str:
    months = _months(version)
    current = _chosen_month(months)
    _remember("month", current)
    st.session_state["w_month"] = current
    st.sidebar.selectbox(
        "报告月份",
        months,
        key="w_month",
        format_func=month_label,
        on_change=_changed,
        args=("month",),
    )
    return current


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
    year, m = month.split("-")
    return f"{year}年1-{int(m)}月" if int(m) > 1 else f"{year}年1月"


def header(title: str, view: View, version: str) -> None:
    """The title and the stamp: data as of, schedule mode and light rule in force, demo data."""
    st.title(title)
    info = data.rules_info(version)
    stamp = (
        f"数据截至 {month_label(view.month)}　·　时序进度：{SCHEDULE_MODES[info['mode']]}"
        f"　·　亮灯规则：{info['title']}"
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
