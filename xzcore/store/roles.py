"""Roles and the check every guarded function makes: who may upload, undo, change settings."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from xzcore.errors import BadArgument, XZError
from xzcore.store import audit

ROLES = ("viewer", "staff", "office", "admin")
ROLE_NAMES = {
    "viewer": "领导（只读）",
    "staff": "责任单位填报员",
    "office": "区重点办",
    "admin": "管理员",
}
# What each guarded action is called in a refusal, and the roles allowed to do it.
ACTION_NAMES = {
    "upload": "上传数据",
    "undo": "撤销批次",
    "settings": "修改设置",
    "users": "管理用户",
    "audit": "查看审计日志",
    "publish": "发布或更正月度数据",
    "review": "审核单位报送",
    "problems": "查看问题督办",
}
_ALLOWED = {
    "upload": {"staff", "office", "admin"},
    "undo": {"staff", "office", "admin"},
    "settings": {"admin"},
    "users": {"admin"},
    "audit": {"admin"},
    "publish": {"office", "admin"},
    "review": {"office", "admin"},
    # a project's difficulties are the district's working papers, not for anonymous visitors
    "problems": set(ROLES),
}


class LoginFailed(XZError):
    """Wrong name, wrong password, disabled or locked: the same message for all."""


class PermissionDenied(XZError):
    """The user's role or units do not allow it; the message names what was refused."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    units: tuple[str, ...] = ()  # the 责任单位 a staff member answers for
    source: str = "local"  # local (password), sso (OIDC login), cli (the command line)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def label(self) -> str:
        return f"{self.display_name}（{ROLE_NAMES[self.role]}）"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user with no name
        return "unknown"


# Whoever can run the command line can open the database file anyway: it is trusted as admin.
SYSTEM = User(f"cli:{_os_user()}", f"命令行（{_os_user()}）", "admin", source="cli")


def require(user: User | None, action: str) -> None:
    """Raise PermissionDenied unless the user's role allows the action (None: not logged in)."""
    if action not in _ALLOWED:
        raise BadArgument(f"未知的操作：{action}")
    what = ACTION_NAMES[action]
    if not isinstance(user, User):
        raise PermissionDenied(f"请先登录：未登录不能{what}")
    if user.role not in _ALLOWED[action]:
        raise PermissionDenied(f"{user.label}无权{what}")


def deny(con, user, action: str, message: str, detail: dict | None = None) -> PermissionDenied:
    """Write a refusal to the audit log and return the error to raise."""
    audit.record(con, user, "denied", {"action": action, "reason": message} | (detail or {}))
    return PermissionDenied(message)


def enforce(con, user, action: str, detail: dict | None = None) -> None:
    """require(), with a refusal written to the audit log."""
    try:
        require(user, action)
    except PermissionDenied as exc:
        raise deny(con, user, action, str(exc), detail) from None
