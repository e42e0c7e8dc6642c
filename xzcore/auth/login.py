"""Logging in (password or single sign-on), lockout after failed attempts, and browser sessions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import secrets

from xzcore.auth.accounts import FIELDS, hash_password, hasher, name_of, now_or, user, verify
from xzcore.ingest.values import clean
from xzcore.store import audit, db
from xzcore.store.roles import LoginFailed, User

MAX_FAILED = 5  # failed logins in a row before the account is locked
LOCK_TIME = dt.timedelta(minutes=15)
# One message for every failed login: it never tells a name that exists from one that does not.
LOGIN_FAILED = f"用户名或密码错误（连续输错 {MAX_FAILED} 次，账号将锁定 15 分钟）"
SESSION_IDLE = dt.timedelta(hours=12)  # a session unused this long has ended
SESSION_MAX = dt.timedelta(days=7)  # and none lasts longer than this, used or not
_TOUCH_EVERY = dt.timedelta(minutes=1)  # pages rerun on every click: write last_seen sparingly


@functools.cache
def _decoy() -> str:
    """A hash to check unknown names against, so that they take as long as known ones."""
    return hasher().hash("decoy-password-never-stored")


def authenticate(con, username: str, password: str, *, now: dt.datetime | None = None) -> User:
    """The user whose password this is, or LoginFailed; every attempt is audited.

    After MAX_FAILED failures in a row the account is locked for LOCK_TIME; attempts while it is
    locked are refused without looking at the password. Once the lock has run out, one more
    failure locks it again: only a success (or an admin's reset) clears the count.
    """
    now = now_or(now)
    name = name_of(username)
    row = con.execute(
        f"SELECT {FIELDS}, password_hash, failed_count, locked_until FROM users WHERE username = ?",
        [name],
    ).fetchone()
    if row is None or row[5]:
        verify(_decoy(), password)  # as slow as a real check
        reason = "unknown" if row is None else "disabled"
        audit.record(con, name or None, "login_failed", {"reason": reason}, at=now)
        raise LoginFailed(LOGIN_FAILED)
    who, hashed, failed, locked_until = user(row), row[6], row[7], row[8]
    if locked_until is not None and locked_until > now:
        verify(_decoy(), password)
        detail = {"reason": "locked", "locked_until": locked_until}
        audit.record(con, who, "login_failed", detail, at=now)
        raise LoginFailed(LOGIN_FAILED)
    if not verify(hashed, password):
        failed += 1
        lock = now + LOCK_TIME if failed >= MAX_FAILED else None
        with db.transaction(con):
            con.execute(
                "UPDATE users SET failed_count = ?, locked_until = ? WHERE username = ?",
                [failed, lock, name],
            )
            detail = {"reason": "password", "failed_count": failed}
            audit.record(con, who, "login_failed", detail, at=now)
            if lock:
                audit.record(con, who, "locked", {"failed_count": failed, "until": lock}, at=now)
        raise LoginFailed(LOGIN_FAILED)
    with db.transaction(con):
        con.execute(
            "UPDATE users SET failed_count = 0, locked_until = NULL, last_login = ?"
            " WHERE username = ?",
            [now, name],
        )
        if hasher().check_needs_rehash(hashed):  # the cost was raised since this hash was made
            con.execute(
                "UPDATE users SET password_hash = ? WHERE username = ?",
                [hash_password(password), name],
            )
        audit.record(con, who, "login", {"via": "password"}, at=now)
    return who


def sso_user(con, email: str, name: str | None = None) -> User | None:
    """The local account of a single sign-on identity, matched by email; None if none or disabled.

    A plain lookup (pages call it on every rerun): the page audits the login once. The identity
    provider's name stands in for a display name the account was never given.
    """
    address = clean(email).lower()
    if not address:
        return None
    row = con.execute(f"SELECT {FIELDS} FROM users WHERE email = ?", [address]).fetchone()
    if row is None or row[5]:
        return None
    who = dataclasses.replace(user(row), source="sso")
    if name and who.display_name == who.username:
        who = dataclasses.replace(who, display_name=clean(name))
    return who


# ---- sessions --------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(str(token).encode()).hexdigest()


def open_session(con, user: User, *, now: dt.datetime | None = None) -> str:
    """A new random token for the browser's cookie; only its SHA-256 is stored."""
    now = now_or(now)
    token = secrets.token_urlsafe(32)
    with db.transaction(con):
        # Housekeeping: sessions that have ended by now go, so the table stays small.
        con.execute(
            "DELETE FROM sessions WHERE expires_at <= ? OR last_seen <= ?",
            [now, now - SESSION_IDLE],
        )
        con.execute(
            "INSERT INTO sessions (token_sha256, username, created_at, last_seen, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [_digest(token), user.username, now, now, now + SESSION_MAX],
        )
    return token


def session_user(con, token: str, *, now: dt.datetime | None = None) -> User | None:
    """The user of a live session, as the users table has them now; None when it has ended.

    Ended: closed, idle for SESSION_IDLE, older than SESSION_MAX, or its user disabled.
    """
    found, write = look_up(con, token, now=now)
    settle(con, token, write, now=now)
    return found


def look_up(con, token: str, *, now: dt.datetime | None = None) -> tuple[User | None, str | None]:
    """session_user without writing: the user, and what the session still needs written —
    "end" (it has ended: delete it), "touch" (last_seen is over a minute old) or None. The
    pages look every click up this way, so a reader never waits for a writer."""
    if not token:
        return None, None
    now, digest = now_or(now), _digest(token)
    row = con.execute(
        f"SELECT s.last_seen, s.expires_at, {', '.join('u.' + f for f in FIELDS.split(', '))}"
        " FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_sha256 = ?",
        [digest],
    ).fetchone()
    if row is None:
        return None, None
    last_seen, expires_at, fields = row[0], row[1], row[2:]
    disabled = fields[FIELDS.split(", ").index("disabled")]
    if disabled or now >= expires_at or now - last_seen >= SESSION_IDLE:
        return None, "end"
    return user(fields), "touch" if now - last_seen >= _TOUCH_EVERY else None


def settle(con, token: str, write: str | None, *, now: dt.datetime | None = None) -> None:
    """Write what look_up said the session needs."""
    digest = _digest(token)
    if write == "end":
        con.execute("DELETE FROM sessions WHERE token_sha256 = ?", [digest])
    elif write == "touch":
        con.execute(
            "UPDATE sessions SET last_seen = ? WHERE token_sha256 = ?", [now_or(now), digest]
        )


def close_session(con, token: str) -> None:
    """Log out: the token no longer names anyone (the page audits the logout)."""
    if token:
        con.execute("DELETE FROM sessions WHERE token_sha256 = ?", [_digest(token)])
