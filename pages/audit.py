"""审计日志 (admin): every login, upload, commit, undo, settings and user change; filter, export."""

import streamlit as st

from ui import admin, shell

shell.page(need="audit")
st.title("审计日志")
st.caption("记录登录、登录失败、上传、提交、撤销、设置和用户变更：谁、何时、做了什么。")
admin.audit_view()
