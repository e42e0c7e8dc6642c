"""问题督办 and 我的 under AppTest, for each role: what each sees and may do, the whole way from
登记 to 销号 through the forms, refusals, proposals from the monthly report, hostile text."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.hostile import IMG, MARKDOWN, SCRIPT
from tests.logins import log_in
from xzcore import auth
from xzcore.display import tables
from xzcore.problems import ledger, store
from xzcore.store import audit, db

OFFICE = auth.User("office", "区重点办（示例）", "office")
UNIT = "王江泾镇人民政府"
TODAY = dt.date.today()


def _app(username: str | None, page: str, **params) -> AppTest:
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
    if username:
        log_in(at, username)
    for key, value in params.items():
        at.query_params[key] = value
    return at.switch_page(page).run()


def _seed(path, *, description="政策处理未完成", due=TODAY + dt.timedelta(days=20)) -> int:
    with db.connect(path) as con:
        pid = con.execute("SELECT id FROM projects WHERE unit = ? ORDER BY id", [UNIT]).fetchone()
        problem = store.create(con, OFFICE, description=description, category="征迁",
                               source="现场办公", project_id=pid[0])  # fmt: skip
        store.assign(con, OFFICE, problem, lead_unit=UNIT, due_on=due)
    return problem


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _area(at: AppTest, label: str):
    return next(t for t in [*at.text_area, *at.text_input] if t.label == label)


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in [*at.markdown, *at.caption, *at.info, *at.success])


def _said(element) -> str:
    """An element's text without the escapes tables.literal adds to what people typed."""
    return element.value.replace("\\", "")


def _state(path, problem: int) -> str:
    with db.connect(path) as con:
        return con.execute("SELECT state FROM problems WHERE id = ?", [problem]).fetchone()[0]


@pytest.mark.parametrize("page", ["pages/problems.py", "pages/mine.py"])
def test_a_visitor_gets_the_login_form(app_db, page):
    at = _app(None, page)
    assert not at.exception
    assert any("需要先登录" in i.value for i in at.info)


def test_the_office_registers_and_hands_over_a_problem_through_the_form(app_db):
    at = _app("office", "pages/problems.py")
    assert not at.exception
    assert [t.label for t in at.tabs] == ["问题台账", "按主办单位", "按问题类型",
                                          "按协调区领导", "会议清单", "月报线索", "登记问题",
                                          "导入台账"]  # fmt: skip
    _area(at, "问题描述").input("用地指标未落实")
    _area(at, "主办单位").input(UNIT)
    next(b for b in at.button if b.label == "登记问题").click().run()
    assert not at.exception and not at.error
    assert "已登记问题 #1，已交办王江泾镇人民政府" in _said(at.success[0])
    assert _state(app_db, 1) == "已交办"
    assert at.dataframe[0].value["编号"].tolist() == [1]


def test_the_unit_notes_and_asks_to_close_the_office_closes_and_the_leader_writes(app_db):
    problem = _seed(app_db)
    staff = _app("staff", "pages/problems.py", problem=str(problem))
    assert not staff.exception
    labels = {b.label for b in staff.button}
    assert {"提交进展", "申请办结"} <= labels and not labels & {"销号", "交办", "提交批示"}
    _area(staff, "办理进展").input("已完成入户调查")
    _button(staff, "提交进展").click().run()
    assert "已记录问题 #1 的办理进展" in _said(staff.success[0])
    assert _state(app_db, problem) == "办理中"
    _area(staff, "办结情况说明").input("已签约")
    _button(staff, "申请办结").click().run()
    assert _state(app_db, problem) == "申请办结"

    leader = _app("leader", "pages/problems.py", problem=str(problem))
    assert [b.label for b in leader.button if b.label in ("销号", "提交批示")] == ["提交批示"]
    _area(leader, "领导批示").input("请区重点办加快督核")
    _button(leader, "提交批示").click().run()
    assert any("请区重点办加快督核" in i.value for i in leader.info)  # apart from the notes

    office = _app("office", "pages/problems.py", problem=str(problem))
    _button(office, "销号").click().run()
    assert "已销号（实质性办结）" in _said(office.success[0])
    assert _state(app_db, problem) == "已办结"
    with db.connect(app_db) as con:
        steps = ledger.history(con, problem)["kind"].tolist()
        assert steps == ["create", "assign", "note", "request", "instruct", "close"]
        assert "problem_close" in audit.query(con)["action"].tolist()


