"""用户管理 (admin): accounts, their roles and units; add, reset a password, disable."""

import streamlit as st

from ui import admin, shell

user = shell.page(need="users")
st.title("用户管理")
st.caption("密码只以不可逆的加盐散列保存。停用的账号立即退出登录，历史记录保留。")
admin.user_table()
left, right = st.columns(2)
with left:
    admin.add_user_form(user)
with right:
    admin.password_form(user)
    admin.disable_form(user)
