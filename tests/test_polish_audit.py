"""Issue 14 item 9: the audit log's 内容 in Chinese words, never raw JSON with English keys."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.logins import log_in
from xzcore import auth
from xzcore.auth import User
from xzcore.store import audit, db, settings

ADMIN = User("root", "管理员甲", "admin")
# the words of an entry may hold data (file names, preset names, hashes) but no JSON
JSON = re.compile(r'[{}"]|\b(key|old|new|batch|kind|username|reason)\b')


def _said(con, action: str) -> str:
    entry = audit.query(con, action=action, limit=1).iloc[0]
    return audit.describe(entry["action"], entry["detail"])


def test_settings_say_what_changed_from_what_to_what(con):
    settings.write(con, "preset", "yinchuan-2025", actor=ADMIN)
    settings.write(con, "preset", "xiuzhou", actor=ADMIN)
    assert _said(con, "settings") == "规则预设：yinchuan-2025 → xiuzhou"
    settings.set_thresholds(con, "xiuzhou", {"yellow": "12"}, actor=ADMIN)
    assert _said(con, "settings") == "阈值（xiuzhou）：绿灯 （空） → 0，黄灯 （空） → 12，" + (
        "开工黄灯月数 （空） → 1，开工红灯月数 （空） → 3"
    )
    settings.set_thresholds(con, "xiuzhou", {"yellow": "15"}, actor=ADMIN)
    assert _said(con, "settings") == "阈值（xiuzhou）：黄灯 12 → 15"
    settings.set_thresholds(con, "xiuzhou", {"node_rule": True}, actor=ADMIN)
    assert _said(con, "settings") == (
        "阈值（xiuzhou）：节点超期亮灯 否 → 是，节点黄灯天数 （空） → 1，节点红灯天数 （空） → 30"
    )
    settings.set_thresholds(con, "xiuzhou", {"node_rule": False}, actor=ADMIN)
    assert _said(con, "settings") == (
        "阈值（xiuzhou）：节点超期亮灯 是 → 否，节点黄灯天数 1 → （空），节点红灯天数 30 → （空）"
    )
    settings.set_anonymous_viewing(con, True, actor=ADMIN)
    assert _said(con, "settings") == "未登录可查看：（未设置） → 允许"
    settings.write(con, "schedule_mode", "plan", actor=ADMIN)
    assert _said(con, "settings") == "时序进度口径：（未设置） → 按月度计划清单（Σ目标÷Σ计划）"


def test_users_logins_and_uploads_in_words(con):
    auth.add_user(con, "wang", "x" * 12, "staff", units=["王江泾镇人民政府"], actor=ADMIN)
    assert _said(con, "user_add") == (
        "用户名：wang；姓名：wang；角色：责任单位填报员；责任单位：王江泾镇人民政府"
    )
    auth.set_role(con, "wang", "office", actor=ADMIN)
    assert _said(con, "user_role") == (
        "用户 wang：角色 责任单位填报员（王江泾镇人民政府） → 区重点办（（无））"
    )
    audit.record(con, "wang", "login_failed", {"reason": "password", "failed_count": 2})
    assert _said(con, "login_failed") == "理由：密码错误；连续失败次数：2"
    warned = ["第5行：累计超过总投资"]
    detail = {
        "batch": 9,
        "kind": "progress",
        "month": 8,
        "new": 3,
        "changed": 0,
        "warnings": warned,
    }
    audit.record(con, ADMIN, "commit", detail)
    assert _said(con, "commit") == (
        "批次：9；类型：月报；月份：8；新增：3；变更：0；警告：第5行：累计超过总投资"
    )
    audit.record(con, ADMIN, "upload", {"file": "月报.csv", "sha256": "0d80177fa478fbea380edc87"})
    assert _said(con, "upload") == "文件：月报.csv；SHA-256：0d80177fa478…"
    for action in audit.query(con)["action"]:
        assert not JSON.search(_said(con, action)), action


def test_the_audit_page_shows_words(app_db):
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), "admin")
    at.switch_page("pages/audit.py").run()
    assert not at.exception, at.exception
    assert at.dataframe[0].proto.row_height > 64  # wrapped, not cut
    shown = at.dataframe[0].value["内容"]
    assert len(shown) and not any(JSON.search(text) for text in shown)
    assert "方式：密码" in list(shown)  # the login just made


def test_the_audit_page_shows_a_logout_beside_entries_with_words(app_db):
    """A logout has no detail: beside entries with one, pandas 3 hands it over as NaN, and the
    page crashed with Streamlit's English notice as soon as anyone had logged out."""
    con = db.connect(app_db)
    audit.record(con, ADMIN, "logout")
    audit.record(con, "nobody", "login_failed", {"reason": "unknown"})  # no role either
    con.close()
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), "admin")
    at.switch_page("pages/audit.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table.loc[table["操作"] == "退出登录", "内容"]) == [""]
    assert "方式：密码" in list(table["内容"])
    assert list(table.loc[table["用户名"] == "nobody", "角色"]) == ["—"]