def test_staff_of_another_unit_and_the_office_see_only_their_steps(app_db):
    problem = _seed(app_db)
    with db.connect(app_db) as con:
        auth.add_user(con, "hehe", "hehe-pass-1", "staff", units=["洪合镇人民政府"],
                      actor=auth.SYSTEM)  # fmt: skip
    other = _app(None, "pages/login.py")
    log_in(other, "hehe", "hehe-pass-1")
    other.query_params["problem"] = str(problem)
    other.switch_page("pages/problems.py").run()
    assert not other.exception
    assert "您对这个问题没有可办理的事项。" in _text(other)
    office = _app("office", "pages/problems.py", problem=str(problem))
    labels = {b.label for b in office.button}
    assert {"提交进展", "暂缓"} <= labels and not labels & {"申请办结", "销号", "提交批示"}


def test_the_admin_changes_the_thresholds_and_the_colours_follow(app_db):
    _seed(app_db, due=TODAY + dt.timedelta(days=10))
    at = _app("admin", "pages/problems.py")
    assert "督办设置" in [t.label for t in at.tabs]
    assert "◆ 蓝色督办" not in at.dataframe[0].value["督办"].tolist()
    next(n for n in at.number_input if n.label == "临期提醒天数（蓝）").set_value(10)
    _button(at, "保存督办设置").click().run()
    assert not at.exception and "临期 10 天" in _said(at.success[0])
    assert at.dataframe[0].value["督办"].tolist() == ["◆ 蓝色督办"]
    assert at.dataframe[0].value["督办原因"].tolist() == ["距办结时限10天"]


def test_mine_lists_the_units_problems_overdue_first_and_its_red_lights(app_db):
    later = _seed(app_db, description="资金到位滞后")
    overdue = _seed(app_db, description="审批未完成")
    with db.connect(app_db) as con:  # deadlines before today: raised and handed over earlier
        earlier = [TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=40), overdue]
        con.execute("UPDATE problems SET due_on = ?, raised_on = ? WHERE id = ?", earlier)
    at = _app("staff", "pages/mine.py")
    assert not at.exception
    values = [m.value for m in at.metric]
    assert values[:2] == ["2 个", "1 个"]
    shown = [m.value for m in at.markdown if m.value.startswith("**#")]
    assert shown[0].startswith(f"**#{overdue}** :red[■ 红色督办]") and str(later) in shown[1]
    assert any(c.value.startswith("逾期3天") for c in at.caption)
    assert any("红灯项目（2020-08）" in s.value for s in at.subheader)


def test_a_leader_sees_the_problems_and_red_lights_of_the_projects_he_coordinates(app_db):
    with db.connect(app_db) as con:
        auth.add_user(con, "vice", "vice-pass-1", "viewer", display_name="副区长（分管城建交通）",
                      actor=auth.SYSTEM)  # fmt: skip
        red = con.execute(
            "SELECT count(*) FROM light_snapshots s JOIN projects p ON p.id = s.project_id"
            " WHERE s.year = 2020 AND s.month = 8 AND s.light = 'red'"
            " AND p.leader = '副区长（分管城建交通）'"
        ).fetchone()[0]
    at = _app(None, "pages/login.py")
    log_in(at, "vice", "vice-pass-1")
    at.switch_page("pages/mine.py").run()
    assert not at.exception
    cards = [m.value for m in at.markdown if m.value.startswith(":red[■ 红灯]")]
    assert len(cards) == red > 0


