"""Who is looking: this browser session's user, login and logout, and what a role may open.

A login opens a server-side session (xzcore.auth); the browser keeps only a random token in the
`xz_session` cookie, so a page reload (a new Streamlit session) finds the user again. The token
is looked up on every run rather than trusted from session state: a disabled account or a
logout in another tab ends access at the next click.
"""

from __future__ import annotations

import json

import streamlit as st

from ui import accounts
from xzcore import auth

COOKIE = "xz_session"
SESSION_HOURS = 12
_TOKEN = "access_token"
_COOKIE_WRITE = "access_cookie_write"
_SSO_SEEN = "access_sso_seen"


def sso_configured() -> bool:
    """Single sign-on is offered only when the deployment's secrets.toml configures [auth]."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all
        return False


def _sso_user() -> auth.User | None:
    if not sso_configured() or not st.user.is_logged_in:
        return None
    email = st.user.get("email")
    user = accounts.sso_user(email, st.user.get("name")) if email else None
    if user is not None and not st.session_state.get(_SSO_SEEN):
        st.session_state[_SSO_SEEN] = True
        accounts.record(user, "login", {"via": "sso"})
    return user


def current_user() -> auth.User | None:
    token = st.session_state.get(_TOKEN) or st.context.cookies.get(COOKIE)
    if token:
        user = accounts.session_user(token)
        if user is not None:
            st.session_state[_TOKEN] = token
            return user
        st.session_state.pop(_TOKEN, None)
    return _sso_user()


def may(user: auth.User | None, action: str) -> bool:
    try:
        auth.require(user, action)
    except auth.PermissionDenied:
        return False
    return True


def write_cookie() -> None:
    """Set or clear the session cookie in the browser, once, after a login or logout."""
    pending = st.session_state.pop(_COOKIE_WRITE, None)
    if pending is None:
        return
    age = SESSION_HOURS * 3600 if pending else 0
    # json.dumps quotes the token for JavaScript; the token itself is URL-safe base64.
    script = (
        f"<script>document.cookie = '{COOKIE}=' + {json.dumps(pending)} + "
        f"'; path=/; max-age={age}; SameSite=Strict' + "
        "(location.protocol === 'https:' ? '; Secure' : '');</script>"
    )
    with st.sidebar:
        st.html(script, unsafe_allow_javascript=True)


def login_form() -> None:
    with st.form("login", enter_to_submit=True):
        name = st.text_input("用户名", max_chars=64, autocomplete="username")
        password = st.text_input(
            "密码", type="password", max_chars=256, autocomplete="current-password"
        )
        submitted = st.form_submit_button("登录", type="primary", icon=":material/login:")
    if submitted:
        try:
            token = accounts.login(name.strip(), password)
        except auth.LoginFailed as exc:
            st.error(str(exc), icon=":material/lock:")
            return
        st.session_state[_TOKEN] = token
        st.session_state[_COOKIE_WRITE] = token
        st.rerun()
    if sso_configured():
        st.divider()
        st.button("统一身份认证登录", on_click=st.login, icon=":material/badge:")


def logout() -> None:
    token = st.session_state.pop(_TOKEN, None) or st.context.cookies.get(COOKIE)
    if token:
        accounts.logout(token)
    st.session_state[_COOKIE_WRITE] = ""
    if sso_configured() and st.user.is_logged_in:
        st.session_state.pop(_SSO_SEEN, None)
        st.logout()


def sidebar(user: auth.User | None) -> None:
    with st.sidebar:
        if user is None:
            st.caption("未登录：只能查看。上传数据请先登录。")
            return
        st.caption(f"当前用户：{auth.ROLE_NAMES[user.role]} · {user.display_name}")
        if user.units:
            st.caption("负责单位：" + "、".join(user.units))
        st.button("退出登录", on_click=logout, icon=":material/logout:", key="logout")


__all__ = ["COOKIE", "current_user", "login_form", "logout", "may", "sidebar"]
