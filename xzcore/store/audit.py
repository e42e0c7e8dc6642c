"""The audit log: who did what and when — logins, uploads, commits, undos, settings, user changes.

Rows are only ever added. Passwords and tokens never go into a detail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import pandas as pd

from xzcore.errors import BadArgument
from xzcore.rules import SCHEDULE_MODES

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
    "problem_create": "新建问题",
    "problem_assign": "交办问题",
    "problem_note": "问题办理进展",
    "problem_request": "申请办结",
    "problem_close": "问题销号",
    "problem_return": "退回问题",
    "problem_hold": "暂缓问题",
    "problem_resume": "恢复办理问题",
    "problem_instruct": "领导批示",
    "problem_dismiss": "忽略问题线索",
    "problem_settings": "修改督办设置",
    "problem_import": "导入问题台账",
    "problem_undo": "撤销问题台账导入",
    "node_template": "修改节点模板",
    "node_template_assign": "修改项目的节点模板",
    "node_schedule": "倒排节点计划",
    "node_edit": "修改节点",
    "node_import": "导入节点",
    "node_undo": "撤销节点导入",
    "node_settings": "修改节点设置",
    "backup": "备份数据库",
    "restore": "恢复数据库",
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


# --- an entry's detail in words (the 内容 column) ------------------------------------------

_LABELS = {
    "file": "文件", "bytes": "大小（字节）", "unreadable": "无法读取", "sha256": "SHA-256",
    "kind": "类型", "year": "年度", "month": "月份", "rows": "行数", "errors": "错误",
    "warnings": "警告", "batch": "批次", "reason": "理由", "new": "新增", "changed": "变更",
    "unchanged": "不变", "version": "版本", "undone_batch": "撤销的批次", "uploaded_by": "上传人",
    "username": "用户名", "display_name": "姓名", "role": "角色", "units": "责任单位",
    "email": "统一身份邮箱", "reset_by_admin": "由管理员重设", "failed_count": "连续失败次数",
    "locked_until": "锁定至", "until": "锁定至", "via": "方式", "action": "操作", "unit": "单位",
    "layout": "表头格式", "mapping": "列对应", "header": "表头", "field": "字段", "id": "编号",
    "created_by": "记录人", "created_at": "记录时间", "state": "结果", "projects": "项目数",
    "reported": "已报送项目数", "key": "设置项", "old": "原值",
}  # fmt: skip
_VALUES = {
    "kind": {"register": "计划表", "progress": "月报", "combined": "进展情况表"},
    "via": {"password": "密码", "sso": "统一身份认证"},
    "state": {"confirmed": "确认", "returned": "退回"},
}
_LOGIN_FAILED = {"unknown": "用户名不存在", "disabled": "账号已停用", "locked": "账号锁定中",
                 "password": "密码错误"}  # fmt: skip
SETTING_NAMES = {
    "preset": "规则预设",
    "thresholds": "阈值",
    "schedule_mode": "时序进度口径",
    "anonymous_viewing": "未登录可查看",
    "report_deadline_day": "报送截止日",
    "leaders_see_collecting": "领导可查看收集中的月份",
}
_THRESHOLDS = {"green": "绿灯", "yellow": "黄灯", "start_yellow_months": "开工黄灯月数",
               "start_red_months": "开工红灯月数", "node_rule": "节点超期亮灯",
               "node_yellow_days": "节点黄灯天数", "node_red_days": "节点红灯天数",
               "node_warning": "节点超期预警", "node_warning_days": "节点预警天数"}  # fmt: skip
_SWITCHES = ("node_rule", "node_warning")  # stored only while on: missing means off


def _plain(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value) or "（无）"
    if isinstance(value, dict):
        return "，".join(f"{_LABELS.get(k, k)} {_plain(v)}" for k, v in value.items())
    return str(value)


def _value(key: str, value, action: str) -> str:
    # xzcore.auth.roles imports this module (a refusal is recorded): imported here, not above
    from xzcore.store.roles import ACTION_NAMES, ROLE_NAMES

    if key == "reason" and action == "login_failed":
        return _LOGIN_FAILED.get(value, _plain(value))
    if key == "role":
        return ROLE_NAMES.get(value, _plain(value))
    if key == "action":
        return ACTION_NAMES.get(value, _plain(value))
    if key == "key":
        return SETTING_NAMES.get(value, _plain(value))
    if key == "sha256" and isinstance(value, str):  # enough to tell files apart in a sentence
        return f"{value[:12]}…"
    if key in _VALUES and isinstance(value, str):
        return _VALUES[key].get(value, value)
    return _plain(value)


def _setting(key: str, value) -> str:
    if value is None:
        return "（未设置）"
    if key == "schedule_mode":
        return SCHEDULE_MODES.get(value, value)
    if key in ("anonymous_viewing", "leaders_see_collecting"):
        return {"true": "允许", "false": "不允许"}.get(value, value)
    if key == "report_deadline_day":
        return f"次月{value}日"
    return str(value)


def _thresholds(old, new) -> str:
    """What changed among the stored thresholds, preset by preset: 阈值（xiuzhou）：黄灯 10 → 12."""
    before, after = json.loads(old or "{}"), json.loads(new or "{}")
    parts = []
    for preset in sorted(set(before) | set(after)):
        was, now = before.get(preset, {}), after.get(preset, {})
        off = dict.fromkeys(_SWITCHES, False)  # a switch missing from the thresholds is off
        was, now = off | was, off | now
        changes = "，".join(
            f"{_THRESHOLDS.get(k, k)} {_plain(was.get(k))} → {_plain(now.get(k))}"
            for k in _THRESHOLDS
            if was.get(k) != now.get(k)
        )
        if changes:
            parts.append(f"阈值（{preset}）：{changes}")
    return "；".join(parts) or "阈值：未变"


def describe(action: str, detail: str | None) -> str:
    """An entry's detail (JSON, as query returns it) as the 内容 an admin reads:
    {"key": "preset", "old": "yinchuan-2025", "new": "xiuzhou"} → 规则预设：yinchuan-2025 → xiuzhou.
    """
    # an entry without detail (a logout) reaches here as NaN when the column also holds text:
    # pandas 3 marks a missing string so
    if not isinstance(detail, str) or not detail:
        return ""
    found = json.loads(detail)
    if action == "settings" and found.get("key") in SETTING_NAMES and "new" in found:
        key, old, new = found["key"], found.get("old"), found["new"]
        if key == "thresholds":
            return _thresholds(old, new)
        return f"{SETTING_NAMES[key]}：{_setting(key, old)} → {_setting(key, new)}"
    if action == "user_role":
        old, new = found.get("old", {}), found.get("new", {})
        return (
            f"用户 {found.get('username')}：角色 {_value('role', old.get('role'), action)}"
            f"（{_plain(old.get('units'))}） → {_value('role', new.get('role'), action)}"
            f"（{_plain(new.get('units'))}）"
        )
    return "；".join(
        f"{_LABELS.get(k, k)}：{_value(k, v, action)}" for k, v in found.items() if v is not None
    )
