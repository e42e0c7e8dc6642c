"""The parts of the upload page: who uploads, the preview of a file, the commit, the history.

What the person chose for a file (read 元 columns as 元, a hand mapping of columns) is kept in
the session per uploaded file (options), and every preview is prepared with it. A published
month is changed only by the office or an admin with a 更正理由 (a new version of the month);
a unit's staff are told so before any button. The monthly template is per unit, for the month
being collected (ui.upload_cycle).
"""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd
import streamlit as st

from ui import controls, data, formats, screen, status, upload_cycle
from xzcore import auth, ingest
from xzcore.display import tables
from xzcore.errors import XZError
from xzcore.ingest import mappings, preview_tables
from xzcore.period import Month

ERROR_STYLE = "background-color: #fde2e1; color: #8a1c14"
WARNING_STYLE = "background-color: #fff1d6; color: #7a4b00"
UNDONE_STYLE = "color: #9a9a9a"
NAMED = 10  # projects named in a note; more are counted
_LEVEL_STYLES = {
    preview_tables.LEVELS["error"]: ERROR_STYLE,
    preview_tables.LEVELS["warning"]: WARNING_STYLE,
}
_FLASH = "upload_flash"
_ROUND = "upload_round"  # a new uploader key after a commit leaves the uploader empty
PARTS = {"register": "计划表部分（登记信息与年度计划）", "progress": "月报部分（本月进展）"}


def options(file_id: str) -> dict:
    """What was chosen for this file so far: convert_yuan and the hand mapping."""
    return {
        "convert_yuan": st.session_state.get(f"upload-yuan-{file_id}", False),
        "mapping": dict(st.session_state.get(f"upload-map-{file_id}", {})),
    }


def choose(file_id: str, *, convert_yuan: bool | None = None, mapping: dict | None = None):
    """Change what is chosen for this file and prepare the preview again."""
    if convert_yuan is not None:
        st.session_state[f"upload-yuan-{file_id}"] = convert_yuan
    if mapping is not None:
        st.session_state[f"upload-map-{file_id}"] = mapping
    st.rerun()


@st.cache_data(show_spinner=False, max_entries=16)
def prepare(
    version: str,
    raw: bytes,
    file_name: str,
    month: str | None,
    sheet: str | None,
    user: auth.User,
    convert_yuan: bool = False,
    mapping: dict | None = None,
) -> ingest.Preview:
    """What the file would change, read as chosen; cached so that typing a reason does not
    parse it again, and writing nothing (audited() logs the upload). The user's remembered
    column mappings apply (xzcore does it)."""
    given = Month.parse(month) if month else None
    with data.cursor() as con:
        return ingest.plan_upload(
            con, raw, file_name, given, sheet, user,
            convert_yuan=convert_yuan, mapping=mapping or None,
        )  # fmt: skip


def audited(file_id: str, user: auth.User, raw: bytes, file_name: str, got, *read_as) -> None:
    """The audit log's line of this upload (got: its preview, or why it could not be read),
    written once for each file and way of reading it, however often the page reruns."""
    key = f"upload-audited-{file_id}-{read_as}"
    if key in st.session_state:
        return
    unreadable = got if isinstance(got, ingest.UnreadableFile) else None
    with data.writing() as con:
        ingest.record_upload(
            con, user, file_name, raw, None if unreadable else got, unreadable=unreadable
        )
    st.session_state[key] = True


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


def file_uploader():
    file = st.file_uploader(
        "选择或拖入文件：项目计划表、月度进展月报、进展情况表、问题台账或节点表（CSV、xlsx、xls）",
        type=["csv", "xlsx", "xls"],
        key=f"upload-file-{st.session_state.get(_ROUND, 0)}",
    )
    st.caption(screen.upload_limit())  # Streamlit's own line is English, and hidden
    return file


def choose_sheet(raw: bytes, name: str, file_id: str) -> str | None:
    """A sheet selector when the workbook has several; None reads every sheet with a table."""
    names = data.sheet_names(raw, name)
    if len(names) < 2:
        return None
    auto = "全部工作表（自动识别）"
    chosen = st.selectbox(
        f"工作表（文件中有 {len(names)} 个）", [auto, *names], key=f"sheet-{file_id}"
    )
    return None if chosen == auto else chosen


