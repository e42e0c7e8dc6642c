"""项目推进's working parts: importing a node file (checked first, errors by row and column,
nothing written; then one batch, which can be undone) for units' staff, the office and the
admin; the node templates and the 临期 setting for the admin. Every step is checked again in
xzcore.nodes (a page only hides what a role may not do)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import data, nodes, screen
from ui.data import REFUSED, attempt
from xzcore import auth
from xzcore.display import tables
from xzcore.errors import XZError
from xzcore.nodes import importer, store, templates
from xzcore.nodes.model import STAGES
from xzcore.nodes.templates import Step

STEP_COLUMNS = {"name": "节点", "stage": "推进环节", "days": "距上一节点天数", "target": "目标节点"}
_UPLOAD = "nodes_upload"


@st.cache_data(show_spinner=False, max_entries=8)
def batches(version: str) -> list[dict]:
    with data.cursor() as con:
        return importer.batches(con)


@st.cache_data(show_spinner=False, max_entries=8)
def template_steps(version: str) -> dict[str, list[Step]]:
    with data.cursor() as con:
        return templates.all_steps(con)


_IMPORTED = "nodes_imported"  # the file just imported: not offered again while it stays chosen


def _done(message: str) -> None:
    st.session_state[nodes.FLASH] = message
    st.rerun()


def import_panel(user: auth.User, version: str) -> None:
    st.caption(
        "节点表每行一个节点：项目名称（或项目代码）、节点、计划日期、实际日期、备注（可选：责任单位）。"
        "还没有节点的项目先按其模板倒排生成节点。责任单位填报员只能导入本单位的项目。"
    )
    upload = st.file_uploader("节点表（CSV、xlsx、xls）", type=["csv", "xlsx", "xls"], key=_UPLOAD)
    st.caption(screen.upload_limit())  # Streamlit's own line is English, and hidden
    if upload is not None:
        try:  # only reads: not under the write lock
            with data.cursor() as con:
                prepared = importer.prepare(con, upload.getvalue(), upload.name, user=user)
        except XZError as exc:
            st.error(tables.literal(str(exc)), icon=":material/error:")
        else:
            _preview(user, prepared)
    batch_list(user, version, "**导入记录**")


def node_upload(user: auth.User, raw: bytes, name: str, sheets) -> None:
    """A node file dropped on the shared upload page (recognised there by its headers): the
    same check, batch and undo as 项目推进 → 导入节点表."""
    nodes.flash()  # what the last import or undo here did
    st.info(
        "按表头识别为**节点表**：导入后进入「项目推进」和项目详情的节点（一个批次，可撤销）。",
        icon=":material/timeline:",
    )
    try:  # the file as the upload page read it: not read a second time
        with data.cursor() as con:
            prepared = importer.prepare(con, raw, name, user=user, sheets=sheets)
    except XZError as exc:
        st.error(tables.literal(str(exc)), icon=":material/error:")
        return
    _preview(user, prepared)


def batch_list(user: auth.User, version: str, heading: str) -> None:
    """The node files imported, newest first, each with 撤销 while it stands (项目推进 → 导入
    节点表, and the upload page under its own history)."""
    nodes.flash()  # what an undo here did (on a page that showed it already: nothing)
    listed = batches(version)
    if listed:
        st.markdown(heading)
        for batch in listed:
            undone = pd.notna(batch["undone_at"])
            line = (
                f"批次 {batch['id']}：{batch['file_name']}，{batch['row_count']} 个节点，"
                f"{batch['created_at']:%Y-%m-%d %H:%M}，{batch['user_name']}"
            )
            left, right = st.columns([5, 1])
            left.markdown(tables.literal(line + ("（已撤销）" if undone else "")))
            if not undone and right.button("撤销", key=f"nodes_undo_{batch['id']}"):
                gone = attempt(importer.undo, user, batch["id"])
                if gone is not REFUSED:
                    _done(f"已撤销节点批次 {batch['id']}：恢复 {gone} 个节点")


def _preview(user: auth.User, prepared: importer.Prepared) -> None:
    found = "、".join(f"{importer.NAMES[f]}←“{h}”" for f, h in prepared.columns.items())
    st.caption(
        tables.literal(f"工作表“{prepared.sheet}”，表头在第 {prepared.header_row} 行：{found}")
    )
    if prepared.errors:
        st.error(
            f"有 {len(prepared.errors)} 处错误，未导入：请改正后重新上传。", icon=":material/error:"
        )
        errors = pd.DataFrame(prepared.errors, columns=["行", "列", "说明"])
        st.dataframe(errors, hide_index=True, width="stretch", height="content")
        return
    new = len({r["project_id"] for r in prepared.rows if r["new_project"]})
    said = f"{len(prepared.rows)} 个节点，检查无误" + (
        f"；{new} 个项目将先按模板生成节点" if new else ""
    )
    if st.session_state.get(_IMPORTED) == prepared.sha256:
        st.info("这个文件刚刚已经导入（见下方导入记录）。", icon=":material/info:")
        return
    st.success(said, icon=":material/check_circle:")
    if st.button("确认导入", key="nodes_commit"):
        batch = attempt(importer.commit, user, prepared)
        if batch is not REFUSED:
            st.session_state[_IMPORTED] = prepared.sha256
            _done(f"已导入 {prepared.file_name}：{len(prepared.rows)} 个节点，批次 {batch}")


def settings_panel(user: auth.User, version: str) -> None:
    """The admin's: the 临期 days, and each template's nodes (rename, reorder by 序号, add,
    remove, the default days; the target node is the one 倒排 counts back from)."""
    with st.form("nodes_settings"):
        soon = st.number_input("临期提醒天数", 0, 365, nodes.due_soon(version), step=1)
        if (
            st.form_submit_button("保存节点设置")
            and attempt(store.set_settings, user, due_soon=int(soon)) is not REFUSED
        ):
            _done(f"临期提醒：计划日期前 {int(soon)} 天内")
    steps = template_steps(version)
    name = st.selectbox("节点模板", list(steps), key="nodes_template_pick")
    table = pd.DataFrame(
        [
            {"order": i, "name": s.name, "stage": s.stage or "", "days": s.days, "target": s.target}
            for i, s in enumerate(steps[name], start=1)
        ]
    )
    edited = st.data_editor(
        table,
        key=f"nodes_template_{name}",
        hide_index=True,
        num_rows="dynamic",
        width="stretch",
        column_config={
            "order": st.column_config.NumberColumn("序号", min_value=1, step=1),
            "name": st.column_config.TextColumn("节点", required=True),
            "stage": st.column_config.SelectboxColumn("推进环节", options=["", *STAGES]),
            "days": st.column_config.NumberColumn("距上一节点天数", min_value=0, max_value=3650,
                                                  step=1),
            "target": st.column_config.CheckboxColumn("目标节点"),
        },
    )  # fmt: skip
    st.caption("按序号排列；推进环节标出签约、开工、竣工、投运各对应哪个节点；目标节点是倒排的起点（只选一个）。"
               "修改只影响之后倒排的项目，已有的节点计划不变。")  # fmt: skip
    if st.button("保存模板", key="nodes_template_save"):
        rows = edited.dropna(subset=["name"]).sort_values("order", kind="stable")
        new = [Step(r.name, r.stage or None, 0 if pd.isna(r.days) else r.days, bool(r.target))
               for r in rows.itertuples()]  # fmt: skip
        if attempt(templates.save, user, name, new) is not REFUSED:
            _done(f"已保存节点模板“{name}”：{len(new)} 个节点")
