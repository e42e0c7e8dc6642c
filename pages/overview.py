"""总览: the district's figures for a month at a glance, against last month."""

import streamlit as st

from ui import access, controls, data, problems, screen, shell
from xzcore.display import fmt
from xzcore.figures.frame import GROUP_COLUMNS

user = shell.page()

version = data.data_version()
view = controls.view(version, user, versions=True)
controls.header("总览", view, version)
# grouped as 投资完成 and the charts group it: one cached summary for the three
total = data.summary(version, view.month, tuple(GROUP_COLUMNS), view.filters, view.edition)
# last month from the same copy as this month: a published month's frozen copy holds it
before = data.before(version, view.month, view.filters, view.edition)


def _delta(key: str, as_points: bool = False) -> str | None:
    if before is None or total[key] is None or before[key] is None:
        return None
    change = total[key] - before[key]
    return f"较上月 {change * 100:+.1f} 个百分点" if as_points else f"较上月 {change:+,}"


# Each figure as wide as its words, wrapping onto a second row when the screen is narrower
# (five equal columns cut "164.13亿元" to "164.13…" at 1366 pixels).
with st.container(horizontal=True, gap="small"):
    st.metric(
        "项目数",
        f"{total['projects']} 个",
        _delta("projects"),
        delta_color="off",
        delta_arrow="off",
        width="content",
    )
    st.metric("年度计划投资", fmt.money(total["plan_wan"]), width="content")
    st.metric(
        "累计完成投资",
        fmt.money(total["completed_wan"]),
        None
        if before is None
        else f"本月完成 {fmt.money(total['completed_wan'] - before['completed_wan'])}",
        delta_color="off",
        width="content",
    )
    st.metric(
        "完成率",
        fmt.percent(total["completion_rate"]),
        delta=f"时序进度 {fmt.percent(total['schedule_progress'])}，{fmt.pp(total['lag_pp'])}",
        delta_color="normal" if (total["lag_pp"] or 0) <= 0 else "inverse",
        delta_arrow="off",
        width="content",
    )
    st.metric(
        "开工率",
        fmt.percent(total["start_rate"]),
        f"已开工 {total['started']} / 应开工 {total['due_to_start']} 个",
        delta_color="off",
        delta_arrow="off",
        width="content",
    )

lights = total["lights"]
changed = ""
if before is not None:
    changed = (
        "（较上月 "
        + "，".join(
            f"{name} {lights[k] - before['lights'][k]:+d}"
            for k, name in (("green", "绿"), ("yellow", "黄"), ("red", "红"))
        )
        + "）"
    )
st.markdown(
    f"**亮灯**：:green[● 绿灯 {lights['green']} 个]　:orange[▲ 黄灯 {lights['yellow']} 个]　"
    f":red[■ 红灯 {lights['red']} 个]{changed}"
)

if access.may(user, "problems"):  # accounts only: a project's difficulties are working papers
    problems.open_counts()

if not total["projects"]:  # the filters keep nothing: words, not empty axes
    st.info(controls.NOTHING_MATCHES)
    st.stop()

trend, pipeline = data.overview_charts(version, view.month, view.filters, view.edition)
left, right = st.columns(2)
left.plotly_chart(trend, width="stretch", config=screen.CONFIG)
right.plotly_chart(pipeline, width="stretch", config=screen.CONFIG)
left, right = st.columns(2)
controls.group_chart(left, version, view, "unit", "overview_units")
controls.group_chart(right, version, view, "township", "overview_towns", "lights")
