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
from xzcore.display import tables

COOKIE = "xz_session"
SESSION_HOURS = 12
_TOKEN = "access_token"
_SSO_SEEN = "access_sso_seen"


def sso_configured() -> bool:
    """Single sign-on is offered only when the deployment's secrets.toml configures [auth]."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all
        return False


def _sso_user() -> auth.User | None:
    if not sso_configured() or not st.user.get("is_logged_in"):
        return None
    email = st.user.get("email")
    user = accounts.sso_user(email, st.user.get("name")) if email else None
    if user is not None and not st.session_state.get(_SSO_SEEN):
        st.session_state[_SSO_SEEN] = True
        accounts.record(user, "login", {"via": "sso"})
    return user


def _browser_token() -> str:
    # read through a dict: AppTest's stand-in for the cookies answers .get() with a mock
    return dict(st.context.cookies).get(COOKIE) or ""


def current_user() -> auth.User | None:
    token = st.session_state.get(_TOKEN) or _browser_token()
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
    """Make the browser's session cookie match this session's login.

    Streamlit reads cookies once, when the session starts, so after a login or logout here the
    two differ; the script is then sent on every run (not once) because a run that ends in a
    page switch may be replaced before the browser has executed it.
    """
    pending = st.session_state.get(_TOKEN) or ""
    if pending == _browser_token():
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


def refuse(title: str | None, user: auth.User | None) -> None:
    """A page this user may not open: the login form for a visitor, a refusal for an account."""
    what = f"「{title}」" if title else "此页面"
    if user is None:
        login_screen(f"打开{what}需要先登录。")
        return
    st.error(
        f"您的账号（{auth.ROLE_NAMES[user.role]}）没有打开{what}的权限；"
        "如需上传或管理，请联系区重点办开通相应账号。",
        icon=":material/block:",
    )


def login_screen(note: str | None = None) -> None:
    st.title("登录")
    st.caption(
        "领导查看、各责任单位填报、区重点办和管理员使用各自的账号。"
        f"连续输错密码 {auth.MAX_FAILED} 次，账号锁定 {auth.LOCK_TIME.seconds // 60} 分钟。"
    )
    if note:
        st.info(note, icon=":material/lock:")
    left, _ = st.columns([1, 2])
    with left:
        login_form()


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
        st.rerun()
    if sso_configured():
        st.divider()
        st.button("统一身份认证登录", on_click=st.login, icon=":material/badge:")


def logout() -> None:
    token = st.session_state.pop(_TOKEN, None) or _browser_token()
    if token:
        accounts.logout(token)
    if sso_configured() and st.user.get("is_logged_in"):
        st.session_state.pop(_SSO_SEEN, None)
        st.logout()


def sidebar(user: auth.User | None) -> None:
    with st.sidebar:
        if user is None:
            st.caption("未登录：只能查看。上传数据请先登录。")
            return
        name = tables.literal(user.display_name)  # from an admin or the SSO provider: as typed
        st.caption(f"当前用户：{auth.ROLE_NAMES[user.role]} · {name}")
        if user.units:
            st.caption("负责单位：" + tables.literal("、".join(user.units)))
        st.button("退出登录", on_click=logout, icon=":material/logout:", key="logout")


__all__ = ["COOKIE", "current_user", "login_form", "logout", "may", "sidebar"]
