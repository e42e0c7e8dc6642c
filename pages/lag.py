"""进度滞后: every project against the light zones, the lights that changed, the lagging list
and each project's lights month by month."""

import functools

import streamlit as st

from ui import controls, data, formats, project_lists, screen, shell
from xzcore import rules
from xzcore.display import lagcharts, tables

HEATMAP_INLINE = 150  # more projects than this: the tall heatmap waits in an expander
HEATMAP_ROWS = 300  # and draws the worst this many (16 px a row: 4,800 px)
COLUMNS = formats.COLUMNS | {
    "id": None,  # kept for the drill-down, not shown
    "项目名称": st.column_config.TextColumn(pinned=True),
}
LAGGING_ORDER = ["项目名称", "亮灯", "完成率", tables.VERSUS, "原因", "责任单位", "镇街道",
                 "累计完成（万元）", "年度计划（万元）", "项目代码"]  # fmt: skip
CHANGES_ORDER = ["项目名称", "上月", "本月", "变化", tables.VERSUS, "原因", "责任单位", "镇街道"]


@st.cache_resource(show_spinner=False, max_entries=32)
def listed(version: str, month: str, filters: tuple, edition, which: str):
    """One of the page's lists as shown (本月报送 after `after` when some project has none) and
    as its CSV, made once per data version and view and shared by every session: a 「下载 CSV」
    keeps its table in the session until clicked, and a copy per idle session was ~4 MB at
    10,000 projects. Nothing changes these frames after they are made."""
    status = data.lights(version, month, filters, edition=edition)
    if which == "changes":
        source = lagcharts.in_view(data.light_changes(version, month, edition), status["id"])
        table, order, after = lagcharts.changes_table(source), CHANGES_ORDER, "本月"
    else:
        source = lagcharts.lagging(status)
        table, order, after = tables.projects(source), LAGGING_ORDER, "亮灯"
    table = controls.mark_reported(table, source)
    order = controls.with_reported(order, source, after)
    return table, order, table[order]


def project_table(which: str, key: str, file_name: str) -> None:
    """A clickable list of projects (ticking a row opens the project's page), the worst
    formats.LISTED_ROWS of it shown, and its CSV with all of them."""
    table, order, csv = listed(version, view.month, view.filters, view.edition, which)
    light, reasons = ("本月", ("变化", "原因")) if which == "changes" else ("亮灯", ("原因",))
    project_lists.show(
        table, csv, key=key, order=order, columns=COLUMNS, month=view.month,
        file_name=file_name, csv_key=f"csv_{key}", light=light, reasons=reasons,
    )  # fmt: skip


user = shell.page()
version = data.data_version()
view = controls.view(version, user)
controls.header("进度滞后", view, version)
info = data.rules_info(version, view.month, view.edition)
status = data.lights(version, view.month, view.filters, edition=view.edition)
if status.empty:
    st.info("没有符合筛选条件的项目。")
    st.stop()
missing = int((~status["reported"]).sum())
if missing:
    st.caption(f"本月未报送 {missing} 个项目：{controls.UNREPORTED_RULE}，亮灯亦按此计算。")

# (a) Every project against the zones of the rule in force, with an admin's thresholds; each
# point's colour is its own computed light.
key = "lag_scatter"
st.plotly_chart(
    data.lag_scatter(version, view.month, view.filters, view.edition),
    width="stretch",
    config=screen.CONFIG,
    key=key,
    # a partial, not a lambda: a lambda keeps this page's globals (the 10,000-row status
    # frame) alive in every session that holds the callback, ~2.5 MB an idle session
    on_select=functools.partial(controls.open_project, key),
    selection_mode="points",
)
if len(status) > lagcharts.NAMED_POINTS:
    st.caption(
        f"悬停显示名称与原因的是最差的 {lagcharts.NAMED_POINTS} 个项目；"
        "其余的点只显示位置，点击同样打开项目。"
    )

# (b) The rule in force, in the words every light's reason quotes.
bands = info["bands"]
preset = rules.get_preset(info["name"])
start = info["start"] + ("；两条规则取较重者" if preset.start_rule else "")
st.caption(
    f"亮灯规则（{info['title']}）：● 绿灯：{bands['green']}；▲ 黄灯：{bands['yellow']}；"
    f"■ 红灯：{bands['red']}。开工：{start}。底色为按全区时序进度划分的亮灯区间，"
    "点的颜色与形状是各项目自己的亮灯；点击一个点打开该项目。"
)

# (c) What changed since last month, newly red first.
changes = lagcharts.in_view(data.light_changes(version, view.month, view.edition), status["id"])
st.subheader(f"本月亮灯变化（{len(changes)} 个）")
if view.month.endswith("-01"):
    st.info("1月是本年度第一个月，没有上月亮灯可比。")
elif changes.empty:
    st.info("与上月相比，没有项目的亮灯发生变化。")
else:
    st.caption("上月 → 本月；转为红灯的排在最前。勾选行首的方框打开项目详情。")
    project_table("changes", "lag_changes", f"亮灯变化_{view.month}")

# (e) The lagging projects and why.
lagging = lagcharts.lagging(status)
st.subheader(f"滞后项目：红灯、黄灯（{len(lagging)} 个）")
if lagging.empty:
    st.info("本月没有亮红灯或黄灯的项目。")
else:
    st.caption("按亮灯、滞后排序，最差的在前。勾选行首的方框打开项目详情。")
    project_table("lagging", "lag_projects", f"滞后项目_{view.month}")

# (d) Lights month by month: one row a project, so it goes last, folded when long, and never
# more rows than a browser can draw (the worst first: lights() orders them so).
heatmap = data.light_heatmap(version, view.month, view.filters, view.edition, HEATMAP_ROWS)
if len(status) <= HEATMAP_INLINE:
    st.plotly_chart(heatmap, width="stretch", config=screen.CONFIG)
else:
    shown = min(len(status), HEATMAP_ROWS)
    with st.expander(f"逐月亮灯（{shown} 个项目）"):
        if len(status) > shown:
            st.caption(
                f"只画当前最差的 {shown} 个项目（共 {len(status)} 个）；"
                "用侧边栏的筛选缩小范围可看到其余项目。"
            )
        st.plotly_chart(heatmap, width="stretch", config=screen.CONFIG)
