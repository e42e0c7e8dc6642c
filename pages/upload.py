"""上传数据: a register or a monthly report in, every change and problem shown, commit, undo."""

import streamlit as st

from ui import data, shell, upload
from xzcore import ingest, tables
from xzcore.ingest import export

user = shell.page(need="upload")
version = data.data_version()
st.title("上传数据")
st.caption("上传项目计划表或月度进展月报；先预览，核对无误后导入。每次导入都是一个批次，可以撤销。")
upload.flash()

left, right = st.columns([2, 1])
with left:
    upload.uploader(user)
    file = upload.file_uploader()
with right:
    upload.template_buttons(version)


def _show(file) -> None:
    raw = file.getvalue()
    try:
        sheet = upload.choose_sheet(raw, file.name, file.file_id)
        preview = data.preview(version, raw, file.name, sheet=sheet, user=user)
        month = None
        if export.needs_period(preview.parsed):
            month = upload.ask_period(preview, version, file.file_id)
            if month:
                preview = data.preview(version, raw, file.name, month, sheet, user)
    except ingest.UnreadableFile as exc:
        reason = tables.literal(f"无法读取“{file.name}”：{exc}")  # the file's own name, as typed
        st.error(reason, icon=":material/error:")
        return
    upload.summary(preview, chosen_period=month is not None)
    upload.problems(preview)
    upload.rows(preview)
    upload.commit(preview, user, file.file_id)


if file is not None:
    st.divider()
    _show(file)
st.divider()
upload.history(version, user)
