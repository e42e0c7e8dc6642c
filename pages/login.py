"""登录: local accounts (and single sign-on when the deployment configures it)."""

import streamlit as st

from ui import access, shell
from xzcore import auth

user = shell.page()
st.title("登录")
if user is not None:
    st.success(f"已登录：{user.display_name}。", icon=":material/check_circle:")
else:
    st.caption(
        "领导查看、各责任单位填报、区重点办和管理员使用各自的账号。"
        f"连续输错密码 {auth.MAX_FAILED} 次，账号锁定 {auth.LOCK_TIME.seconds // 60} 分钟。"
    )
    left, _ = st.columns([1, 2])
    with left:
        access.login_form()
