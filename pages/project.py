"""项目详情: find a project by name or code; one project's register, plan, months and lights.

The project comes from the URL (?project=<id>), which every project list and chart links to.
Text from uploads is shown as typed: tables, or markdown escaped by tables.literal.
"""

import functools

import streamlit as st

from ui import access, controls, data, formats, nodes, problems, screen, shell
from xzcore.display import charts, fmt, tables

MONEY = st.column_config.NumberColumn(format="localized", width=120)

user = shell.page()
version = data.data_version()
view = controls.view(version, user, filters=False)
controls.header("项目详情", view, version)

text = st.text_input(
    "搜索项目",
    placeholder="项目名称或代码的一部分，如“隆基”",
    key="project_search",
)
if text.strip():
    found = data.search(version, text, view.month, view.edition)
    if found.empty:
        st.warning("没有名称或代码包含“" + tables.literal(text.strip()) + "”的项目。")
    else:
        st.caption(f"找到 {len(found)} 个项目（最多列出 20 个），勾选一行打开：")
        shown = found.rename(
            columns={
                "code": "项目代码",
                "name": "项目名称",
                "unit": "责任单位",
                "township": "镇街道",
            }
        )
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_order=["项目名称", "项目代码", "责任单位", "镇街道"],
            key="project_found",
            on_select=functools.partial(controls.open_row, "project_found", shown["id"].tolist()),
            selection_mode="single-row",
        )

asked = st.query_params.get("project")
if not asked:
    st.info("输入项目名称或代码搜索；在其他页面的项目名单中勾选一行，也会打开该项目的详情。")
    st.stop()
# an id is a small positive integer; anything else in the link cannot name a project
valid = asked.isascii() and asked.isdigit() and len(asked) < 10
record = data.project_record(version, int(asked), view.month, view.edition) if valid else None
if record is None:
    st.error(
        "没有找到编号为“"
        + tables.literal(asked)
        + "”的项目：链接可能有误，或该项目已从计划表中删除。"
        "请用上面的搜索框查找。"
    )
    st.stop()

register = record["register"]
months, spread = tables.month_targets(record["months"], record["plan_wan"])
now = tables.latest(months)
# No report of the month: the figures are last month's cumulative carried forward; said here
# and on the figures themselves, never shown as if reported.
missing = int(asked) in data.unreported(version, view.month, view.edition)
st.divider()
st.subheader(tables.literal(register["name"]), anchor=False)
st.caption("　·　".join(tables.literal(register[k]) for k in ("code", "tier", "unit", "township")))

MONEY_WIDTH = 240  # px: "12,345.67万元" whole, never cut to "12,345…"
with st.container(horizontal=True, gap="small"):  # wraps on a phone
    st.metric("总投资", fmt.money(register["total_investment"]), width=MONEY_WIDTH)
    st.metric("本年度计划投资", fmt.money(record["plan_wan"]), width=MONEY_WIDTH)
    st.metric(
        f"1-{now['month_no']}月累计完成",
        fmt.money(now["ytd"]),
        "未报送，按上月累计" if missing else None,
        delta_color="off",
        delta_arrow="off",
        width=MONEY_WIDTH,
    )
    st.metric(
        "完成率",
        fmt.percent(now["completion_rate"]),
        fmt.pp(now["lag_pp"]) if now["lag_pp"] is not None else None,
        delta_color="normal" if (now["lag_pp"] or 0) <= 0 else "inverse",
        delta_arrow="off",
        width=165,
    )
    st.metric(
        f"{now['month_no']}月亮灯",
        formats.light_text(now["light"]),
        "本月未报送" if missing else None,
        delta_color="off",
        delta_arrow="off",
        width=165,
    )
if missing:
    st.warning(
        f"该项目{now['month_no']}月未报送：{controls.UNREPORTED_RULE}，亮灯亦按此计算。",
        icon=":material/report:",
    )
if now["reason"]:
    st.caption(f"{now['month_no']}月亮灯原因：{tables.literal(now['reason'])}")

left, right = st.columns([2, 3], gap="large")
with left:
    st.markdown("**登记信息**")
    start = data.project_start(version, int(asked), view.month, view.edition)
    st.table(tables.literal_table(tables.register(record, start)), hide_header=True)
with right:
    st.plotly_chart(
        charts.project_months(months, f"{view.month[:4]}年逐月完成投资与月度计划"),
        width="stretch",
        config=screen.CONFIG,
    )
    if spread:
        st.caption("该项目没有上传月度计划，月度计划按年度计划逐月均摊（年度计划×月数÷12）。")

st.markdown("**逐月完成与亮灯**")
st.dataframe(
    formats.lit(tables.month_figures(months)),
    hide_index=True,
    width="stretch",
    height="content",
    column_config={
        "本月完成（万元）": MONEY,
        "累计完成（万元）": MONEY,
        "计划累计（万元）": MONEY,
        "月份": st.column_config.TextColumn(width=50),
        "亮灯": formats.light_column(width=80),
    },
)
st.markdown("**形象进度与存在问题**")
notes = tables.progress_notes(months)
if missing:  # the month's row says why it is empty
    notes.iloc[-1, 1:] = ["未报送", "—", "—"]
st.table(tables.literal_table(notes), hide_index=True)
if access.may(user, "problems"):  # accounts only, as on 问题督办
    problems.project_problems(int(asked))
st.divider()
nodes.project_section(user, int(asked), view.month)  # 节点（倒排工期）, issue 18
