"""列对应记忆 (admin): the column mappings remembered from uploads, per unit and layout."""

import streamlit as st

from ui import column_maps, shell

user = shell.page(need="settings")
st.title("列对应记忆")
st.caption(
    "上传时手动指定的列对应，按上传单位和表头格式记住：同一单位下次上传同样格式的文件时自动套用。"
    "区重点办、管理员记住的对应记在“区重点办（全部单位）”下。删除记入审计日志。"
)
column_maps.view(user)
