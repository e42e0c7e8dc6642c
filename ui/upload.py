"""The parts of the upload page: who uploads, the preview of a file, the commit, the history."""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd
import streamlit as st

from ui import data
from xzcore import auth, ingest, tables, templates
from xzcore.errors import XZError
from xzcore.ingest import export

ERROR_STYLE = "background-color: #fde2e1; color: #8a1c14"
WARNING_STYLE = "background-color: #fff1d6; color: #7a4b00"
UNDONE_STYLE = "color: #9a9a9a"
_LEVEL_STYLES = {export.LEVELS["error"]: ERROR_STYLE, export.LEVELS["warning"]: WARNING_STYLE}
_FLASH = "upload_flash"
_ROUND = "upload_round"  # a new uploader key after a commit leaves the uploader empty


def flash() -> None:
    """The outcome of the last commit or undo, said once after the page reran."""
    message = st.session_state.pop(_FLASH, None)
    if message:  # it names the uploaded file: shown as typed, never as Markdown
        st.success(tables.literal(message), icon=":material/check_circle:")


def _done(message: str) -> None:
    st.session_state[_FLASH] = message
    st.rerun()


def uploader(user: auth.User) -> None:
    """Who uploads: the logged-in account; a unit's staff may only change their units' projects."""
    scope = "、".join(user.units) if user.role == "staff" else "全部责任单位"
    # a display name (an admin's or the single sign-on's) and unit names are shown as typed
    st.caption(f"上传人：{tables.literal(user.label)}　　可修改：{tables.literal(scope)}的项目")


def template_buttons(version: str) -> None:
    st.markdown("**下载模板**")
    due = data.due_month(version)
    labels = {"register": "项目计划表模板", "progress": f"月度进展月报模板（{due}）"}
    for kind, label in labels.items():
        st.download_button(
            label,
            data.template(version, kind),
            file_name=templates.FILE_NAMES[kind],
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:",
            on_click="ignore",
            key=f"template-{kind}",
        )


def file_uploader():
    return st.file_uploader(
        "选择或拖入文件：项目计划表或月度进展月报（CSV、xlsx、xls）",
        type=["csv", "xlsx", "xls"],
        key=f"upload-file-{st.session_state.get(_ROUND, 0)}",
    )


def choose_sheet(raw: bytes, name: str, file_id: str) -> str | None:
    """A sheet selector when the workbook has several; None lets the reader pick the best."""
    names = data.sheet_names(raw, name)
    if len(names) < 2:
        return None
    auto = "自动识别"
    chosen = st.selectbox(
        f"工作表（文件中有 {len(names)} 个）", [auto, *names], key=f"sheet-{file_id}"
    )
    return None if chosen == auto else chosen


def ask_period(preview: ingest.Preview, version: str, file_id: str) -> str | None:
    """The month (or plan year) the file could not settle; None until someone chooses."""
    parsed = preview.parsed
    seen = "；".join(f"{k}：{v}" for k, v in parsed.period_sources.items()) or "文件中没有写明"
    if parsed.kind == "progress":
        st.warning(f"无法确定这份月报的报告月份（{seen}），请选择：", icon=":material/event:")
        # No month is preselected: a wrong guess would file a whole report under another month.
        return st.selectbox(
            "报告月份",
            data.reportable_months(version),
            index=None,
            placeholder="请选择报告月份",
            key=f"month-{file_id}",
        )
    st.warning(f"无法确定这份计划表的年度（{seen}），请选择：", icon=":material/event:")
    year = st.selectbox(
        "计划年度", data.plan_years(version), index=None, placeholder="请选择计划年度",
        key=f"year-{file_id}",
    )  # fmt: skip
    return None if year is None else f"{year}-01"


def summary(preview: ingest.Preview, chosen_period: bool) -> None:
    parsed = preview.parsed
    kind = ingest.KINDS.get(parsed.kind, "无法识别")
    # Sources quote the file's headers and title, a sheet has the name the office gave it:
    # both shown as typed.
    sources = tables.literal("、".join(f"{k} {v}" for k, v in parsed.period_sources.items()))
    origin = (
        "由你选择" if chosen_period else f"依据{sources}" if parsed.period_sources else "来源不明"
    )
    # A CSV is one sheet named after the file: only a workbook's sheet is worth naming.
    sheet = "" if parsed.sheet == parsed.file_name else f"工作表“{tables.literal(parsed.sheet)}”，"
    st.markdown(
        f"**类型**：{kind}　　**报告期**：{export.period_text(parsed)}（{origin}）　　"
        f"**表头**：{sheet}第 {parsed.header_row} 行"
    )
    counts = preview.counts()
    cols = st.columns(5)
    cols[0].metric("新增", counts["new"])
    cols[1].metric("变更", counts["changed"])
    cols[2].metric("不变", counts["unchanged"])
    cols[3].metric("错误", len(preview.errors))
    cols[4].metric("警告", len(preview.warnings))
    unusual = parsed.ignored or any(c.factor != 1 for c in parsed.columns)
    with st.expander(
        f"列对应关系：识别 {len(parsed.columns)} 列，未使用 {len(parsed.ignored)} 列",
        expanded=bool(unusual),  # open when something deserves a look: a unit or a dropped column
    ):
        st.dataframe(export.columns_table(parsed), hide_index=True, width="stretch")
        if parsed.ignored:
            st.caption("未使用的列：" + tables.literal("、".join(parsed.ignored)))


