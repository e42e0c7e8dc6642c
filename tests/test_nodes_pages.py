"""项目推进 and the project page's 节点 section under AppTest on the demo: what a visitor sees,
who gets the edit form, and an office edit that moves the overdue list."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.logins import log_in
from xzcore import auth
from xzcore.nodes import states, store, templates
from xzcore.period import Month
from xzcore.store import db

LONGI_ID = 1
UNIT = "王江泾镇人民政府"
ADMIN = auth.User("admin", "管理员", "admin")


def _app(username: str | None, page: str, **params) -> AppTest:
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
    if username:
        log_in(at, username)
    for key, value in params.items():
        at.query_params[key] = value
    return at.switch_page(page).run()


def _metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _overdue_tab(at: AppTest) -> str:
    return next(t.label for t in at.tabs if t.label.startswith("超期节点"))


def test_the_pipeline_page_says_its_denominators(app_db):
    at = _app(None, "pages/pipeline.py")
    assert not at.exception and not at.error
    metrics = _metrics(at)
    assert metrics["开工率（按1-8月计划）"] == ("100.0%", "已开工 113 个 ÷ 1-8月计划应开工 113 个")
    assert metrics["投产率（按签约项目）"][1] == "已投产 4 个 ÷ 签约项目 113 个"
    assert metrics["竣工率（按全年计划）"] == ("24.0%", "已竣工 6 个 ÷ 2020年计划竣工 25 个")
    labels = [t.label for t in at.tabs]
    assert labels[:3] == ["应开工未开工（0）", "应竣工未竣工（0）", "应投产未投产（1）"]
    assert _overdue_tab(at) == "超期节点（6）"
    frames = [d.value for d in at.dataframe]
    by_unit = next(f for f in frames if "合计" in f.columns)
    assert by_unit["责任单位"].tolist() == ["区交通运输局"]
    said = next(c.value for c in at.code)
    assert said.startswith("截至8月末，签约项目113个，已开工113个，已竣工6个，已投产4个；")
    assert said.endswith("超期未完成节点6个（其中本月到期3个，最长超期118天），下月到期节点10个。")


def test_a_visitor_sees_the_nodes_of_longi_and_no_form(app_db):
    at = _app(None, "pages/project.py", project=str(LONGI_ID))
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 2  # the months and the Gantt
    nodes = next(d.value for d in at.dataframe if "节点" in d.value.columns)
    rows = nodes.set_index("节点")
    assert rows.loc["设备安装", "计划日期"] == "2020-11-30"
    assert rows.loc["投产", "计划日期"] == "2020-11-30"
    assert rows.loc["开工入库", "实际日期来源"] == "实际开工日期"
    assert rows.loc["主体结顶", "状态"] == "按期完成"
    assert rows.loc["开工入库", "倒排（距目标日期）"] == "目标前284天"
    assert rows.loc["设备安装", "倒排（距目标日期）"] == "目标当天"
    assert not [b for b in at.button if b.label in ("保存节点", "倒排生成计划日期")]


ROLES = [("leader", False), ("staff", False), ("office", True), ("admin", True)]


@pytest.mark.parametrize(("username", "editable"), ROLES)
def test_who_gets_the_edit_form_on_longi(app_db, username, editable):
    at = _app(username, "pages/project.py", project=str(LONGI_ID))
    assert not at.exception
    assert any(b.label == "保存节点" for b in at.button) is editable


def test_staff_edit_their_own_units_projects(app_db):
    with db.connect(app_db) as con:
        own = con.execute("SELECT min(id) FROM projects WHERE unit = ?", [UNIT]).fetchone()[0]
    at = _app("staff", "pages/project.py", project=str(own))
    assert any(b.label == "保存节点" for b in at.button)


def test_the_office_marks_an_overdue_node_done_and_the_overdue_list_shrinks(app_db):
    with db.connect(app_db) as con:
        late = states.overdue(con, Month(2020, 8))
    pid, name = int(late["project_id"].iloc[0]), late["name"].iloc[0]
    before = _app("office", "pages/pipeline.py")
    assert _overdue_tab(before) == "超期节点（6）"
    at = _app("office", "pages/project.py", project=str(pid))
    next(s for s in at.selectbox if s.label == "节点").set_value(name).run()
    next(d for d in at.date_input if d.label.startswith("实际完成日期")).set_value(
        dt.date(2020, 8, 20)
    )
    _button(at, "保存节点").click().run()
    assert not at.exception and not at.error
    assert any(f"已保存节点“{name}”" in s.value for s in at.success)
    with db.connect(app_db) as con:
        actual = con.execute(
            "SELECT actual FROM project_nodes WHERE project_id = ? AND name = ?", [pid, name]
        ).fetchone()[0]
    assert actual == dt.date(2020, 8, 20)
    after = _app("office", "pages/pipeline.py")
    assert _overdue_tab(after) == "超期节点（5）"


def test_the_office_schedules_back_from_a_new_target(app_db):
    at = _app("office", "pages/project.py", project=str(LONGI_ID))
    next(d for d in at.date_input if d.label.startswith("目标日期")).set_value(
        dt.date(2020, 12, 31)
    )
    _button(at, "倒排生成计划日期").click().run()
    assert not at.exception and not at.error
    with db.connect(app_db) as con:
        rows = dict(con.execute(
            "SELECT name, planned FROM project_nodes WHERE project_id = ?", [LONGI_ID]
        ).fetchall())  # fmt: skip
        kept = con.execute(
            "SELECT actual FROM project_nodes WHERE project_id = ? AND name = '主体结顶'",
            [LONGI_ID],
        ).fetchone()[0]
    assert rows["竣工"] == dt.date(2020, 12, 31) and rows["开工入库"] == dt.date(2020, 2, 20)
    assert kept == dt.date(2020, 7, 28)  # the actual date stays


GOOD = (
    "项目名称,节点,计划日期,实际日期,备注\n隆基乐叶年产5GW单晶组件项目,设备安装,2020-11-20,,提前\n"
)
BAD = (
    "项目名称,节点,计划日期\n隆基乐叶年产5GW单晶组件项目,设备安装,2020-02-30\n"
    "没有的项目,竣工,2020-12-01\n"
)


def _nodes_dump(path) -> list:
    with db.connect(path) as con:
        return con.execute("SELECT * FROM project_nodes ORDER BY ALL").fetchall()


def test_the_office_imports_a_node_file_and_undoes_it(app_db):
    before = _nodes_dump(app_db)
    at = _app("office", "pages/pipeline.py")
    at.file_uploader[0].set_value(("节点.csv", BAD.encode("gbk"), "text/csv")).run()
    assert not at.exception and "有 2 处错误，未导入" in at.error[0].value
    errors = next(d.value for d in at.dataframe if "说明" in d.value.columns)
    assert errors[["行", "列"]].values.tolist() == [[2, "计划日期"], [3, "项目名称"]]
    assert not [b for b in at.button if b.label == "确认导入"]
    assert _nodes_dump(app_db) == before
    at.file_uploader[0].set_value(("节点.csv", GOOD.encode(), "text/csv")).run()
    _button(at, "确认导入").click().run()
    assert not at.exception and not at.error
    assert any("批次 1" in s.value for s in at.success)
    assert _nodes_dump(app_db) != before
    assert not [b for b in at.button if b.label == "确认导入"]  # not offered twice
    _button(at, "撤销").click().run()
    assert any("已撤销节点批次 1" in s.value for s in at.success)
    assert _nodes_dump(app_db) == before


def test_the_leader_gets_neither_panel_and_the_admin_sets_the_due_soon_days(app_db):
    leader = _app("leader", "pages/pipeline.py")
    assert not leader.file_uploader and not [b for b in leader.button if b.label == "保存模板"]
    at = _app("admin", "pages/pipeline.py")
    next(n for n in at.number_input if n.label == "临期提醒天数").set_value(20)
    _button(at, "保存节点设置").click().run()
    assert not at.exception and any("前 20 天内" in s.value for s in at.success)
    with db.connect(app_db) as con:
        assert store.settings(con).due_soon == 20


def test_a_template_named_with_markdown_shows_as_typed(app_db):
    hostile = "**粗体**:red[模板]"
    with db.connect(app_db) as con:
        steps = templates.steps(con, "产业项目")
        templates.save(con, ADMIN, hostile, steps)
        templates.assign(con, ADMIN, LONGI_ID, hostile)
    at = _app(None, "pages/project.py", project=str(LONGI_ID))
    caption = next(c.value for c in at.caption if c.value.startswith("模板："))
    assert hostile not in caption and hostile in caption.replace("\\", "")


def test_the_office_gives_a_node_its_own_unit(app_db):
    at = _app("office", "pages/project.py", project=str(LONGI_ID))
    next(s for s in at.selectbox if s.label == "节点").set_value("设备安装").run()
    next(t for t in at.text_input if t.label.startswith("节点责任单位")).input("区经信局")
    _button(at, "保存节点").click().run()
    assert not at.exception and not at.error
    nodes = next(d.value for d in at.dataframe if "节点" in d.value.columns).set_index("节点")
    assert nodes.loc["设备安装", "责任单位"] == "区经信局"
    assert nodes.loc["竣工", "责任单位"] == "秀洲高新区管委会"


def test_the_nodes_slide_ends_an_accounts_deck_with_names_as_typed(app_db):
    import re

    hostile = "<script>alert(1)</script>**供地**"
    with db.connect(app_db) as con:
        late = states.overdue(con, Month(2020, 8))
        con.execute(
            "UPDATE project_nodes SET name = ? WHERE project_id = ? AND name = ?",
            [hostile, int(late.iloc[0]["project_id"]), late.iloc[0]["name"]],
        )
    visitor = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
    visitor.query_params.update(present="1", month="2020-08", slide="9")
    visitor.run()
    said = " ".join(h.value for h in visitor.html)
    assert "7 / 7" in said and "节点超期" not in said
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
    log_in(at, "leader")
    at.query_params.update(present="1", month="2020-08", slide="9")
    at.run()
    assert not at.exception
    page = " ".join(h.value for h in at.html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;**供地**" in page
    assert "<script>alert(1)" not in page
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "9 / 9" in text and "节点超期" in text
    assert f"截至 2020-08-31：超期未完成的节点 {len(late)} 个（其中本月到期 " in text
    first = late.iloc[0]
    assert f"{int(first['days'])}天" in text
    units = states.by_unit(late)
    assert (
        f"{units[0]['unit']} {units[0]['overdue']} {units[0]['new']} {units[0]['longest']}天"
        in text
    )


def test_the_nodes_slide_of_a_units_view_lists_its_projects_nodes(app_db):
    import re

    with db.connect(app_db) as con:
        late = states.overdue(con, Month(2020, 8))
    housing = late[late["unit"] == "区住建局"]
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
    log_in(at, "leader")
    at.query_params.update(present="1", month="2020-08", slide="99", unit="区住建局")
    at.run()
    assert not at.exception
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", " ".join(h.value for h in at.html)))
    assert "节点超期" in text and len(housing) < len(late)
    assert f"超期未完成的节点 {len(housing)} 个" in text
    assert housing.iloc[0]["project"] in text and "区经信局" not in text