def test_a_proposal_from_the_report_opens_prefilled_or_is_dismissed(app_db):
    at = _app("office", "pages/problems.py")
    assert "没有新出现或有变化" in _text(at)  # August's texts are July's
    next(s for s in at.selectbox if s.label == "月报月份").set_value("2020-07").run()
    offered = [b for b in at.button if b.label == "立项"]
    assert len(offered) == 4  # the demo's July report changed four texts
    count = len(offered)
    offered[0].click().run()
    form = _area(at, "问题描述")
    assert form.value  # the report's text
    next(b for b in at.button if b.label == "登记问题").click().run()
    assert not at.exception and "已登记问题 #1" in _said(at.success[0])
    with db.connect(app_db) as con:
        row = con.execute("SELECT source, origin_month FROM problems").fetchone()
    assert row == ("月报", 7)
    assert len([b for b in at.button if b.label == "立项"]) == count - 1
    next(b for b in at.button if b.label == "忽略").click().run()
    assert len([b for b in at.button if b.label == "立项"]) == count - 2


def test_hostile_text_is_shown_as_typed(app_db):
    problem = _seed(app_db, description=SCRIPT + MARKDOWN + IMG)
    at = _app("office", "pages/problems.py", problem=str(problem))
    assert not at.exception
    assert at.dataframe[0].value["问题描述"].tolist() == [SCRIPT + MARKDOWN + IMG]
    detail = next(m.value for m in at.markdown if "问题描述" in m.value)
    assert f"**问题描述**：{tables.literal(SCRIPT + MARKDOWN + IMG)}" in detail
    card = _app("staff", "pages/mine.py")
    assert tables.literal(SCRIPT + MARKDOWN + IMG) in [m.value for m in card.markdown]


def test_the_office_imports_a_ledger_on_the_page_and_undoes_it(app_db):
    at = _app("office", "pages/problems.py")
    assert "导入台账" in [t.label for t in at.tabs]
    bad = "问题描述,问题类型\n缺钱,天气\n".encode("gbk")
    at.file_uploader[0].set_value(("台账.csv", bad, "text/csv")).run()
    assert not at.exception and "1 处错误" in at.error[0].value
    assert at.dataframe[-1].value.values.tolist()[0][:2] == [2, "问题类型"]
    assert not any(b.label == "确认导入" for b in at.button)
    good = f"问题描述,主办单位,办结时限\n缺电,{UNIT},2099-01-01\n缺水,{UNIT},2099-01-01\n"
    at.file_uploader[0].set_value(("台账.csv", good.encode(), "text/csv")).run()
    assert "2 个问题，检查无误" in at.success[0].value
    _button(at, "确认导入").click().run()
    assert "已导入 台账.csv：2 个问题（批次 1）" in _said(at.success[0])
    with db.connect(app_db) as con:
        assert con.execute("SELECT count(*) FROM problems").fetchone()[0] == 2
    _button(at, "撤销").click().run()
    assert "已撤销批次 1：删除 2 个问题" in _said(at.success[0])
    with db.connect(app_db) as con:
        assert con.execute("SELECT count(*) FROM problems").fetchone()[0] == 0


@pytest.mark.parametrize("username", ["office", "admin"])
def test_mine_for_the_office_is_its_queue(app_db, username):
    waiting = _seed(app_db, description="待督核")
    with db.connect(app_db) as con:
        store.request_close(con, auth.User("s", "s", "staff", (UNIT,)), waiting, "办完")
        unassigned = store.create(con, OFFICE, description="待交办的问题", category="其他",
                                  source="单位反映")  # fmt: skip
    _seed(app_db, description="办理中的问题")  # the unit's, not the office's turn
    at = _app(username, "pages/mine.py")
    assert not at.exception
    shown = [m.value for m in at.markdown if m.value.startswith("**#")]
    assert [s.split()[0] for s in shown] == [f"**#{waiting}**", f"**#{unassigned}**"]
    assert not at.subheader  # no red lights of their own: they have no units


