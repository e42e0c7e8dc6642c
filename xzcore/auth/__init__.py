"""Accounts and roles: who may look, who may change figures, and for which units.

The checks live here and in the functions that change data (ingest, settings), so a page that
forgets to hide a button still cannot write. A User comes from this package, made from the
users table (authenticate, session_user, sso_user), or is SYSTEM for the command line.

    user = auth.authenticate(con, "office", "xz-demo-office")   # LoginFailed otherwise
    token = auth.open_session(con, user)                        # for the browser's cookie
    auth.session_user(con, token)                               # the user again, or None
    auth.require(user, "upload")                                # PermissionDenied otherwise
"""

from xzcore.auth.accounts import (
    MIN_PASSWORD,
    add_user,
    disable,
    enable,
    list_users,
    set_password,
    set_role,
)
from xzcore.auth.login import (
    LOCK_TIME,
    LOGIN_FAILED,
    MAX_FAILED,
    SESSION_IDLE,
    SESSION_MAX,
    authenticate,
    close_session,
    look_up,
    open_session,
    session_user,
    settle,
    sso_user,
)
from xzcore.store.roles import (
    ACTION_NAMES,
    ROLE_NAMES,
    ROLES,
    SYSTEM,
    LoginFailed,
    PermissionDenied,
    User,
    deny,
    enforce,
    require,
)

__all__ = [
    "ACTION_NAMES",
    "LOCK_TIME",
    "LOGIN_FAILED",
    "MAX_FAILED",
    "MIN_PASSWORD",
    "ROLES",
    "ROLE_NAMES",
    "SESSION_IDLE",
    "SESSION_MAX",
    "SYSTEM",
    "LoginFailed",
    "PermissionDenied",
    "User",
    "add_user",
    "authenticate",
    "close_session",
    "deny",
    "disable",
    "enable",
    "enforce",
    "list_users",
    "look_up",
    "open_session",
    "require",
    "session_user",
    "set_password",
    "set_role",
    "settle",
    "sso_user",
]