def ask_period(preview: ingest.Preview, version: str, file_id: str) -> str | None:
    """The month (or plan year) the file could not settle; None until someone chooses."""
    parsed = preview.parsed
    seen = "；".join(f"{k}：{v}" for k, v in parsed.period_sources.items()) or "文件中没有写明"
    if parsed.kind in preview_tables.MONTHLY:
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
    several = preview_tables.several_sheets(parsed) or bool(parsed.skipped)
    if several:
        where = f"{len(parsed.parts)} 个工作表（见下）"
    else:  # a CSV is one sheet named after the file: only a workbook's sheet is worth naming
        named = (
            "" if parsed.sheet == parsed.file_name else f"工作表“{tables.literal(parsed.sheet)}”，"
        )
        where = named + preview_tables.header_text(parsed.parts[0])
    st.markdown(
        f"**类型**：{kind}　　**报告期**：{preview_tables.period_text(parsed)}（{origin}）　　"
        f"**表头**：{where}"
    )
    if several:
        st.markdown(
            "\n".join(f"- {tables.literal(line)}" for line in preview_tables.sheets_text(parsed))
        )
    if parsed.kind == "combined":
        st.info(
            "这是一张计划与进展合在一起的表：登记信息与年度计划的变更、本月进展两部分"
            "在同一个批次中一起导入（撤销时也一起撤销）。两部分各自的新增、变更、不变"
            "见下方逐行预览的两个标签页。",
            icon=":material/merge:",
        )
        cols = st.columns(2)
        cols[0].metric("错误", len(preview.errors))
        cols[1].metric("警告", len(preview.warnings))
        return
    counts = preview.counts()
    cols = st.columns(5)
    cols[0].metric("新增", counts["new"])
    cols[1].metric("变更", counts["changed"])
    cols[2].metric("不变", counts["unchanged"])
    cols[3].metric("错误", len(preview.errors))
    cols[4].metric("警告", len(preview.warnings))


def _styled(table: pd.DataFrame):
    """Rows with an error red, with a warning amber, by the table's 级别 column."""
    return table.style.apply(
        lambda row: [_LEVEL_STYLES.get(row["级别"], "")] * len(row), axis=1
    ).format(na_rep="")


def completion_dates(preview: ingest.Preview) -> None:
    """Say which projects this report marks done and the date that will stand for it."""
    done = preview.dated_completions
    if not done:
        return
    date = done[0].changes["actual_completion"][1]
    names = "、".join(tables.literal(r.name) for r in done[:NAMED])
    more = f"等 {len(done)} 个项目" if len(done) > NAMED else ""
    st.info(
        f"{names}{more}本月报为竣工或投运。月报没有竣工日期，导入后其**实际竣工日期记为 "
        f"{date:%Y-%m-%d}**（报告月最后一天）。实际日期不同的，请在计划表的“实际竣工日期”列"
        "填写后上传计划表。",
        icon=":material/event_available:",
    )


def problems(preview: ingest.Preview) -> None:
    completion_dates(preview)
    found = preview.problems
    if not found:
        st.success("没有发现问题，可以导入。", icon=":material/task_alt:")
        return
    st.subheader(f"问题：{len(preview.errors)} 处错误，{len(preview.warnings)} 条警告")
    st.dataframe(
        _styled(preview_tables.problems_table(found)),
        hide_index=True,
        width="stretch",
        # rows taller than 4rem let the grid wrap text: 说明 names the suggested projects at its
        # end, which a one-line cell cut off
        row_height=formats.WRAPPED_ROW,
        column_config={
            "工作表": st.column_config.TextColumn(width="small"),
            "行号": st.column_config.NumberColumn(width="small", format="%d"),
            "列": st.column_config.TextColumn(width="medium"),
            "级别": st.column_config.TextColumn(width="small"),
            "说明": st.column_config.TextColumn(width="large"),
        },
    )
    st.download_button(
        "下载错误清单（Excel）",
        preview_tables.problems_xlsx(found),
        file_name=f"{PurePath(preview.parsed.file_name).stem}_错误清单.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
    )


