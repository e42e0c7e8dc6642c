"""The office's side of 问题督办: a new problem (blank, or prefilled from a monthly report's
存在问题), the proposals to open or dismiss, and the admin's 三色督办 thresholds."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ui import data, problems, screen
from ui.data import REFUSED, attempt
from ui.problems_act import run
from xzcore import auth
from xzcore.display import tables
from xzcore.errors import XZError
from xzcore.period import Month
from xzcore.problems import CATEGORIES, SOURCES, importer, proposals, store

NO_PROJECT = "（不关联项目）"


@st.cache_data(show_spinner=False, max_entries=4)
def months(version: str) -> list[str]:
    with data.cursor() as con:
        return [str(m) for m in proposals.months(con)]


@st.cache_data(show_spinner=False, max_entries=16)
def offered(version: str, month: str) -> pd.DataFrame:
    """The month's 存在问题 texts new or changed since the month before."""
    with data.cursor() as con:
        return proposals.offered(con, Month.parse(month))


def create_form(user: auth.User, version: str, prefill: dict | None = None, *, key: str) -> None:
    """A new problem; 同时交办 hands it to the 主办单位 at once (two steps, both audited)."""
    given = prefill or {}
    listed = problems.projects(version)
    names = {int(r.id): r.name for r in listed.itertuples()}
    options = [None, *names]
    with st.form(key):
        project = st.selectbox(
            "项目",
            options,
            index=options.index(given["project_id"]) if "project_id" in given else 0,
            format_func=lambda i: NO_PROJECT if i is None else names[i],
        )
        left, right = st.columns(2)
        source = left.selectbox(
            "来源", SOURCES, index=SOURCES.index(given.get("source", "现场办公"))
        )
        category = right.selectbox(
            "类型", CATEGORIES, index=CATEGORIES.index(given.get("category", "其他"))
        )
        description = st.text_area("问题描述", value=given.get("description", ""), max_chars=2000)
        request = st.text_area("需协调事项", max_chars=2000, height=68)
        unit = st.text_input("主办单位", value=given.get("lead_unit") or "")
        support = st.text_input("协办单位（多个用顿号分隔）")
        leader = st.text_input("协调区领导", value=given.get("leader") or "")
        left, right = st.columns(2)
        raised = left.date_input("提出日期", value=given.get("raised_on", problems.today()))
        due = right.date_input("办结时限", value=problems.today() + dt.timedelta(days=30))
        assign = st.checkbox("同时交办主办单位", value=True)
        if not st.form_submit_button("登记问题", type="primary"):
            return
    if project is not None and not unit:
        unit = listed.set_index("id").at[project, "unit"] or ""
    if assign and not unit:
        st.error("同时交办须填写主办单位（或取消“同时交办主办单位”，先登记为待交办）。")
        return
    fields = {"description": description, "category": category, "source": source,
              "project_id": project, "request": request, "lead_unit": unit or None,
              "support_units": support, "leader": leader or None, "raised_on": raised,
              "origin": given.get("origin")}  # fmt: skip
    created = attempt(store.create, user, **fields)
    if created is REFUSED:
        return
    if assign and not run(store.assign, user, created, lead_unit=unit, due_on=due):
        st.warning(f"问题 #{created} 已登记，待交办：请在问题详情中补全后交办。")
        return
    what = f"已交办{unit}，办结时限 {due:%Y-%m-%d}" if assign else "待交办"
    problems.done(f"已登记问题 #{created}，{what}。")


def proposal_list(user: auth.User, version: str) -> None:
    """Each new or changed 存在问题: 立项 opens the form prefilled, 忽略 drops the offer."""
    listed = months(version)
    if not listed:
        st.info("还没有月报。")
        return
    month = st.selectbox("月报月份", listed, key="problems_proposal_month")
    table = offered(version, month)
    if table.empty:
        st.info(f"{month} 月报中没有新出现或有变化、尚未处理的“存在问题”。")
        return
    st.caption(
        f"{month} 月报中新出现或与上月不同的“存在问题”共 {len(table)} 条。"
        "立项后进入问题台账；忽略后不再提示（文字再有变化时会重新提示）。"
    )
    chosen = st.session_state.get("problems_proposal")
    for row in table.to_dict("records"):
        with st.container(border=True):
            st.markdown(
                f"**{tables.literal(row['project'])}**　{tables.literal(row['unit'] or '')}"
            )
            st.markdown(tables.literal(row["text"]))
            if row["before"] is not None:
                st.caption("上月：" + tables.literal(row["before"]))
            pid = int(row["project_id"])
            left, right, _ = st.columns([1, 1, 4])
            if left.button("立项", key=f"problems_open_{pid}"):
                st.session_state["problems_proposal"] = chosen = pid
            if right.button("忽略", key=f"problems_dismiss_{pid}") and run(
                proposals.dismiss, user, pid, Month.parse(month)
            ):
                problems.done(f"已忽略：{row['project']}（{month}）的存在问题。")
            if chosen == pid:
                prefill = proposals.prefill(row, Month.parse(month))
                create_form(user, version, prefill, key=f"problems_new_{pid}")


