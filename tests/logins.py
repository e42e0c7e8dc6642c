"""Logging in as the demo accounts, under AppTest and in the browser, the way a person does:
through the login form (nothing is planted in the session)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.browser import settled
from ui.access import COOKIE
from xzcore import auth
from xzcore.demo import ACCOUNTS
from xzcore.store import db

PASSWORDS = {username: password for username, password, *_ in ACCOUNTS}
WAIT = 30000


def log_in(at: AppTest, username: str, password: str | None = None) -> AppTest:
    """Fill the login form of a running AppTest and submit; returns it after the rerun."""
    at.switch_page("pages/login.py").run()
    fields = {t.label: t for t in at.text_input}
    fields["用户名"].input(username)
    fields["密码"].input(password if password is not None else PASSWORDS[username])
    next(b for b in at.button if b.label == "登录").click().run()
    return at


def log_in_browser(page, url: str, username: str, password: str | None = None) -> None:
    """Open the login page and submit the form; waits for the signed-in sidebar."""
    page.goto(f"{url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password or PASSWORDS[username])
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("当前用户：").first.wait_for(timeout=WAIT)
    settled(page)


def session_cookie(path, username: str, url: str) -> dict:
    """A session opened in the database before the server starts: a browser that logged in
    yesterday and follows a link today (the server has written nothing yet)."""
    with db.connect(path) as con:
        user = next(u for u in auth.list_users(con) if u["username"] == username)
        token = auth.open_session(
            con, auth.User(username, user["display_name"], user["role"], tuple(user["units"]))
        )
    return {"name": COOKIE, "value": token, "url": url}
