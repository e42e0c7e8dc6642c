"""Accounts and the audit log for the pages: logins, sessions, user changes (never cached)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ui import data
from xzcore import auth
from xzcore.store import audit, db, settings


def login(username: str, password: str) -> str:
    """Check the password and open a session; raises auth.LoginFailed (audited either way)."""
    with data.writing() as con:
        user = auth.authenticate(con, username, password)
        return auth.open_session(con, user)


def logout(token: str) -> None:
    with data.writing() as con:
        user = auth.session_user(con, token)
        auth.close_session(con, token)
        if user is not None:
            audit.record(con, user, "logout")


def session_user(token: str) -> auth.User | None:
    """Looked up without the write lock (one long commit must not hold up every click); the
    lock only for the write the session needs, at most once a minute. On a read-only database
    that write cannot be made, and the user goes on viewing."""
    with data.cursor() as con:
        found, write = auth.look_up(con, token)
    if write is not None and not data.read_only():
        with data.writing() as con:
            auth.settle(con, token, write)
    return found


def sso_user(email: str, name: str | None) -> auth.User | None:
    with data.cursor() as con:
        return auth.sso_user(con, email, name)


def record(user: auth.User | None, action: str, detail: dict | None = None) -> None:
    with data.writing() as con:
        audit.record(con, user, action, detail)


def users() -> pd.DataFrame:
    with data.cursor() as con:
        return pd.DataFrame(auth.list_users(con))


def add_user(actor: auth.User, username: str, password: str, role: str, units, name, email):
    with data.writing() as con:
        return auth.add_user(
            con,
            username,
            password,
            role,
            units=tuple(units),
            display_name=name or None,
            email=email or None,
            actor=actor,
        )


def set_password(actor: auth.User, username: str, password: str) -> None:
    with data.writing() as con:
        auth.set_password(con, username, password, actor=actor)


def disable(actor: auth.User, username: str) -> None:
    with data.writing() as con:
        auth.disable(con, username, actor=actor)


def audit_log(
    actor: str | None, action: str | None, since: dt.date | None, until: dt.date | None
) -> pd.DataFrame:
    with data.cursor() as con:
        return audit.query(con, actor=actor, action=action, since=since, until=until)


def anonymous_viewing() -> bool:
    with data.cursor() as con:
        return settings.anonymous_viewing(con)


def set_anonymous_viewing(actor: auth.User, allowed: bool) -> None:
    with data.writing() as con:
        settings.set_anonymous_viewing(con, allowed, actor=actor)


def save_rules(actor: auth.User, preset: str, thresholds: dict, mode: str) -> None:
    """The preset in force, its thresholds and the schedule mode, in one transaction."""
    with data.writing() as con, db.transaction(con):
        settings.set_thresholds(con, preset, thresholds, actor=actor)
        settings.write(con, "preset", preset, actor=actor)
        settings.write(con, "schedule_mode", mode, actor=actor)
