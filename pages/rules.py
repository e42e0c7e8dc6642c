"""规则设置 (admin): the light rule preset, its thresholds, the schedule mode, anonymous viewing,
the reporting deadline and whether leaders may open a month still being collected."""

import streamlit as st

from ui import admin, backup, shell

user = shell.page(need="settings")
st.title("规则设置")
st.caption("修改后所有页面立即按新规则计算；每次修改都记入审计日志（旧值与新值）。")
left, right = st.columns([3, 2], gap="large")
with left:
    admin.rules_form(user)
with right:
    admin.viewing_form(user)
    admin.cycle_form(user)
    backup.section(user)
