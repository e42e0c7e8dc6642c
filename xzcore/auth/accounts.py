"""Local accounts: add, change password, disable/enable, change role; passwords as argon2id."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re

import argon2

from xzcore.errors import BadArgument
from xzcore.ingest.values import clean
from xzcore.store import audit, db
from xzcore.store.roles import ROLE_NAMES, ROLES, User, enforce

MIN_PASSWORD = 8
MAX_PASSWORD = 256  # argon2 takes any length; a megabyte "password" is only a way to burn CPU
_USERNAME = re.compile(r"^[\w.@-]{2,32}$")  # \w takes Chinese too; no ':' (kept for 'cli:')
FIELDS = "username, display_name, role, units, email, disabled"  # what user() reads


def now_or(now: dt.datetime | None) -> dt.datetime:
    """The injected clock, else the wall clock (to the second, as the log shows it)."""
    return now or dt.datetime.now().replace(microsecond=0)


# Set by the test suite alone (tests/conftest.py), never by a deployment: its hundreds of logins
# and demo builds then hash in microseconds; tests/test_auth.py checks the production cost is the
# default and that a hash of either cost verifies.
CHEAP_FOR_TESTS = "XZ_TEST_CHEAP_HASHING"


@functools.cache
def hasher() -> argon2.PasswordHasher:
    if os.environ.get(CHEAP_FOR_TESTS) == "1":
        return argon2.PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    return argon2.PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, t=3, p=4)


def verify(hashed: str, password: str) -> bool:
    try:
        return hasher().verify(hashed, str(password or "")[:MAX_PASSWORD])
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def hash_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise BadArgument(f"密码至少 {MIN_PASSWORD} 位")
    if len(password) > MAX_PASSWORD:
        raise BadArgument(f"密码不能超过 {MAX_PASSWORD} 个字符")
    return hasher().hash(password)


def user(row) -> User:
    """A User from the FIELDS of a users row."""
    username, display_name, role, units, *_ = row
    return User(username, display_name, role, tuple(units or ()))


def name_of(username) -> str:
    """Usernames are compared trimmed and in lower case."""
    return str(username or "").strip().lower()


def _row(con, username: str):
    row = con.execute(f"SELECT {FIELDS} FROM users WHERE username = ?", [username]).fetchone()
    if row is None:
        raise BadArgument(f"没有用户“{username}”")
    return row


def _valid_name(username) -> str:
    name = name_of(username)
    if not _USERNAME.match(name):
        raise BadArgument(f"用户名“{name[:40]}”无效：2–32 个字符，只能用字母、数字、汉字和 . _ - @")
    return name


def _role_and_units(role: str, units) -> tuple[str, list[str]]:
    if role not in ROLES:
        raise BadArgument(f"角色只能是 {'、'.join(ROLES)}，收到“{role}”")
    units = list(dict.fromkeys(u for u in map(clean, units or ()) if u))
    if role == "staff" and not units:
        raise BadArgument("责任单位填报员至少要指定一个责任单位")
    if role != "staff" and units:
        raise BadArgument(f"{ROLE_NAMES[role]}不按责任单位限定，不要指定责任单位")
    return role, units


def _email(email: str | None) -> str | None:
    email = clean(email).lower() or None
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise BadArgument(f"邮箱“{email}”格式不对")
    return email


def add_user(
    con,
    username: str,
    password: str,
    role: str,
    *,
    units=(),
    display_name: str | None = None,
    email: str | None = None,
    actor: User,
    now: dt.datetime | None = None,
) -> User:
    """A new local account (admin only). Only the argon2id hash of the password is stored."""
    enforce(con, actor, "users", {"username": name_of(username)[:64]})
    name = _valid_name(username)
    role, units = _role_and_units(role, units)
    email = _email(email)
    display = clean(display_name) or name
    if con.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone():
        raise BadArgument(f"用户名“{name}”已存在")
    if email and con.execute("SELECT 1 FROM users WHERE email = ?", [email]).fetchone():
        raise BadArgument(f"邮箱“{email}”已被另一个用户使用")
    hashed = hash_password(password)
    with db.transaction(con):
        con.execute(
            "INSERT INTO users (username, display_name, role, units, email, password_hash,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [name, display, role, units, email, hashed, now_or(now)],
        )
        detail = {"username": name, "display_name": display, "role": role, "units": units}
        audit.record(con, actor, "user_add", detail | {"email": email}, at=now)
    return User(name, display, role, tuple(units))


def _only_admin(con, username: str) -> bool:
    admins = con.execute(
        "SELECT list(username) FROM users WHERE role = 'admin' AND NOT disabled"
    ).fetchone()[0]
    return admins == [username]


def set_password(con, username: str, password: str, *, actor: User) -> None:
    """A new password, set by an admin or by the user themself; it also lifts a lock.

    Set by an admin for someone else (a reset), it ends that user's sessions. A page that lets
    users change their own should ask for the old one first (authenticate).
    """
    name = name_of(username)
    own = isinstance(actor, User) and actor.username == name and actor.source != "cli"
    if not own:
        enforce(con, actor, "users", {"username": name[:64]})
    _row(con, name)
    hashed = hash_password(password)
    with db.transaction(con):
        con.execute(
            "UPDATE users SET password_hash = ?, failed_count = 0, locked_until = NULL"
            " WHERE username = ?",
            [hashed, name],
        )
        if not own:
            con.execute("DELETE FROM sessions WHERE username = ?", [name])
        audit.record(con, actor, "user_passwd", {"username": name, "reset_by_admin": not own})


def disable(con, username: str, *, actor: User) -> None:
    """Admin only: the account can no longer log in, and its open sessions end now."""
    name = name_of(username)
    enforce(con, actor, "users", {"username": name[:64]})
    if _row(con, name)[5]:
        raise BadArgument(f"用户“{name}”已经停用")
    if _only_admin(con, name):
        raise BadArgument("不能停用最后一个管理员")
    with db.transaction(con):
        con.execute("UPDATE users SET disabled = true WHERE username = ?", [name])
        con.execute("DELETE FROM sessions WHERE username = ?", [name])
        audit.record(con, actor, "user_disable", {"username": name})


def enable(con, username: str, *, actor: User) -> None:
    """Admin only: a disabled account may log in again (and any lock is lifted)."""
    name = name_of(username)
    enforce(con, actor, "users", {"username": name[:64]})
    if not _row(con, name)[5]:
        raise BadArgument(f"用户“{name}”没有停用")
    with db.transaction(con):
        con.execute(
            "UPDATE users SET disabled = false, failed_count = 0, locked_until = NULL"
            " WHERE username = ?",
            [name],
        )
        audit.record(con, actor, "user_enable", {"username": name})


def set_role(con, username: str, role: str, *, units=(), actor: User) -> User:
    """Admin only: another role, or other units for a staff member; in force at the next rerun."""
    name = name_of(username)
    enforce(con, actor, "users", {"username": name[:64]})
    old = user(_row(con, name))
    role, units = _role_and_units(role, units)
    if old.role == "admin" and role != "admin" and _only_admin(con, name):
        raise BadArgument("不能取消最后一个管理员的管理员角色")
    with db.transaction(con):
        con.execute("UPDATE users SET role = ?, units = ? WHERE username = ?", [role, units, name])
        before = {"role": old.role, "units": list(old.units)}
        detail = {"username": name, "old": before, "new": {"role": role, "units": units}}
        audit.record(con, actor, "user_role", detail)
    return User(name, old.display_name, role, tuple(units))


def list_users(con) -> list[dict]:
    """Every account for the admin page and the CLI (never the password hash)."""
    cursor = con.execute(
        """SELECT username, display_name, role, units, email, disabled, failed_count,
                  locked_until, last_login, created_at FROM users ORDER BY username"""
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    for r in rows:
        r["role_name"] = ROLE_NAMES[r["role"]]
    return rows