def _styled(table: pd.DataFrame):
    """Rows with an error red, with a warning amber, by the table's 级别 column."""
    return table.style.apply(
        lambda row: [_LEVEL_STYLES.get(row["级别"], "")] * len(row), axis=1
    ).format(na_rep="")


def problems(preview: ingest.Preview) -> None:
    found = preview.problems
    if not found:
        st.success("没有发现问题，可以导入。", icon=":material/task_alt:")
        return
    st.subheader(f"问题：{len(preview.errors)} 处错误，{len(preview.warnings)} 条警告")
    st.dataframe(
        _styled(export.problems_table(found)),
        hide_index=True,
        width="stretch",
        column_config={
            "行号": st.column_config.NumberColumn(width="small", format="%d"),
            "列": st.column_config.TextColumn(width="medium"),
            "级别": st.column_config.TextColumn(width="small"),
            "说明": st.column_config.TextColumn(width="large"),
        },
    )
    st.download_button(
        "下载错误清单（Excel）",
        export.problems_xlsx(found),
        file_name=f"{PurePath(preview.parsed.file_name).stem}_错误清单.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
    )


def rows(preview: ingest.Preview) -> None:
    table = export.rows_table(preview)
    if table.empty:
        return
    st.subheader("逐行预览")
    st.caption("变更列为“原值 → 新值”；有错误的行标红、有警告的行标黄，错误行不会导入。")
    st.dataframe(
        _styled(table),
        hide_index=True,
        width="stretch",
        height=min(420, 38 + 35 * len(table)),
        column_config={
            "行号": st.column_config.NumberColumn(width="small", format="%d"),
            "项目名称": st.column_config.TextColumn(width="large"),
            "问题": st.column_config.TextColumn(width="large"),
        },
    )


def commit(preview: ingest.Preview, user: auth.User, file_id: str) -> None:
    """The accept box, the commit button and why it is disabled; commit, then start afresh."""
    accepted = True
    if preview.warnings:
        accepted = st.checkbox(
            f"我已核对以上 {len(preview.warnings)} 条警告，仍然导入", key=f"accept-{file_id}"
        )
    reasons = []
    if preview.errors:
        reasons.append(f"有 {len(preview.errors)} 处错误，请修改文件后重新上传")
    if not accepted:
        reasons.append("请先确认警告")
    clicked = st.button("确认导入", type="primary", disabled=bool(reasons), key=f"go-{file_id}")
    if reasons:
        st.caption("暂不能导入：" + "；".join(reasons))
    if not clicked:
        return
    bar = st.progress(10, text="正在写入数据库并刷新亮灯……")
    try:
        batch = data.commit(preview, user, accept_warnings=accepted)
    except XZError as exc:
        bar.empty()
        st.error(tables.literal(str(exc)))  # a refusal names the file's rows and projects
        return
    bar.progress(100, text="导入完成")
    st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1
    _done(
        f"已导入：批次#{batch}，{preview.parsed.file_name}，{export.period_text(preview.parsed)}，"
        f"{len(preview.parsed.records)} 行。各页面已显示新数据。"
    )


def history(version: str, user: auth.User) -> None:
    st.subheader("上传记录")
    batches = data.batches(version)
    if not batches:
        st.info("还没有上传记录。")
        return
    table = export.history_table(batches)
    st.dataframe(
        table.style.apply(
            lambda row: [UNDONE_STYLE if row["状态"] == "已撤销" else ""] * len(row), axis=1
        ),
        hide_index=True,
        width="stretch",
        height=min(400, 38 + 35 * len(batches)),
        column_config={"文件名": st.column_config.TextColumn(width="large")},
    )
    standing = {  # offered: what this account may undo (xzcore checks again)
        b["id"]: b
        for b in batches
        if not b["undone_at"] and ingest.undoable_by(user, b["user_name"])
    }
    if not standing:
        return
    with st.container(border=True):
        st.markdown("**撤销批次**：把数据恢复到该批次导入之前")
        chosen = st.selectbox(
            "选择要撤销的批次",
            list(standing),
            format_func=lambda b: export.batch_label(standing[b]),
            key=f"undo-batch-{max(standing)}",  # a new batch is offered first
        )
        sure = st.checkbox(f"确认撤销批次#{chosen}", key=f"undo-sure-{chosen}")
        if st.button("撤销该批次", disabled=not sure, key="undo-go"):
            try:
                data.undo(chosen, user)
            except XZError as exc:
                st.error(f"未撤销：{tables.literal(str(exc))}")
                return
            _done(f"已撤销批次#{chosen}（{standing[chosen]['file_name']}），各页面已恢复。")
