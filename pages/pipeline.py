"""项目推进: 签约 → 开工 → 竣工 → 投产 at the end of the month viewed — counts, rates with their
denominators in words, the exception lists by unit, and the node states (overdue at the
month's end, falling due next month). Everything is read through ui.nodes."""

import streamlit as st

from ui import access, controls, data, nodes, nodes_admin, screen, shell
from xzcore.display import nodes_chart
from xzcore.nodes import pipeline
from xzcore.report import nodes_section

user = shell.page()
version = data.data_version()
view = controls.view(version, user, filters=False)
controls.header("项目推进", view, version)
nodes.flash()
found = nodes.pipeline_view(nodes.version(), view.month, view.edition, nodes.as_of(view.month)[0])
figures = found.figures
st.caption(
    f"截至 {figures['day']:%Y-%m-%d}。签约项目为本年度重点项目计划中的项目；"
    "开工、竣工、投产按节点的实际日期，未填时按计划表的实际开工/竣工日期与月报的项目阶段；续建项目按已开工计。"
)
nodes.rates(figures)
with st.expander("通报用文字", expanded=False):
    st.code(
        nodes_section.sentence(figures, found.overdue, found.due_next),
        language=None,
        wrap_lines=True,
    )
left, right = st.columns([2, 3], gap="large")
with left:
    st.plotly_chart(
        nodes_chart.pipeline(figures, "签约 → 开工 → 竣工 → 投产"),
        width="stretch",
        config=screen.CONFIG,
    )
with right:
    st.markdown("**应办未办（按责任单位）**")
    if found.by_unit.empty:
        st.caption("没有应开工未开工、应竣工未竣工、应投产未投产的项目。")
    else:
        st.dataframe(
            found.by_unit.rename(columns={"unit": "责任单位"}),
            hide_index=True,
            width="stretch",
            height="content",
        )

tabs = st.tabs(
    [
        *(f"{k}（{len(v)}）" for k, v in found.lists.items()),
        f"超期节点（{len(found.overdue)}）",
        f"下月到期节点（{len(found.due_next)}）",
    ]
)
for tab, (kind, table) in zip(tabs, found.lists.items(), strict=False):
    with tab:
        nodes.exception_table(table, kind, key=f"pipeline_{kind}")
with tabs[len(pipeline.EXCEPTIONS)]:
    new = int(found.overdue["new"].sum()) if not found.overdue.empty else 0
    st.caption(f"月末仍未完成、计划日期已过的节点；其中 {new} 个是本月到期的。")
    nodes.node_list(found.overdue, "pipeline_overdue", "月末没有超期未完成的节点。")
with tabs[len(pipeline.EXCEPTIONS) + 1]:
    nodes.node_list(found.due_next, "pipeline_due_next", "下月没有到期的节点。", "距月末天数")

# the working parts, for those who may: importing node files (units' staff, office, admin) and
# the templates and the 临期 setting (admin); xzcore.nodes checks each step again
if access.may(user, "upload"):
    st.divider()
    with st.expander("导入节点表", expanded=False):
        nodes_admin.import_panel(user, nodes.version())
if user is not None and user.is_admin:
    with st.expander("节点模板与设置（管理员）", expanded=False):
        nodes_admin.settings_panel(user, nodes.version())
