"""What each role sees and may do, under AppTest: the menu, the admin pages, the settings that
decide who may view, and an account disabled while its session is open."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.logins import log_in
from xzcore.store import audit, db, settings

VIEWING = [
    "总览", "投资完成", "进度滞后", "亮灯地图", "红旗/预警", "项目详情", "项目推进", "月度通报",
]  # fmt: skip
PROBLEMS = ["问题督办", "我的"]  # every account, no anonymous visitor
MENUS = {
    None: [*VIEWING, "登录"],
    "leader": [*VIEWING, *PROBLEMS],
    "staff": [*VIEWING, *PROBLEMS, "上传数据"],
    "office": [*VIEWING, *PROBLEMS, "上传数据", "报送情况"],
    "admin": [
        *VIEWING,
        *PROBLEMS,
        "上传数据",
        "报送情况",
        "用户管理",
        "审计日志",
        "规则设置",
        "列对应记忆",
    ],
}


def _app(username: str | None = None) -> AppTest:
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
    return log_in(at, username) if username else at


def _menu(at: AppTest) -> list[str]:
    return [link.proto.label for link in at.get("page_link")]


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize("username", list(MENUS), ids=[str(u) for u in MENUS])
def test_each_role_is_offered_its_pages(app_db, username):
    at = _app(username)
    assert not at.exception
    assert _menu(at) == MENUS[username]


@pytest.mark.parametrize("page", ["pages/users.py", "pages/audit.py", "pages/rules.py"])
def test_only_an_admin_opens_the_admin_pages(app_db, page):
    for username in ("leader", "staff", "office"):
        at = _app(username)
        at.switch_page(page).run()
        assert "没有打开" in at.error[0].value, username
    at = _app("admin")
    at.switch_page(page).run()
    assert not at.exception and not at.error


def test_an_admin_changes_the_rule_and_the_audit_log_keeps_old_and_new(app_db):
    at = _app("admin")
    at.switch_page("pages/rules.py").run()
    next(s for s in at.selectbox if s.label == "规则").set_value("yinchuan-2025").run()
    _button(at, "保存规则").click().run()
    assert not at.exception
    assert "已保存：银川市（2025）" in at.success[0].value
    at.switch_page("pages/overview.py").run()
    # August was published under the district's rule: its lights stay as published
    assert "亮灯规则：秀洲区" in at.caption[0].value and "银川" not in at.caption[0].value
    with db.connect(app_db) as con:
        assert settings.preset(con).name == "yinchuan-2025"
        changes = audit.query(con, action="settings")
    change = changes[changes["detail"].str.contains('"preset"')].iloc[0]
    assert change["actor"] == "admin"
    assert '"old": null' in change["detail"] and '"new": "yinchuan-2025"' in change["detail"]


def test_an_admin_sets_the_deadline_and_whether_leaders_see_a_collecting_month(app_db):
    at = _app("admin")
    at.switch_page("pages/rules.py").run()
    day = next(n for n in at.number_input if n.label.startswith("报送截止日"))
    leaders = next(c for c in at.checkbox if c.label == "领导可查看未发布（收集中）的月份")
    assert (day.value, leaders.value) == (5, False)  # the defaults
    day.set_value(10)
    leaders.check()
    next(b for b in at.button if b.label == "保存" and "cycle" in str(b.form_id)).click().run()
    assert not at.exception
    assert "已保存：月报于次月10日前报送；领导可以查看收集中的月份。" in at.success[0].value
    with db.connect(app_db) as con:
        assert settings.report_deadline_day(con) == 10
        assert settings.leaders_see_collecting(con)
        changes = audit.query(con, action="settings")
    details = changes[changes["actor"] == "admin"]["detail"].tolist()
    assert any('"key": "report_deadline_day", "old": null, "new": "10"' in d for d in details)
    assert any('"key": "leaders_see_collecting", "old": null, "new": "true"' in d for d in details)
    at.switch_page("pages/rules.py").run()
    assert next(n for n in at.number_input if n.label.startswith("报送截止日")).value == 10


def test_when_viewing_needs_a_login_a_visitor_gets_the_login_form_everywhere(app_db):
    at = _app("admin")
    at.switch_page("pages/rules.py").run()
    next(r for r in at.radio if r.label == "未登录的访问者").set_value("必须登录才能查看")
    _button(at, "保存").click().run()
    assert "必须登录" in at.success[0].value
    visitor = _app()
    assert _menu(visitor) == ["登录"]
    assert [t.label for t in visitor.text_input] == ["用户名", "密码"]
    assert not visitor.metric  # no figures before logging in
    visitor.switch_page("pages/lag.py").run()
    assert visitor.info[0].value == "打开「进度滞后」需要先登录。"


def test_an_admin_adds_an_account_that_can_then_log_in_and_disabling_it_ends_its_session(
    app_db,
):
    at = _app("admin")
    at.switch_page("pages/users.py").run()
    fields = {t.label: t for t in at.text_input}
    fields["用户名"].input("zhang")
    fields["姓名"].input("张三")
    fields["初始密码（至少 8 位）"].input("zhang-pass-1")
    next(s for s in at.selectbox if s.label == "角色").set_value("office")
    _button(at, "新增").click().run()
    assert not at.exception and "已新增账号 zhang" in at.success[0].value

    zhang = log_in(_app(), "zhang", "zhang-pass-1")
    assert "上传数据" in _menu(zhang)

    next(s for s in at.selectbox if s.label == "账号" and s.key == "disable_user_name").set_value(
        "zhang"
    )
    next(c for c in at.checkbox if c.label.startswith("确认停用")).check()
    _button(at, "停用").click().run()
    assert "已停用账号 zhang" in at.success[0].value
    zhang.run()  # the next click of the open session
    assert _menu(zhang) == MENUS[None]  # logged out: a visitor again


def test_single_sign_on_is_offered_only_when_the_deployment_configures_it(app_db):
    plain = _app()
    plain.switch_page("pages/login.py").run()
    assert "统一身份认证登录" not in [b.label for b in plain.button]
    configured = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
    configured.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "xiuzhou",
        "client_secret": "secret",
        "server_metadata_url": "https://sso.example.invalid/.well-known/openid-configuration",
    }
    configured.run().switch_page("pages/login.py").run()
    assert not configured.exception
    assert "统一身份认证登录" in [b.label for b in configured.button]


def test_the_audit_log_filters_by_action_and_exports_what_it_shows(app_db):
    at = _app("admin")
    at.switch_page("pages/audit.py").run()
    next(s for s in at.selectbox if s.label == "操作").set_value("login").run()
    shown = at.dataframe[0].value
    assert set(shown["操作"]) == {"登录"} and list(shown["用户名"]) == ["admin"]
    assert [b.label for b in at.get("download_button")] == ["下载 CSV"]