def _widget(part: str, app_db, *args) -> AppTest:
    """One of ui.problems' parts for others' pages, run on its own."""

    def script(part, args):
        import streamlit as st

        from ui import problems

        # registered, not run: the links to 问题督办 need the page known, as the router makes it
        st.navigation([st.Page(problems.PAGE, url_path="problems")], position="hidden")
        getattr(problems, part)(*args)

    return AppTest.from_function(script, args=(part, args), default_timeout=60).run()


def test_the_parts_for_the_project_page_and_the_overview(app_db):
    overdue = _seed(app_db, description="审批未完成")
    _seed(app_db, description="资金到位滞后")
    with db.connect(app_db) as con:
        earlier = [TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=40), overdue]
        con.execute("UPDATE problems SET due_on = ?, raised_on = ? WHERE id = ?", earlier)
        project = con.execute("SELECT project_id FROM problems LIMIT 1").fetchone()[0]
    at = _widget("project_problems", app_db, project)
    assert not at.exception and at.markdown[0].value == "**协调问题（2 个未办结）**"
    cards = [m.value for m in at.markdown if m.value.startswith("**#")]
    assert cards[0].startswith(f"**#{overdue}** :red[■ 红色督办]") and len(cards) == 2
    assert _widget("project_problems", app_db, 999).caption[0].value == "这个项目没有登记协调问题。"
    counts = _widget("open_counts", app_db)
    assert [m.value for m in counts.metric] == ["2 个", "1 个"]


def test_a_file_that_is_not_a_ledger_is_refused_in_words(app_db):
    at = _app("office", "pages/problems.py")
    at.file_uploader[0].set_value(("计划.csv", "项目名称,年度计划\n甲,1\n".encode(), "text/csv"))
    at.run()
    assert not at.exception and "没有找到问题台账的表头" in at.error[0].value


def test_a_leader_whose_name_is_no_projects_leader_is_told_why_he_sees_no_lights(app_db):
    at = _app("leader", "pages/mine.py")  # the demo's 区领导（示例）
    assert not at.exception
    assert "没有项目的联系区领导是“区领导（示例）”" in _said(at.info[-1])


def test_the_office_sends_back_holds_and_resumes_through_the_forms(app_db):
    problem = _seed(app_db)
    with db.connect(app_db) as con:
        store.request_close(con, auth.User("s", "s", "staff", (UNIT,)), problem, "办完")
    at = _app("office", "pages/problems.py", problem=str(problem))
    _button(at, "退回").click().run()
    assert "退回理由" in at.error[0].value and _state(app_db, problem) == "申请办结"
    _area(at, "退回理由（主办单位会看到）").input("缺签约材料")
    _button(at, "退回").click().run()
    assert "已退回主办单位：缺签约材料" in _said(at.success[0])
    assert at.dataframe[0].value["督办"].tolist() == ["▲ 黄色督办"]
    _area(at, "暂缓理由").input("等待省里政策")
    _button(at, "暂缓").click().run()
    assert _state(app_db, problem) == "暂缓" and at.dataframe[0].value["督办"].tolist() == [""]
    _button(at, "恢复办理").click().run()
    assert _state(app_db, problem) == "办理中"


def test_a_problem_with_no_project_nor_unit_opens_and_is_handed_over(app_db):
    with db.connect(app_db) as con:
        problem = store.create(con, OFFICE, description="全区用工紧张", category="其他",
                               source="单位反映")  # fmt: skip
    at = _app("office", "pages/problems.py", problem=str(problem))
    assert not at.exception
    assert "nan" not in _text(at) and "None" not in _text(at)
    unit = [t for t in at.text_input if t.label == "主办单位"][-1]  # the 交办 form, not 登记
    assert unit.value == ""
    unit.input("区人力社保局")
    _button(at, "交办").click().run()
    assert "已交办区人力社保局" in _said(at.success[0]) and _state(app_db, problem) == "已交办"


