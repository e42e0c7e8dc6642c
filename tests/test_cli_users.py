"""python -m xzcore users add|list|passwd|disable|enable: accounts from the command line."""

from __future__ import annotations

import json
import unicodedata
from types import SimpleNamespace

import pytest

from tests.test_cli import cli
from xzcore import auth
from xzcore.cli import users as cli_users
from xzcore.errors import BadArgument
from xzcore.store import audit, db


def users(path, *args, password: str | None = None):
    """python -m xzcore users … (in this process: tests.test_cli.cli), the password typed in."""
    return cli("users", *args, db=path, stdin=None if password is None else password + "\n")


@pytest.fixture
def path(tmp_path):
    db.connect(tmp_path / "t.duckdb", create=True).close()
    return tmp_path / "t.duckdb"


def on_screen(line: str, text: str) -> int:
    """The screen column where text starts in the line."""
    return sum(
        2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[: line.index(text)]
    )


def login(path, name, password):
    con = db.connect(path)
    try:
        return auth.authenticate(con, name, password)
    finally:
        con.close()


def test_add_list_passwd_disable_enable(path):
    added = users(path, "add", "ZhangSan", "--role", "staff", "--unit", "王江泾镇人民政府",
                  "--unit", "新塍镇人民政府", "--display-name", "张三", "--email", "z@xz.gov.cn",
                  "--password-stdin", password="zhang-pass-1")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout == "已新增账号 zhangsan：张三（责任单位填报员）\n"
    assert "提示：目前没有责任单位为“王江泾镇人民政府”的项目" in added.stderr  # an empty db
    assert users(path, "add", "root", "--role", "admin", "--password-stdin",
                 password="admin-pass-1").returncode == 0  # fmt: skip
    listed = users(path, "list")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["用户名", "姓名", "角色", "责任单位", "邮箱", "状态", "最近登录"]
    assert lines[2].split() == [
        "zhangsan", "张三", "责任单位填报员", "王江泾镇人民政府、新塍镇人民政府", "z@xz.gov.cn",
        "正常", "—",
    ]  # fmt: skip
    # Columns line up on screen, where a Chinese character is two columns wide.
    for head, cell in (("姓名", "张三"), ("邮箱", "z@xz.gov.cn"), ("状态", "正常")):
        assert on_screen(lines[0], head) == on_screen(lines[2], cell)
    as_json = json.loads(users(path, "list", "--json").stdout)
    assert [u["username"] for u in as_json] == ["root", "zhangsan"]
    assert not any("hash" in key or "password" in key for u in as_json for key in u)
    assert login(path, "zhangsan", "zhang-pass-1").units == ("王江泾镇人民政府", "新塍镇人民政府")

    changed = users(path, "passwd", "zhangsan", "--password-stdin", password="new-pass-456")
    assert (changed.returncode, changed.stdout) == (0, "已为 zhangsan 设置新密码\n")
    assert login(path, "zhangsan", "new-pass-456").username == "zhangsan"
    assert users(path, "disable", "zhangsan").stdout == "已停用账号 zhangsan\n"
    with pytest.raises(auth.LoginFailed):
        login(path, "zhangsan", "new-pass-456")
    assert "已停用" in users(path, "list").stdout
    assert users(path, "enable", "zhangsan").returncode == 0
    assert login(path, "zhangsan", "new-pass-456").role == "staff"

    con = db.connect(path, read_only=True)
    try:
        log = audit.query(con, actor=auth.SYSTEM.username)
    finally:
        con.close()
    assert log["action"].tolist() == [
        "user_enable", "user_disable", "user_passwd", "user_add", "user_add"
    ]  # fmt: skip
    assert set(log["role"]) == {"admin"}


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["add", "wangwu", "--role", "staff", "--password-stdin"], "long-enough",
         "错误：责任单位填报员至少要指定一个责任单位"),
        (["add", "wangwu", "--role", "viewer", "--password-stdin"], "short", "错误：密码至少 8 位"),
        (["add", "w", "--role", "viewer", "--password-stdin"], "long-enough",
         "错误：用户名“w”无效：2–32 个字符，只能用字母、数字、汉字和 . _ - @"),
        (["passwd", "nobody", "--password-stdin"], "long-enough", "错误：没有用户“nobody”"),
        (["disable", "nobody"], None, "错误：没有用户“nobody”"),
        (["enable", "nobody"], None, "错误：没有用户“nobody”"),
    ],
)  # fmt: skip
def test_a_refused_command_prints_one_chinese_line_and_exits_1(path, args, password, message):
    result = users(path, *args, password=password)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [message]
    assert json.loads(users(path, "list", "--json").stdout) == []


def test_an_empty_database_lists_no_accounts_with_a_hint(path):
    assert users(path, "list").stdout == "还没有账号（用 python -m xzcore users add 新增）\n"


def test_the_prompt_asks_twice_and_refuses_a_mismatch(monkeypatch):
    answers = iter(["first-pass-1", "other-pass-2", "same-pass-3", "same-pass-3"])
    monkeypatch.setattr(cli_users.getpass, "getpass", lambda prompt: next(answers))
    prompted = SimpleNamespace(password_stdin=False)
    with pytest.raises(BadArgument, match="两次输入的密码不一致"):
        cli_users._password(prompted)
    assert cli_users._password(prompted) == "same-pass-3"
