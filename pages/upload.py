"""上传数据: a register, a monthly report or both in one table (or a 问题台账 or a node file,
recognised by their headers and handed to 问题督办's or 项目推进's importer); every change and
problem shown, the reading adjusted by hand where needed (按元换算, 手动指定列), commit, undo. A
unit's staff see what the office sent back; a published month is corrected only by the office,
with a reason."""

import streamlit as st

from ui import data, nodes, nodes_admin, problems_new, shell, upload, upload_columns, upload_cycle
from xzcore import ingest
from xzcore.display import tables
from xzcore.ingest import preview_tables

user = shell.page(need="upload")
version = data.data_version()
st.title("上传数据")
st.caption(
    "上传项目计划表、月度进展月报，或计划与进展合在一起的进展情况表；先预览，核对无误后导入。"
    "每次导入都是一个批次，可以撤销。问题台账也可在这里上传（区重点办、管理员），导入问题督办；"
    "节点表（项目、节点、计划日期、实际日期）导入项目推进。"
)
upload.flash()
if data.read_only():  # the notice above the page says why; what was uploaded can still be read
    upload.history(version, user)
    st.stop()
upload_cycle.unit_notice(version, user)

left, right = st.columns([2, 1])
with left:
    upload.uploader(user)
    file = upload.file_uploader()
with right:
    upload_cycle.buttons(version, user)


def _show(file) -> None:
    raw, file_id = file.getvalue(), file.file_id
    chosen = upload.options(file_id)
    try:
        sheet = upload.choose_sheet(raw, file.name, file_id)
        month = None
        preview = upload.prepare(version, raw, file.name, month, sheet, user, **chosen)
        if preview_tables.needs_period(preview.parsed):
            month = upload.ask_period(preview, version, file_id)
            if month:
                preview = upload.prepare(version, raw, file.name, month, sheet, user, **chosen)
    except ingest.ProblemLedger as ledger:  # recognised by its headers: the problems' importer
        problems_new.ledger_upload(user, raw, file.name, ledger.sheets)
        return
    except ingest.NodeFile as found:  # recognised by its headers: the nodes' importer
        nodes_admin.node_upload(user, raw, file.name, found.sheets)
        return
    except ingest.UnreadableFile as exc:
        upload.audited(file_id, user, raw, file.name, exc, chosen)
        reason = tables.literal(f"无法读取“{file.name}”：{exc}")  # the file's own name, as typed
        st.error(reason, icon=":material/error:")
        return
    upload.audited(file_id, user, raw, file.name, preview, month, sheet, chosen)
    upload.summary(preview, chosen_period=month is not None)
    if upload_cycle.refuse_published(version, preview, user):
        return  # a unit's staff: nothing on this page may change a published month
    upload_columns.yuan(preview, file_id)
    upload_columns.columns(preview, file_id, user)
    upload.problems(preview)
    upload.rows(preview)
    upload.commit(preview, user, file_id, version)


if file is not None:
    st.divider()
    _show(file)
st.divider()
upload.history(version, user)
if user.role in ("office", "admin"):  # a 问题台账 uploaded here is undone here too
    problems_new.batch_list(user, "**问题台账导入记录**")
nodes_admin.batch_list(user, nodes.version(), "**节点表导入记录**")  # as a node file too
