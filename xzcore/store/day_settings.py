"""Small admin settings kept as whole days in a table of their own (key, value): 三色督办's days
(problem_settings) and the nodes' 临期 days (node_settings). Each is read into a dataclass whose
NAMES gives every key's words; only the admin changes them, and the log keeps old and new."""

from __future__ import annotations

import dataclasses

from xzcore.errors import BadArgument
from xzcore.store import audit, db
from xzcore.store.roles import User, deny


def read(con, table: str, kind):
    """The stored values over kind's defaults (table: a constant of the caller, never input)."""
    stored = dict(con.execute(f"SELECT key, value FROM {table}").fetchall())
    return kind(**{k: v for k, v in stored.items() if k in kind.NAMES})


def change(con, user: User, table: str, kind, what: str, values: dict, *, at=None):
    """Set some of the days (0–365 each) as the admin; `what` names the settings in messages,
    and the audit action is the table's name."""
    if not isinstance(user, User) or not user.is_admin:
        who = user.label if isinstance(user, User) else "未登录"
        raise deny(con, user, f"修改{what}", f"{who}无权修改{what}")
    old = read(con, table, kind)
    for key, value in values.items():
        if key not in kind.NAMES:
            raise BadArgument(f"未知的{what}：{key}")
        if not isinstance(value, int) or not 0 <= value <= 365:
            raise BadArgument(f"{kind.NAMES[key]}应为 0 至 365 的整数，收到“{value}”")
    new = dataclasses.replace(old, **values)
    changes = {kind.NAMES[k]: f"{getattr(old, k)} → {v}" for k, v in values.items()
               if getattr(old, k) != v}  # fmt: skip
    if changes:
        with db.transaction(con):
            for key, value in values.items():
                con.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", [key, value])
            audit.record(con, user, table, changes, at=at)
    return new
