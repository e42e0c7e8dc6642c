"""Accounts: argon2id hashes only, one message for any failed login, lockout, admin-only changes."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from xzcore import auth
from xzcore.auth import LOGIN_FAILED, LoginFailed, PermissionDenied, User
from xzcore.auth import accounts as accounts_module
from xzcore.errors import BadArgument
from xzcore.store import audit

T0 = dt.datetime(2020, 9, 1, 9, 0)
ADMIN = User("root", "管理员甲", "admin")


@pytest.fixture
def accounts(con):
    """An admin and a staff member of one township, added by the command line."""
    auth.add_user(con, "root", "admin-pass-1", "admin", actor=auth.SYSTEM, display_name="管理员甲")
    auth.add_user(con, "ZhangSan", "zhang-pass-1", "staff", units=["王江泾镇人民政府"],
                  display_name="张三", email="Zhang.San@xz.gov.cn", actor=ADMIN)  # fmt: skip
    return con


def log(con, **filters) -> list[tuple]:
    frame = audit.query(con, **filters)
    return list(frame[["actor", "action"]].itertuples(index=False, name=None))


def test_only_the_argon2id_hash_is_stored_never_the_password(accounts, tmp_path):
    stored = accounts.execute("SELECT password_hash FROM users ORDER BY username").fetchall()
    assert all(h.startswith("$argon2id$") for (h,) in stored)
    accounts.execute("CHECKPOINT")
    raw = (tmp_path / "t.duckdb").read_bytes()
    assert b"zhang-pass-1" not in raw and b"admin-pass-1" not in raw
    assert b"$argon2id$" in raw  # the check above looked at a file that does hold the hashes
    assert all("password" not in key for row in auth.list_users(accounts) for key in row)


def test_login_gives_the_user_with_role_and_units(accounts):
    user = auth.authenticate(accounts, " zhangsan ", "zhang-pass-1", now=T0)
    assert user == User("zhangsan", "张三", "staff", ("王江泾镇人民政府",))
    auth.require(user, "upload")  # a staff member may upload: no PermissionDenied
    assert not user.is_admin and user.label == "张三（责任单位填报员）"
    assert log(accounts, action="login") == [("zhangsan", "login")]
    assert auth.list_users(accounts)[1]["last_login"] == T0


def test_a_wrong_password_an_unknown_name_and_a_disabled_account_fail_alike(accounts):
    auth.add_user(accounts, "lisi", "lisi-pass-1", "viewer", actor=ADMIN)
    auth.disable(accounts, "lisi", actor=ADMIN)
    messages = []
    for name, password in (("zhangsan", "wrong-pass"), ("nobody", "zhang-pass-1"),
                           ("lisi", "lisi-pass-1")):  # fmt: skip
        with pytest.raises(LoginFailed) as failed:
            auth.authenticate(accounts, name, password, now=T0)
        messages.append(str(failed.value))
    assert messages == [LOGIN_FAILED] * 3
    assert LOGIN_FAILED == "用户名或密码错误（连续输错 5 次，账号将锁定 15 分钟）"
    details = audit.query(accounts, action="login_failed")["detail"]
    assert [json.loads(d)["reason"] for d in details] == ["disabled", "unknown", "password"]


def test_ten_failed_logins_lock_the_account_and_the_log_shows_them(accounts):
    for i in range(10):
        with pytest.raises(LoginFailed):
            auth.authenticate(
                accounts, "zhangsan", f"guess-{i:04d}", now=T0 + dt.timedelta(seconds=i)
            )
    # Locked: even the right password is refused, and that attempt is logged as well.
    with pytest.raises(LoginFailed):
        auth.authenticate(accounts, "zhangsan", "zhang-pass-1", now=T0 + dt.timedelta(minutes=5))
    entries = audit.query(accounts, actor="zhangsan")
    actions = entries["action"].tolist()[::-1]  # oldest first
    assert actions == ["login_failed"] * 5 + ["locked"] + ["login_failed"] * 6
    assert entries["detail"].str.contains('"reason": "locked"').sum() == 6
    [locked] = auth.list_users(accounts)[1:]
    assert locked["locked_until"] == T0 + dt.timedelta(seconds=4, minutes=15)
    assert locked["failed_count"] == 5


def test_the_lock_runs_out_and_a_success_resets_the_count(accounts):
    for _ in range(5):
        with pytest.raises(LoginFailed):
            auth.authenticate(accounts, "zhangsan", "wrong-pass", now=T0)
    still = T0 + auth.LOCK_TIME - dt.timedelta(seconds=1)
    with pytest.raises(LoginFailed):
        auth.authenticate(accounts, "zhangsan", "zhang-pass-1", now=still)
    # After the lock, one more failure locks it again: the count stays until a success.
    after = T0 + auth.LOCK_TIME
    with pytest.raises(LoginFailed):
        auth.authenticate(accounts, "zhangsan", "wrong-pass", now=after)
    with pytest.raises(LoginFailed):
        auth.authenticate(accounts, "zhangsan", "zhang-pass-1", now=after + dt.timedelta(minutes=1))
    later = after + auth.LOCK_TIME
    assert auth.authenticate(accounts, "zhangsan", "zhang-pass-1", now=later).username == "zhangsan"
    user = auth.list_users(accounts)[1]
    assert (user["failed_count"], user["locked_until"]) == (0, None)
    with pytest.raises(LoginFailed):  # one failure after a success does not lock
        auth.authenticate(accounts, "zhangsan", "wrong-pass", now=later)
    assert auth.authenticate(accounts, "zhangsan", "zhang-pass-1", now=later).role == "staff"


def test_an_admin_password_reset_lifts_a_lock(accounts):
    for _ in range(5):
        with pytest.raises(LoginFailed):
            auth.authenticate(accounts, "zhangsan", "wrong-pass", now=T0)
    auth.set_password(accounts, "zhangsan", "new-pass-123", actor=ADMIN)
    assert auth.authenticate(accounts, "zhangsan", "new-pass-123", now=T0).username == "zhangsan"
    with pytest.raises(LoginFailed):
        auth.authenticate(accounts, "zhangsan", "zhang-pass-1", now=T0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda con: auth.add_user(con, "x", "long-enough", "viewer", actor=ADMIN),
         "用户名“x”无效：2–32 个字符，只能用字母、数字、汉字和 . _ - @"),
        (lambda con: auth.add_user(con, "cli:me", "long-enough", "viewer", actor=ADMIN),
         "用户名“cli:me”无效：2–32 个字符，只能用字母、数字、汉字和 . _ - @"),
        (lambda con: auth.add_user(con, "wangwu", "short", "viewer", actor=ADMIN),
         "密码至少 8 位"),
        (lambda con: auth.add_user(con, "zhangsan", "long-enough", "viewer", actor=ADMIN),
         "用户名“zhangsan”已存在"),
        (lambda con: auth.add_user(con, "wangwu", "long-enough", "boss", actor=ADMIN),
         "角色只能是 viewer、staff、office、admin，收到“boss”"),
        (lambda con: auth.add_user(con, "wangwu", "long-enough", "staff", actor=ADMIN),
         "责任单位填报员至少要指定一个责任单位"),
        (lambda con: auth.add_user(con, "wangwu", "long-enough", "office", units=["区发改局"],
                                   actor=ADMIN),
         "区重点办不按责任单位限定，不要指定责任单位"),
        (lambda con: auth.add_user(con, "wangwu", "long-enough", "viewer",
                                   email="zhang.san@xz.gov.cn", actor=ADMIN),
         "邮箱“zhang.san@xz.gov.cn”已被另一个用户使用"),
        (lambda con: auth.set_password(con, "zhangsan", "1234567", actor=ADMIN), "密码至少 8 位"),
        (lambda con: auth.disable(con, "root", actor=ADMIN), "不能停用最后一个管理员"),
        (lambda con: auth.set_role(con, "root", "office", actor=ADMIN),
         "不能取消最后一个管理员的管理员角色"),
        (lambda con: auth.disable(con, "nobody", actor=ADMIN), "没有用户“nobody”"),
    ],
)  # fmt: skip
def test_account_changes_that_make_no_sense_are_refused_with_a_reason(accounts, call, message):
    before = auth.list_users(accounts)
    with pytest.raises(BadArgument) as refused:
        call(accounts)
    assert str(refused.value) == message
    assert auth.list_users(accounts) == before


def test_only_an_admin_changes_accounts_and_a_user_only_their_own_password(accounts):
    staff = auth.authenticate(accounts, "zhangsan", "zhang-pass-1", now=T0)
    office = auth.add_user(accounts, "office", "office-pass", "office", actor=ADMIN)
    for actor in (staff, office, None):
        for change in (
            lambda a: auth.add_user(accounts, "wangwu", "long-enough", "admin", actor=a),
            lambda a: auth.set_password(accounts, "root", "taken-over", actor=a),
            lambda a: auth.disable(accounts, "root", actor=a),
            lambda a: auth.set_role(accounts, "zhangsan", "admin", actor=a),
        ):
            with pytest.raises(PermissionDenied):
                change(actor)
    assert len(audit.query(accounts, action="denied")) == 12
    assert [u["username"] for u in auth.list_users(accounts)] == ["office", "root", "zhangsan"]
    auth.set_password(accounts, "zhangsan", "my-own-new-pass", actor=staff)
    assert auth.authenticate(accounts, "zhangsan", "my-own-new-pass", now=T0) == staff
    detail = audit.query(accounts, action="user_passwd")["detail"].iloc[0]
    assert "my-own-new-pass" not in detail and '"reset_by_admin": false' in detail


def test_disable_enable_and_role_changes_are_audited(accounts):
    auth.add_user(accounts, "root2", "admin-pass-2", "admin", actor=ADMIN)
    auth.disable(accounts, "root", actor=ADMIN)
    auth.enable(accounts, "root", actor=ADMIN)
    auth.set_role(accounts, "zhangsan", "staff", units=["王江泾镇人民政府", "新塍镇人民政府"],
                  actor=ADMIN)  # fmt: skip
    assert auth.authenticate(accounts, "zhangsan", "zhang-pass-1", now=T0).units == (
        "王江泾镇人民政府",
        "新塍镇人民政府",
    )
    entries = audit.query(accounts, actor="root")
    assert entries["action"].tolist() == [
        "user_role", "user_enable", "user_disable", "user_add", "user_add"
    ]  # fmt: skip
    assert all(pd.notna(entries["actor_name"])) and set(entries["role"]) == {"admin"}
    assert '"old": {"role": "staff", "units": ["王江泾镇人民政府"]}' in entries["detail"].iloc[0]
    details = " ".join(audit.query(accounts)["detail"])
    assert not any(p in details for p in ("zhang-pass-1", "admin-pass-1", "admin-pass-2"))


def test_single_sign_on_maps_an_email_to_its_local_account(accounts):
    user = auth.sso_user(accounts, " zhang.san@XZ.gov.cn ", "张三丰")
    assert (user.username, user.role, user.source, user.display_name) == (
        "zhangsan", "staff", "sso", "张三"  # the account's own name wins
    )  # fmt: skip
    auth.add_user(accounts, "lisi", "lisi-pass-1", "viewer", email="li.si@xz.gov.cn", actor=ADMIN)
    assert auth.sso_user(accounts, "li.si@xz.gov.cn", "李四").display_name == "李四"
    assert auth.sso_user(accounts, "stranger@xz.gov.cn", "路人") is None
    assert auth.sso_user(accounts, "", None) is None
    auth.disable(accounts, "lisi", actor=ADMIN)
    assert auth.sso_user(accounts, "li.si@xz.gov.cn", "李四") is None


def test_roles_allow_exactly_their_actions():
    allowed = {}
    for role in auth.ROLES:
        user = User("u", "某人", role, ("某单位",) if role == "staff" else ())
        for action in auth.ACTION_NAMES:
            try:
                auth.require(user, action)
                allowed.setdefault(role, []).append(action)
            except PermissionDenied:
                pass
    assert allowed == {
        "viewer": ["problems"],
        "staff": ["upload", "undo", "problems"],
        "office": ["upload", "undo", "publish", "review", "problems"],
        "admin": ["upload", "undo", "settings", "users", "audit", "publish", "review", "problems"],
    }
    with pytest.raises(PermissionDenied, match="请先登录：未登录不能查看审计日志"):
        auth.require(None, "audit")
    with pytest.raises(BadArgument):
        auth.require(ADMIN, "launch")
    assert auth.SYSTEM.is_admin and auth.SYSTEM.username.startswith("cli:")


def test_the_production_cost_is_the_default_and_either_cost_verifies(monkeypatch):
    cheap = accounts_module.hash_password("cheap-pass-1")
    monkeypatch.delenv(accounts_module.CHEAP_FOR_TESTS)
    accounts_module.hasher.cache_clear()
    try:
        made = accounts_module.hash_password("costly-pass-1")
        assert made.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert accounts_module.verify(made, "costly-pass-1")
        assert accounts_module.verify(cheap, "cheap-pass-1")
        assert not accounts_module.verify(made, "costly-pass-2")
    finally:
        accounts_module.hasher.cache_clear()