def rows(preview: ingest.Preview) -> None:
    """Every row of the file; a combined table in two tabs, one a part, each with its counts."""
    if preview.parsed.kind != "combined":
        _rows_table(preview_tables.rows_table(preview))
        return
    if not preview.rows and not preview.parsed.records:
        return
    st.subheader("逐行预览")
    labels = []
    for part, label in PARTS.items():
        c = preview.counts(part)
        labels.append(f"{label}：新增 {c['new']}，变更 {c['changed']}，不变 {c['unchanged']}")
    for tab, part in zip(st.tabs(labels), PARTS, strict=True):
        with tab:
            c = preview.counts(part)
            cols = st.columns(3)
            cols[0].metric("新增", c["new"])
            cols[1].metric("变更", c["changed"])
            cols[2].metric("不变", c["unchanged"])
            _rows_table(preview_tables.rows_table(preview, part), heading=False)


def _rows_table(table: pd.DataFrame, heading: bool = True) -> None:
    if table.empty:
        return
    if heading:
        st.subheader("逐行预览")
    st.caption("变更列为“原值 → 新值”；有错误的行标红、有警告的行标黄，错误行不会导入。")
    st.dataframe(
        _styled(table),
        hide_index=True,
        width="stretch",
        height=formats.table_height(len(table), 420),
        column_config={
            "行号": st.column_config.NumberColumn(width="small", format="%d"),
            "项目名称": st.column_config.TextColumn(width="large"),
            "问题": st.column_config.TextColumn(width="large"),
        },
    )


def commit(preview: ingest.Preview, user: auth.User, file_id: str, version: str) -> None:
    """The reason for accepting warnings (or for correcting a published month), the commit
    button and why it is disabled; commit, remember a hand mapping, then start afresh."""
    reason = ""
    done = upload_cycle.published(version, preview)
    if done is not None:  # office or admin: refuse_published has stopped the others
        st.warning(
            f"{preview.parsed.period} 已于 {done.published_at:%Y-%m-%d %H:%M} 发布（第 "
            f"{done.version} 版）：导入即为更正，须填写更正理由；导入后生成第{done.version + 1}版，"
            "原版本仍可查看。" + ("更正理由同时作为确认警告的理由。" if preview.warnings else ""),
            icon=":material/edit_note:",
        )
        reason = controls.reason(
            "更正理由", f"correct-{file_id}", "王江泾镇来函更正益创项目8月累计完成投资"
        )
    elif preview.warnings:
        st.caption(
            f"有 {len(preview.warnings)} 条警告需要核实（核实性审核）：核实后填写理由即可导入，"
            "理由记入上传记录和审计日志。"
        )
        reason = controls.reason(
            "确认理由（核实性审核）", f"reason-{file_id}", "已与项目单位核实，本月集中支付设备款"
        )
    blocked = []
    if preview.errors:
        blocked.append(f"有 {len(preview.errors)} 处错误，请修改文件后重新上传")
    if done is not None and not reason:
        blocked.append("请填写更正理由")
    elif preview.warnings and not reason:
        blocked.append("请填写确认警告的理由")
    clicked = st.button("确认导入", type="primary", disabled=bool(blocked), key=f"go-{file_id}")
    if blocked:
        st.caption("暂不能导入：" + "；".join(blocked))
    if not clicked:
        return
    bar = st.progress(10, text="正在写入数据库并刷新亮灯……")
    mapping = options(file_id)["mapping"]
    try:
        batch, note = _write(preview, user, reason or None, mapping)
    except XZError as exc:
        bar.empty()
        st.error(tables.literal(str(exc)))  # a refusal names the file's rows and projects
        return
    bar.progress(100, text="导入完成")
    st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1
    if batch is None:  # an identical re-upload: xzcore makes no empty batch
        _done(f"没有变化：{preview.parsed.file_name}与已导入的数据相同，未新建批次。{note}")
    both = "（计划表与月报两部分同一批次）" if preview.parsed.kind == "combined" else ""
    fixed = "" if done is None else f"{preview.parsed.period} 已更正为第{done.version + 1}版。"
    _done(
        f"已导入：批次#{batch}，{preview.parsed.file_name}，{preview_tables.period_text(preview.parsed)}，"
        f"{len(preview.parsed.records)} 行{both}。{fixed}各页面已显示新数据。{note}"
    )


