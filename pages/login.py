"""登录: local accounts (and single sign-on when the deployment configures it)."""

import streamlit as st

from ui import access, shell

user = shell.page()
if user is not None:  # just logged in here, or an old bookmark: on to the figures
    st.switch_page(shell.ROOT / shell.HOME)  # absolute: this may be the script run
access.login_screen()