def settings_form(user: auth.User, version: str) -> None:
    limits = problems.thresholds(version)
    with st.form("problems_settings"):
        soon = st.number_input("临期提醒天数（蓝）", 0, 365, limits.due_soon, step=1)
        stale = st.number_input("无进展天数（黄）", 0, 365, limits.stale, step=1)
        if st.form_submit_button("保存督办设置") and run(
            store.set_thresholds, user, due_soon=int(soon), stale=int(stale)
        ):
            problems.done(f"三色督办：临期 {soon} 天、无进展 {stale} 天。")


def import_panel(user: auth.User, version: str) -> None:
    """A 问题台账 file: checked first (errors by row and column, nothing written), then
    imported as one batch; a batch nobody has worked on yet can be undone."""
    upload = st.file_uploader("问题台账（CSV、xlsx、xls）", type=["csv", "xlsx", "xls"],
                              key="problems_upload")  # fmt: skip
    st.caption(screen.upload_limit())  # Streamlit's own line is English, and hidden
    if upload is not None:
        try:  # only reads: not under the write lock, which a 20 MB workbook would hold long
            with data.cursor() as con:
                prepared = importer.prepare(con, upload.getvalue(), upload.name)
        except XZError as exc:
            st.error(tables.literal(str(exc)), icon=":material/error:")
        else:
            _preview(user, prepared)
    batch_list(user, "**导入记录**")


def batch_list(user: auth.User, heading: str) -> None:
    """The 问题台账 imports, newest first, each with 撤销 while it stands (问题督办 → 导入台账,
    and the upload page under its own history)."""
    problems.flash()  # on the upload page: what an undo here did
    listed = importer_batches(problems.version())  # the ledger's version: the data's stays
    if listed:
        st.markdown(heading)
        for batch in listed:
            when = f"{batch['created_at']:%Y-%m-%d %H:%M}"
            undone = pd.notna(batch["undone_at"])
            line = f"批次 {batch['id']}：{batch['file_name']}，{batch['row_count']} 个问题，{when}"
            left, right = st.columns([5, 1])
            left.markdown(tables.literal(line + ("（已撤销）" if undone else "")))
            if not undone and right.button("撤销", key=f"problems_undo_{batch['id']}"):
                gone = attempt(importer.undo, user, batch["id"])
                if gone is not REFUSED:
                    problems.done(f"已撤销批次 {batch['id']}：删除 {gone} 个问题。")


def ledger_upload(user: auth.User, raw: bytes, name: str, sheets) -> None:
    """A 问题台账 dropped on the shared upload page (recognised there by its headers): the same
    preview, batch and undo as 导入台账, for the office and admin."""
    problems.flash()  # what the last import or undo here did
    st.info("按表头识别为**问题台账**：导入后进入「问题督办」的台账（一个批次，可撤销）。",
            icon=":material/assignment_late:")  # fmt: skip
    if user.role not in store.OFFICE:
        st.warning("问题台账只能由区重点办或管理员导入；请把文件交区重点办。")
        return
    try:  # the file as the upload page read it: not read a second time
        with data.cursor() as con:
            prepared = importer.prepare(con, raw, name, sheets=sheets)
    except XZError as exc:
        st.error(tables.literal(str(exc)), icon=":material/error:")
        return
    _preview(user, prepared)


def _preview(user: auth.User, prepared: importer.Prepared) -> None:
    found = "、".join(f"{importer.NAMES[f]}←“{h}”" for f, h in prepared.columns.items())
    st.caption(
        tables.literal(f"工作表“{prepared.sheet}”第 {prepared.header_row} 行是表头：{found}")
    )
    if prepared.errors:
        st.error(f"有 {len(prepared.errors)} 处错误，改正后重新上传（什么也没有导入）：")
        st.dataframe(pd.DataFrame(prepared.errors, columns=["行", "列", "问题"]), hide_index=True)
        return
    if prepared.same_as is not None:  # imported just now, or before: never twice
        batch = prepared.same_as
        st.info(f"这个文件已在批次 {batch} 导入（{len(prepared.rows)} 个问题），不再重复导入。")
        if st.button(f"撤销批次 {batch}", key=f"problems_undo_same_{batch}"):
            gone = attempt(importer.undo, user, batch)
            if gone is not REFUSED:
                problems.done(f"已撤销批次 {batch}：删除 {gone} 个问题。")
        return
    st.success(f"{len(prepared.rows)} 个问题，检查无误。")
    if st.button("确认导入", type="primary", key="problems_import"):
        batch = attempt(importer.commit, user, prepared)
        if batch is not REFUSED:
            problems.done(
                f"已导入 {prepared.file_name}：{len(prepared.rows)} 个问题（批次 {batch}）。"
            )


@st.cache_data(show_spinner=False, max_entries=4)
def importer_batches(version: str) -> list[dict]:
    with data.cursor() as con:
        return importer.batches(con)