def _write(preview, user: auth.User, reason: str | None, mapping: dict) -> tuple[int | None, str]:
    """The batch, then the hand mapping remembered for the uploader's unit and each layout."""
    with data.writing() as con:
        batch = ingest.commit(
            con, preview, user, accept_warnings=bool(preview.warnings), reason=reason
        )
        note = ""
        if mapping:
            try:
                kept = sum(
                    mappings.remember(con, user, mappings.unit_of(user), layout, chosen)
                    for layout, chosen in mappings.per_layout(preview.parsed, mapping).items()
                )
            except XZError as exc:  # the batch stands; only the memory was refused
                note = f"手动指定的列对应未记住：{exc}"
            else:
                note = f"已记住手动指定的 {kept} 列对应，下次同样格式的文件将自动对应。"
    return batch, note


def history(version: str, user: auth.User) -> None:
    st.subheader("上传记录")
    batches = data.batches(version)
    if not batches:
        st.info("还没有上传记录。")
        return
    table = preview_tables.history_table(batches)
    st.dataframe(
        table.style.apply(
            lambda row: [UNDONE_STYLE if row["状态"] == "已撤销" else ""] * len(row), axis=1
        ),
        hide_index=True,
        width="stretch",
        height=formats.table_height(len(batches), 400),
        column_config={
            "文件名": st.column_config.TextColumn(width="large"),
            "确认理由": st.column_config.TextColumn(width="medium"),
        },
    )
    frozen = status.published_months(version)
    mine = [b for b in batches if not b["undone_at"] and ingest.undoable_by(user, b["user_name"])]
    # A unit's staff cannot change a published month (xzcore refuses): not offered.
    locked = [b for b in mine if user.role == "staff" and _month_of(b) in frozen]
    standing = {b["id"]: b for b in mine if b not in locked}  # xzcore checks again
    if locked:
        st.caption(f"已发布月份的 {len(locked)} 个批次不能撤销；如需更正，请联系区重点办。")
    if not standing:
        return
    with st.container(border=True):
        st.markdown("**撤销批次**：把数据恢复到该批次导入之前")
        chosen = st.selectbox(
            "选择要撤销的批次",
            list(standing),
            format_func=lambda b: preview_tables.batch_label(standing[b]),
            key=f"undo-batch-{max(standing)}",  # a new batch is offered first
        )
        month = _month_of(standing[chosen])
        done = data.versions(version, month)[-1] if month in frozen else None
        reason = ""
        if done is not None:
            st.warning(
                f"批次#{chosen}属于已发布的 {month}（第 {done.version} 版）：撤销即为更正，"
                f"须填写更正理由；撤销后生成第{done.version + 1}版，原版本仍可查看。",
                icon=":material/edit_note:",
            )
            reason = controls.reason("更正理由（撤销）", f"undo-reason-{chosen}")
        sure = st.checkbox(f"确认撤销批次#{chosen}", key=f"undo-sure-{chosen}")
        if st.button(
            "撤销该批次", disabled=not sure or (done is not None and not reason), key="undo-go"
        ):
            try:
                with data.writing() as con:
                    ingest.undo(con, chosen, user, reason=reason or None)
            except XZError as exc:
                st.error(f"未撤销：{tables.literal(str(exc))}")
                return
            fixed = f"{month} 已更正为第{done.version + 1}版。" if done is not None else ""
            _done(f"已撤销批次#{chosen}（{standing[chosen]['file_name']}），各页面已恢复。{fixed}")


def _month_of(batch: dict) -> str | None:
    """The month a report batch is of; None for a register."""
    if batch["kind"] == "register" or not batch["month"]:
        return None
    return str(Month(batch["year"], batch["month"]))
