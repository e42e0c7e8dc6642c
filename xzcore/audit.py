"""The audit log: who did what and when — logins, uploads, commits, undos, settings, user changes.

Rows are only ever added. Passwords and tokens never go into a detail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import pandas as pd

from xzcore.errors import BadArgument

ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "locked": "账号锁定",
    "logout": "退出登录",
    "upload": "上传预览",
    "commit": "提交数据",
    "undo": "撤销批次",
    "settings": "修改设置",
    "user_add": "新增用户",
    "user_passwd": "修改密码",
    "user_disable": "停用用户",
    "user_enable": "启用用户",
    "user_role": "修改角色",
    "denied": "越权被拒",
    "publish": "发布月份",
    "correct": "更正已发布月份",
    "review": "审核报送",
    "column_map": "记住列对应",
    "column_map_forget": "删除列对应记忆",
}
# A name typed at the login form can be anything, of any length: keep enough to read it.
_MAX_ACTOR = 64


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def record(con, actor, action: str, detail: dict | None = None, *, at=None) -> None:
    """Add one entry. actor is a User, a bare name (e.g. a failed login's) or None."""
    if action not in ACTIONS:
        raise BadArgument(f"未知的审计动作：{action}")
    username = getattr(actor, "username", actor)
    con.execute(
        'INSERT INTO audit_log ("at", actor, actor_name, role, action, detail)'
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            at or _now(),
            None if username is None else str(username)[:_MAX_ACTOR],
            getattr(actor, "display_name", None),
            getattr(actor, "role", None),
            action,
            None if detail is None else json.dumps(detail, ensure_ascii=False, default=str),
        ],
    )


def _bounds(since, until) -> tuple[dt.datetime | None, dt.datetime | None]:
    """A date means the whole day: since its start, until the end of it."""
    if isinstance(since, dt.date) and not isinstance(since, dt.datetime):
        since = dt.datetime.combine(since, dt.time())
    if isinstance(until, dt.date) and not isinstance(until, dt.datetime):
        until = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
    return since, until


def query(
    con,
    *,
    actor: str | None = None,
    action: str | Iterable[str] | None = None,
    since: dt.date | dt.datetime | None = None,
    until: dt.date | dt.datetime | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """Entries newest first: id, at, actor, actor_name, role, action, action_name, detail (JSON).

    since ≤ at < until; a date (not a datetime) stands for its whole day.
    """
    since, until = _bounds(since, until)
    actions = [action] if isinstance(action, str) else None if action is None else list(action)
    frame = con.execute(
        """SELECT id, "at", actor, actor_name, role, action, CAST(detail AS VARCHAR) AS detail
           FROM audit_log
           WHERE ($actor IS NULL OR actor = $actor)
             AND ($actions IS NULL OR list_contains($actions, action))
             AND ($since IS NULL OR "at" >= $since)
             AND ($until IS NULL OR "at" < $until)
           ORDER BY "at" DESC, id DESC
           LIMIT $limit""",
        {"actor": actor, "actions": actions, "since": since, "until": until, "limit": int(limit)},
    ).df()
    frame.insert(6, "action_name", frame["action"].map(ACTIONS))
    return frame


def actors(con) -> list[str]:
    """Every name that appears in the log, for a filter's choices."""
    rows = con.execute(
        "SELECT DISTINCT actor FROM audit_log WHERE actor IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]