def test_a_link_to_another_problem_opens_it_and_a_pick_stands(app_db):
    first, second = _seed(app_db, description="甲问题"), _seed(app_db, description="乙问题")
    at = _app("office", "pages/problems.py", problem=str(first))
    assert at.subheader[0].value.startswith(f"问题 #{first}")
    at.query_params["problem"] = str(second)  # a click on 我的's link for the second
    at.run()
    assert at.subheader[0].value.startswith(f"问题 #{second}")
    next(s for s in at.selectbox if s.label == "打开问题").set_value(first).run()
    assert at.subheader[0].value.startswith(f"问题 #{first}")
    at.run()  # stays
    assert at.subheader[0].value.startswith(f"问题 #{first}") and not at.warning


@pytest.mark.parametrize("username", [None, "office"])
def test_the_project_page_and_the_overview_show_problems_to_accounts_only(app_db, username):
    problem = _seed(app_db)
    with db.connect(app_db) as con:
        project = con.execute("SELECT project_id FROM problems WHERE id = ?", [problem]).fetchone()
    at = _app(username, "pages/project.py", project=str(project[0]))
    assert not at.exception
    listed = [m.value for m in at.markdown if m.value.startswith("**协调问题")]
    assert listed == ([] if username is None else ["**协调问题（1 个未办结）**"])
    overview = _app(username, "pages/overview.py")
    counts = {m.label: m.value for m in overview.metric if "问题" in m.label}
    assert counts == ({} if username is None else {"未办结问题": "1 个", "逾期未办结问题": "0 个"})


def _agenda(at: AppTest):
    """The 会议清单 tab's table (the only one with 需协调事项)."""
    return next(d.value for d in at.dataframe if "需协调事项" in d.value.columns)


def test_a_leader_takes_the_list_for_a_meeting_for_all_or_a_unit(app_db):
    month_ago = TODAY - dt.timedelta(days=30)
    with db.connect(app_db) as con:
        mine = store.create(con, OFFICE, description="征迁未完成", category="征迁",
                            source="现场办公", raised_on=month_ago)  # fmt: skip
        store.assign(con, OFFICE, mine, lead_unit=UNIT, due_on=TODAY - dt.timedelta(days=3))
        other = store.create(con, OFFICE, description="缺电", category="其他", source="单位反映")
        store.assign(con, OFFICE, other, lead_unit="洪合镇人民政府", due_on=TODAY)
    at = _app("leader", "pages/problems.py")
    assert not at.exception and "会议清单" in [t.label for t in at.tabs]
    scope = at.selectbox(key="problems_agenda_scope")
    assert scope.options[0] == "全部未办结问题" and f"主办或协办单位：{UNIT}" in scope.options
    table = _agenda(at)
    assert table["编号"].tolist() == [str(mine), str(other)]  # overdue first
    assert table["督办"].tolist() == ["■ 红色督办", "◆ 蓝色督办"]
    assert any("共 2 个未办结问题" in c.value for c in at.caption)
    scope.set_value(("unit", UNIT)).run()
    assert not at.exception
    assert _agenda(at)["编号"].tolist() == [str(mine)]
    shown = [c.value for c in at.caption if "待协调问题清单" in c.value]
    assert shown and f"待协调问题清单（{UNIT}，截至" in shown[0]
    buttons = [b for b in at.get("download_button") if "problems_agenda" in str(b.proto.id)]
    assert [b.proto.label for b in buttons] == ["下载 PDF", "下载 Excel"]


def test_the_presentation_ends_with_the_problems_slide_for_an_account_only(app_db):
    import re

    month_ago = TODAY - dt.timedelta(days=30)
    with db.connect(app_db) as con:
        late = store.create(con, OFFICE, description=SCRIPT + "征迁未完成", category="征迁",
                            source="现场办公", raised_on=month_ago)  # fmt: skip
        store.assign(con, OFFICE, late, lead_unit=UNIT, due_on=TODAY - dt.timedelta(days=3))
        held = store.create(con, OFFICE, description="暂缓的", category="其他", source="单位反映")
        store.hold(con, OFFICE, held, "等规划")
    visitor = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)
    visitor.query_params.update(present="1", month="2020-08", slide="8")
    visitor.run()
    said = " ".join(h.value for h in visitor.html)
    assert "7 / 7" in said and "待协调问题" not in said  # a visitor's deck has seven
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
    log_in(at, "leader")
    at.query_params.update(present="1", month="2020-08", slide="8")
    at.run()
    assert not at.exception
    page = " ".join(h.value for h in at.html)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "8 / 9" in text and "待协调问题" in text  # 节点超期 comes after it
    assert "未办结 1 个（不含暂缓），■ 红色督办 1 个、▲ 黄色督办 0 个、◆ 蓝色督办 0 个" in text
    assert f"{UNIT} 1 1 0 0" in text  # by unit: open, red, yellow, blue
    assert "逾期3天（时限" in text and "暂缓的" not in text
    assert "&lt;script&gt;alert(1)" in page and SCRIPT not in page  # typed text stays text


