"""python -m xzcore users add|list|passwd|disable|enable: accounts from the command line.

The command line acts as auth.SYSTEM (an admin): whoever runs it holds the database file.
Passwords come from --password-stdin or a prompt typed twice, never from an argument (an
argument is visible to every user of the machine in the process list).
"""

from __future__ import annotations

import getpass
import json
import sys
import unicodedata
from pathlib import Path

from xzcore import auth
from xzcore.errors import BadArgument
from xzcore.store import db


def add_commands(sub) -> None:
    users = sub.add_parser("users", help="账号管理：新增、列出、改密码、停用、启用")
    commands = users.add_subparsers(dest="users_command", required=True)
    p = commands.add_parser("add", help="新增账号")
    p.add_argument("name", metavar="NAME", help="用户名")
    roles = " / ".join(f"{r} {n}" for r, n in auth.ROLE_NAMES.items())
    p.add_argument("--role", required=True, choices=auth.ROLES, help=roles)
    p.add_argument("--unit", action="append", default=[], help="责任单位（staff 必填，可多次）")
    p.add_argument("--display-name", help="姓名（默认同用户名）")
    p.add_argument("--email", help="统一身份认证（单点登录）的邮箱")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码")
    p = commands.add_parser("list", help="列出账号")
    p.add_argument("--json", action="store_true")
    p = commands.add_parser("passwd", help="设置新密码（同时解除锁定）")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码")
    p = commands.add_parser("disable", help="停用账号（立即退出登录）")
    p.add_argument("name", metavar="NAME")
    p = commands.add_parser("enable", help="重新启用账号")
    p.add_argument("name", metavar="NAME")


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = getpass.getpass("新密码：")
        again = getpass.getpass("再输入一次：")
    except EOFError:
        raise BadArgument("没有读到密码（不在终端里运行时请用 --password-stdin）") from None
    if first != again:
        raise BadArgument("两次输入的密码不一致")
    return first


def run(args, path: Path) -> int:
    # Read-write even to list: a database from before accounts existed gets its users table.
    con = db.connect(path)
    try:
        command = args.users_command
        if command == "list":
            _list(con, args.json)
        elif command == "add":
            user = auth.add_user(
                con,
                args.name,
                _password(args),
                args.role,
                units=args.unit,
                display_name=args.display_name,
                email=args.email,
                actor=auth.SYSTEM,
            )
            print(f"已新增账号 {user.username}：{user.label}")
            _warn_unknown_units(con, user.units)
        elif command == "passwd":
            auth.set_password(con, args.name, _password(args), actor=auth.SYSTEM)
            print(f"已为 {args.name} 设置新密码")
        elif command == "disable":
            auth.disable(con, args.name, actor=auth.SYSTEM)
            print(f"已停用账号 {args.name}")
        else:
            auth.enable(con, args.name, actor=auth.SYSTEM)
            print(f"已启用账号 {args.name}")
    finally:
        con.close()
    return 0


def _warn_unknown_units(con, units) -> None:
    """A typo in a unit gives a staff member nothing to upload: say so, but allow it (a unit
    may get its first project later)."""
    known = {r[0] for r in con.execute("SELECT DISTINCT unit FROM projects").fetchall()}
    for unit in units:
        if unit not in known:
            print(f"提示：目前没有责任单位为“{unit}”的项目，请核对单位名称", file=sys.stderr)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _state(user: dict) -> str:
    if user["disabled"]:
        return "已停用"
    if user["locked_until"]:
        return f"锁定至 {user['locked_until']:%Y-%m-%d %H:%M}"
    return "正常"


def _list(con, as_json: bool) -> None:
    users = auth.list_users(con)
    if as_json:
        print(json.dumps(users, ensure_ascii=False, indent=2, default=str))
        return
    if not users:
        print("还没有账号（用 python -m xzcore users add 新增）")
        return
    header = ["用户名", "姓名", "角色", "责任单位", "邮箱", "状态", "最近登录"]
    rows = [
        [u["username"], u["display_name"], u["role_name"], "、".join(u["units"]) or "—",
         u["email"] or "—", _state(u),
         f"{u['last_login']:%Y-%m-%d %H:%M}" if u["last_login"] else "—"]
        for u in users
    ]  # fmt: skip
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
