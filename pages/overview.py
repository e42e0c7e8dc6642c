"""总览: the district's figures for a month at a glance."""

import streamlit as st

from ui import controls, data
from xzcore import charts, fmt

version = data.data_version()
month = controls.month_picker(version)
total = data.summary(version, month, ("unit",))

controls.header("总览", month, version)
cols = st.columns(5)
cols[0].metric("项目数", f"{total['projects']} 个")
cols[1].metric("年度计划投资", fmt.money(total["plan_wan"]))
cols[2].metric("累计完成投资", fmt.money(total["completed_wan"]))
cols[3].metric(
    "完成率",
    fmt.percent(total["completion_rate"]),
    delta=f"时序进度 {fmt.percent(total['schedule_progress'])}，{fmt.pp(total['lag_pp'])}",
    delta_color="normal" if (total["lag_pp"] or 0) <= 0 else "inverse",
    delta_arrow="off",
)
cols[4].metric(
    "开工率",
    fmt.percent(total["start_rate"]),
    f"已开工 {total['started']} 个",
    delta_color="off",
    delta_arrow="off",
)

lights = total["lights"]
st.markdown(
    f"**亮灯**：:green[● 绿灯 {lights['green']} 个]　:orange[● 黄灯 {lights['yellow']} 个]　"
    f":red[● 红灯 {lights['red']} 个]　（规则：{controls.preset_title(total['preset'])}）"
)

left, right = st.columns(2)
left.plotly_chart(
    charts.cumulative_trend(data.trend(version, month), "累计完成投资与时序进度"),
    width="stretch",
)
right.plotly_chart(
    charts.completion_by_group(
        total["groups"]["unit"], total["schedule_progress"], "各责任单位投资完成率"
    ),
    width="stretch",
)
