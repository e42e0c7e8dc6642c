"""红旗/预警: the red-flag and warning (snail) projects of a monthly or quarterly round,
each with the rule that picked it. The evaluation is district-wide: no sidebar filters here."""

import streamlit as st

from ui import controls, data, formats, project_lists, shell
from xzcore.display import tables

ROUNDS = {"month": "按月", "quarter": "按季度"}
COLUMNS = formats.COLUMNS | {
    "序号": st.column_config.NumberColumn(width=48),
    "项目名称": st.column_config.TextColumn(width=280),
}
FIGURES = ["完成率", tables.VERSUS, "亮灯", "开工滞后（月）", "竣工滞后（月）"]
REGISTER = ["责任单位", "镇街道", "累计完成（万元）", "年度计划（万元）", "原因", "项目代码"]
# A warning's rule differs from project to project: it comes right after the name. Every red
# flag meets the same rule (stated above the table): it comes after the figures.
ORDER = {
    "red_flags": ["序号", "项目名称", *FIGURES, "入选规则", *REGISTER],
    "warnings": ["序号", "项目名称", "入选规则", *FIGURES, *REGISTER],
}


@st.cache_resource(show_spinner=False, max_entries=32)
def listed(version: str, month: str, quarterly: bool, edition, kind: str):
    """One list of the round as shown (本月报送 marked), its column order and its CSV table,
    made once per data version and round and shared by every session (a warning list runs to
    thousands of rows at 10,000 projects). Nothing changes these frames after they are made."""
    table = data.evaluation(version, month, quarterly, edition)[kind]
    shown = controls.mark_reported(tables.evaluation_list(table), table)
    order = [c for c in ORDER[kind] if c in shown.columns]
    order = controls.with_reported(order, table, after="项目名称")
    return shown, order, shown[order]


@st.cache_data(show_spinner=False, max_entries=32)
def round_words(version: str, month: str, quarterly: bool, edition) -> dict:
    """What the page says of the round: small, so the copy cache_data hands each run is cheap
    (the round's own lists are thousands of rows at 10,000 projects)."""
    result = data.evaluation(version, month, quarterly, edition)
    counts = tables.rule_counts(result["warnings"], result["warning_rules"])
    keep = ("label", "as_of", "red_flag_rule")
    return {k: result[k] for k in keep} | {"counts": counts}


def project_list(title: str, kind: str, rule: str, empty: str, file_name: str) -> None:
    shown, order, csv = listed(version, view.month, quarterly, view.edition, kind)
    st.subheader(f"{title}（{len(shown)} 个）")
    st.caption(rule)
    if shown.empty:
        st.info(empty)
        return
    project_lists.show(  # in the order of the rule: the worst first, and why it was picked
        shown, csv, key=f"evaluation_{kind}", order=order, columns=COLUMNS, month=view.month,
        file_name=file_name, csv_key=f"csv_{kind}", reasons=("入选规则",), first="前",
        height="content",
    )  # fmt: skip


def remember_round() -> None:
    """on_change of the round: into the session and the URL, before the rerun reads them."""
    chosen = st.session_state["evaluation_round"]
    st.session_state["view_round"] = chosen
    if chosen == "quarter":
        st.query_params["round"] = chosen
    else:
        st.query_params.pop("round", None)


user = shell.page()
version = data.data_version()
view = controls.view(version, user, filters=False)
controls.header("红旗/预警", view, version)

# The round lives in the URL (?round=quarter: a copied link opens it) and in the session (it
# survives moving between pages, which clears the URL). The URL wins: it is a link someone
# followed, and the widget's own changes reach it first, through the callback. The widget has a
# key so that its identity does not change with its value (a keyless widget whose default
# changes is a new widget, and the next click on the old one would be lost).
asked = st.query_params.get("round") or st.session_state.get("view_round")
st.session_state["evaluation_round"] = asked if asked in ROUNDS else "month"
kind = st.segmented_control(
    "评选轮次",
    list(ROUNDS),
    format_func=ROUNDS.get,
    required=True,
    key="evaluation_round",
    on_change=remember_round,
)
remember_round()
quarterly = kind == "quarter"
result = round_words(version, view.month, quarterly, view.edition)
st.markdown(
    f"**本轮：{result['label']}**（数据截至 {controls.month_label(result['as_of'])}"
    + ("；季度评选以报告月之前最近一个完整季度末为准）" if kind == "quarter" else "）")
)
st.caption(
    "红旗、预警在全区所有项目中评选，侧边栏的筛选不适用于本页。勾选表格行首的方框打开项目详情。"
)

counts = result["counts"]
# One list under the other, each the page's full width: side by side, neither showed its
# lights even at 1920 pixels.
project_list(
    ":material/flag: 红旗项目",
    "red_flags",
    f"评选规则：{result['red_flag_rule']}",
    "本轮没有符合条件的红旗项目。",
    f"红旗项目_{result['label']}",
)
project_list(
    ":material/warning: 预警（蜗牛）项目",
    "warnings",
    "评选规则（符合任一条即列入，按滞后幅度排序）："
    + "；".join(f"{text}（{n} 个）" for text, n in counts.items()),
    "本轮没有预警项目。",
    f"预警项目_{result['label']}",
)