# --- a 问题台账 on the shared upload page --------------------------------------------------

LEDGER = ("秀洲区重点项目问题台账\n"
          "序号,问题类型,存在问题,需协调事项,牵头单位,提出时间,完成时限,办理状态\n"
          f"1,政策处理,征迁未完成,协调拆迁,{UNIT},2020年9月1日,2020/9/30,\n"
          f"2,资金,{SCRIPT},,区财政局,2020-09-02,2020-10-31,在办\n")  # fmt: skip


def _dump(path) -> dict:
    with db.connect(path) as con:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            " AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]  # fmt: skip
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall() for n in names}


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception
    return at


def test_the_upload_page_recognises_a_ledger_imports_it_as_a_batch_and_undoes_it(app_db):
    at = _upload(_app("office", "pages/upload.py"), "问题台账.csv", LEDGER.encode("gbk"))
    assert any("按表头识别为**问题台账**" in i.value for i in at.info)
    assert any("2 个问题，检查无误" in s.value for s in at.success)
    _button(at, "确认导入").click().run()
    assert not at.exception
    assert any("已导入 问题台账.csv：2 个问题（批次 1）" in _said(s) for s in at.success)
    with db.connect(app_db) as con:
        found = ledger.ledger(con, TODAY).set_index("description")
        assert found.loc["征迁未完成", "state"] == "已交办"
        assert found.loc[SCRIPT, "lead_unit"] == "区财政局"
        assert audit.query(con)["action"].tolist()[0] == "problem_import"
    # the file is still in the uploader: said to be in, never imported twice
    assert any("已在批次 1 导入" in i.value for i in at.info)
    assert not [b for b in at.button if b.label == "确认导入"]
    assert any("批次 1：问题台账.csv，2 个问题" in _said(m) for m in at.markdown)  # the history
    _button(at, "撤销批次 1").click().run()
    assert not at.exception
    with db.connect(app_db) as con:
        assert con.execute("SELECT count(*) FROM problems").fetchone()[0] == 0
    assert any("已撤销批次 1：删除 2 个问题" in _said(s) for s in at.success)
    assert any("（已撤销）" in m.value for m in at.markdown)


def test_a_bad_ledger_on_the_upload_page_changes_nothing(app_db):
    at = _app("office", "pages/upload.py")
    before = _dump(app_db)  # logged in: the login's own rows are in
    bad = LEDGER.replace("2020/9/30", "2020-13-01").replace("政策处理", "天气")
    at = _upload(at, "问题台账.csv", bad.encode("gbk"))
    assert "有 2 处错误" in at.error[0].value
    errors = next(d.value for d in at.dataframe if list(d.value.columns) == ["行", "列", "问题"])
    assert errors[["行", "列"]].values.tolist() == [[3, "问题类型"], [3, "完成时限"]]
    assert not [b for b in at.button if b.label == "确认导入"]
    assert _dump(app_db) == before


def test_a_units_staff_is_told_the_office_imports_a_ledger(app_db):
    at = _app("staff", "pages/upload.py")
    before = _dump(app_db)
    at = _upload(at, "问题台账.csv", LEDGER.encode("gbk"))
    assert any("只能由区重点办或管理员导入" in w.value for w in at.warning)
    assert not [b for b in at.button if b.label == "确认导入"]
    assert _dump(app_db) == before
