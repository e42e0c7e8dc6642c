"""Milestones core (issue 18): 倒排 from a target date, node states at their boundaries on an
injected day, the optional light rule at its thresholds, pipeline rates against denominators
counted by hand, node files (errors change nothing; one batch; undo)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import build
from tests.upload_files import dump
from xzcore import auth, rules
from xzcore.errors import BadArgument
from xzcore.nodes import frame, importer, model, pipeline, schedule, states, store, templates
from xzcore.nodes.templates import Step
from xzcore.period import Month
from xzcore.report import nodes_section
from xzcore.store import audit, settings
from xzcore.store.roles import PermissionDenied

D = dt.date
OFFICE = auth.User("office", "区重点办", "office")
ADMIN = auth.User("admin", "管理员", "admin")
VIEWER = auth.User("leader", "领导", "viewer")
STAFF = auth.User("staff", "填报员", "staff", ("区经信局",))
LONGI = "隆基乐叶年产5GW单晶组件项目"


# --- 倒排 -----------------------------------------------------------------------------------

STEPS = [Step("签约", "签约", 0), Step("供地", None, 60), Step("开工", "开工", 30),
         Step("竣工", "竣工", 300, target=True), Step("投产", "投运", 45)]  # fmt: skip


def test_backward_counts_back_from_the_target_and_forward_after_it():
    planned = dict((s.name, d) for s, d in schedule.backward(STEPS, D(2020, 11, 30)))
    assert planned == {
        "竣工": D(2020, 11, 30),
        "开工": D(2020, 11, 30) - dt.timedelta(300),  # 2020-02-04
        "供地": D(2020, 2, 4) - dt.timedelta(30),  # 2020-01-05
        "签约": D(2020, 1, 5) - dt.timedelta(60),  # 2019-11-06
        "投产": D(2020, 11, 30) + dt.timedelta(45),  # 2021-01-14
    }
    assert planned["开工"] == D(2020, 2, 4) and planned["签约"] == D(2019, 11, 6)


def test_a_pinned_start_moves_the_nodes_before_it_and_cannot_pass_the_target():
    planned = dict((s.name, d) for s, d in schedule.backward(STEPS, D(2020, 11, 30),
                                                             {"开工": D(2020, 3, 1)}))  # fmt: skip
    assert planned["开工"] == D(2020, 3, 1)
    assert planned["供地"] == D(2020, 1, 31) and planned["签约"] == D(2019, 12, 2)
    with pytest.raises(BadArgument, match="晚于目标日期"):
        schedule.backward(STEPS, D(2020, 11, 30), {"开工": D(2020, 12, 1)})


def test_the_shipped_templates_follow_design_section_9(con):
    assert templates.names(con) == ["产业项目", "政府投资项目", "续建"]
    industry = [s.name for s in templates.steps(con, "产业项目")]
    assert industry == ["签约", "供地", "备案", "环评/能评", "规划许可", "施工许可", "开工入库",
                        "主体结顶", "设备安装", "竣工", "投产", "达产/上规"]  # fmt: skip
    assert templates.guess("续建", "先进制造业") == "续建"
    assert templates.guess("新建", "先进制造业") == "产业项目"
    assert templates.guess("新建", "基础设施") == "政府投资项目"


def test_the_admin_edits_a_template_and_nobody_else_may(con):
    new = [*templates.steps(con, "续建")[:2], Step("竣工验收", "竣工", 90, target=True)]
    with pytest.raises(PermissionDenied):
        templates.save(con, OFFICE, "续建", new)
    templates.save(con, ADMIN, "续建", new)
    assert [(s.name, s.days) for s in templates.steps(con, "续建")][-1] == ("竣工验收", 90)
    with pytest.raises(BadArgument, match="只指定一个目标节点"):
        templates.save(con, ADMIN, "续建", [Step("竣工", "竣工", 0)])
    with pytest.raises(BadArgument, match="顺序"):
        templates.save(con, ADMIN, "续建", [Step("竣工", "竣工", 0, True), Step("开工", "开工", 9)])


def test_scheduling_checks_the_role_and_the_unit_and_audits_a_refusal(con):
    ids = build(con, [dict(name="甲", plan=100, unit="区经信局", build_type="新建",
                           planned_start=D(2020, 3, 1), planned_completion=D(2021, 6, 30)),
                      dict(name="乙", plan=100, unit="区住建局", build_type="新建",
                           category="基础设施", planned_completion=D(2021, 6, 30))])  # fmt: skip
    with pytest.raises(PermissionDenied, match="不属于您负责的单位"):
        schedule.apply(con, STAFF, ids["乙"])
    with pytest.raises(PermissionDenied):
        schedule.apply(con, VIEWER, ids["甲"])
    assert len(audit.query(con, action="denied")) == 2
    done = dict(schedule.apply(con, STAFF, ids["甲"]))
    assert done["开工入库"] == D(2020, 3, 1) and done["竣工"] == D(2021, 6, 30)
    assert dict(schedule.apply(con, OFFICE, ids["乙"]))["竣工验收"] == D(2021, 6, 30)


# --- states on an injected day --------------------------------------------------------------

DAY = D(2020, 6, 15)


def _nodes(con, pid: int, rows: list[tuple]) -> None:
    for position, (name, stage, planned, actual) in enumerate(rows, start=1):
        con.execute(
            "INSERT INTO project_nodes VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, 't', ?)",
            [pid, position, name, stage, planned, actual, dt.datetime(2020, 1, 1)],
        )


@pytest.fixture
def dated(con):
    ids = build(con, [dict(name="甲", plan=100, build_type="新建", actual_start=None),
                      dict(name="乙", plan=100, build_type="新建", actual_start=None)])  # fmt: skip
    _nodes(con, ids["甲"], [
        ("昨天", None, DAY - dt.timedelta(1), None),
        ("今天", None, DAY, None),
        ("十五天", None, DAY + dt.timedelta(15), None),
        ("十六天", None, DAY + dt.timedelta(16), None),
        ("未排期", None, None, None),
    ])  # fmt: skip
    _nodes(con, ids["乙"], [
        ("未填日期", None, D(2020, 3, 1), None),  # a later node is done: done too
        ("按期", None, D(2020, 4, 1), D(2020, 4, 1)),
        ("晚一天", None, D(2020, 5, 1), D(2020, 5, 2)),
        ("明天才完成", None, D(2020, 6, 1), D(2020, 6, 16)),  # not yet, on the day
    ])  # fmt: skip
    return ids


def _states(con, pid, day, due_soon=15):
    table = frame.nodes(con, day, due_soon, pid)
    return {r.name: (r.state, None if r.days != r.days else r.days)
            for r in table.astype(object).where(table.notna(), None).itertuples()}  # fmt: skip


def test_state_boundaries_on_the_day(con, dated):
    assert _states(con, dated["甲"], DAY) == {
        "昨天": ("超期", 1),
        "今天": ("临期", 0),
        "十五天": ("临期", 15),
        "十六天": ("未到期", None),
        "未排期": ("未排期", None),
    }
    assert _states(con, dated["乙"], DAY) == {
        "未填日期": ("已完成", None),
        "按期": ("按期完成", None),
        "晚一天": ("逾期完成", 1),
        "明天才完成": ("超期", 14),
    }
    # one day later the node done on the 16th is 逾期完成 by 15 days; yesterday's is 2 days late
    later = _states(con, dated["乙"], DAY + dt.timedelta(1))
    assert later["明天才完成"] == ("逾期完成", 15)
    assert _states(con, dated["甲"], DAY + dt.timedelta(1))["昨天"] == ("超期", 2)


def test_the_query_and_the_rule_in_python_agree_at_every_boundary(con, dated):
    for offset in range(-3, 20):
        day = DAY + dt.timedelta(offset)
        for name, (got, days) in _states(con, dated["甲"], day, 10).items():
            planned = {"昨天": -1, "今天": 0, "十五天": 15, "十六天": 16}.get(name)
            when = None if planned is None else DAY + dt.timedelta(planned)
            assert (got, days) == model.state(when, None, False, day, 10), (name, day)


def test_the_due_soon_setting_is_the_admins(con, dated):
    with pytest.raises(PermissionDenied):
        store.set_settings(con, OFFICE, due_soon=5)
    store.set_settings(con, ADMIN, due_soon=5)
    assert store.settings(con).due_soon == 5
    got = _states(con, dated["甲"], DAY, store.settings(con).due_soon)
    assert got["十五天"] == ("未到期", None) and got["今天"] == ("临期", 0)
    with pytest.raises(BadArgument):
        store.set_settings(con, ADMIN, due_soon=-1)


# --- the optional light rule ----------------------------------------------------------------


def test_the_node_rule_is_off_in_every_shipped_preset():
    assert not any(p.node_rule for p in rules.PRESETS.values())
    assert "node_rule" not in rules.get_preset("xiuzhou").thresholds()  # snapshots unchanged
    assert states.node_light(400, rules.get_preset("xiuzhou")) == "green"


@pytest.mark.parametrize(
    ("days", "light"),
    [(None, "green"), (0, "green"), (1, "yellow"), (30, "yellow"), (31, "red"), (365, "red")],
)
def test_the_node_rule_exact_at_its_thresholds(days, light):
    on = rules.get_preset("xiuzhou").with_thresholds({"node_rule": True})
    assert on.node_text() == "节点超期1天及以上亮黄灯，超过30天亮红灯"
    assert states.node_light(days, on) == light


def test_the_node_rule_from_the_database_and_the_admins_thresholds(con):
    new = dict(plan=1, build_type="新建", actual_start=None)
    ids = build(con, [new | dict(name="三十天"), new | dict(name="三十一天")])
    _nodes(con, ids["三十天"], [("施工许可", None, DAY - dt.timedelta(30), None)])
    _nodes(con, ids["三十一天"], [("施工许可", None, DAY - dt.timedelta(31), None)])
    settings.set_thresholds(con, "xiuzhou", {"node_rule": True}, actor=ADMIN)
    found = states.node_lights(con, DAY, settings.preset(con)).set_index("project_id")
    assert found.loc[ids["三十天"], "light"] == "yellow"
    assert found.loc[ids["三十一天"], "light"] == "red"
    assert found.loc[ids["三十一天"], "reason"] == "节点“施工许可”超期31天"
    settings.set_thresholds(con, "xiuzhou", {"node_rule": True, "node_red_days": 31}, actor=ADMIN)
    found = states.node_lights(con, DAY, settings.preset(con)).set_index("project_id")
    assert found.loc[ids["三十一天"], "light"] == "yellow"
    warned = states.warnings(con, Month(2020, 8), 60)  # 8-31: 107 and 108 days
    assert warned["reason"].tolist() == ["节点超期60天及以上：“施工许可”超期107天",
                                         "节点超期60天及以上：“施工许可”超期108天"]  # fmt: skip


# --- the pipeline ---------------------------------------------------------------------------


@pytest.fixture
def line(con):
    new = dict(build_type="新建", actual_start=None)
    ids = build(con, [
        dict(name="A", plan=1, unit="区经信局", planned_start=D(2020, 3, 1),
             actual_start=D(2020, 3, 10), planned_completion=D(2020, 5, 31),
             actual_completion=D(2020, 6, 15), build_type="新建"),
        new | dict(name="B", plan=1, unit="区经信局", planned_start=D(2020, 5, 1),
                   planned_completion=D(2021, 6, 30)),
        new | dict(name="C", plan=1, unit="区住建局", planned_start=D(2020, 9, 1),
                   planned_completion=D(2020, 11, 30)),
        dict(name="D", plan=1, unit="区住建局", planned_completion=D(2020, 6, 30),
             ytd={7: 1}, stage="竣工"),  # 续建; reported 竣工 only in July
        new | dict(name="E", plan=1, unit="区住建局", planned_completion=D(2020, 4, 30),
                   ytd={5: 1}, stage="投运"),  # no planned start; reported 投运 in May
        new | dict(name="F", plan=1, unit="区水利局", planned_start=D(2020, 7, 15),
                   actual_start=D(2020, 6, 20)),
    ])  # fmt: skip
    _nodes(con, ids["A"], [("投产", "投运", D(2020, 6, 10), None)])
    return ids


def test_pipeline_rates_against_denominators_counted_by_hand(con, line):
    got = pipeline.figures(con, Month(2020, 6))
    # started: A (3-10), D (续建), E (May report), F (6-20); B and C not
    assert got["counts"] == {"签约": 6, "开工": 4, "竣工": 2, "投产": 1}
    rates = {k: (v["numerator"], v["denominator"]) for k, v in got["rates"].items()}
    assert rates == {
        "start_month": (3, 4),  # due by 6-30: A, B, D (续建), E (no plan, started); F is July
        "start_year": (4, 6),  # due by 12-31: all six; started A, D, E, F
        "completion_month": (2, 3),  # due by 6-30: A, D, E; done A (6-15), E (May)
        "completion_year": (2, 4),  # + C (11-30); B is 2021, F has no date and is not done
        "operation": (1, 6),  # E of six signed
    }
    assert got["rates"]["start_month"]["words"] == "已开工 3 个 ÷ 1-6月计划应开工 4 个"
    assert got["rates"]["start_month"]["name"] == "开工率（按1-6月计划）"
    assert got["rates"]["operation"]["words"] == "已投产 1 个 ÷ 签约项目 6 个"
    assert got["rates"]["completion_year"]["rate"] == 0.5


def test_exception_lists_by_unit_with_days_overdue(con, line):
    lists = pipeline.exceptions(con, Month(2020, 6))
    assert lists["应开工未开工"][["project", "days"]].values.tolist() == [["B", 60]]
    assert lists["应竣工未竣工"][["project", "days"]].values.tolist() == [["D", 0]]
    assert lists["应投产未投产"][["project", "days"]].values.tolist() == [["A", 20]]
    units = pipeline.by_unit(lists).set_index("unit")
    assert units.loc["区经信局", "合计"] == 2 and units.loc["区住建局", "应竣工未竣工"] == 1
    # July: D's report says 竣工, and it leaves the list
    assert pipeline.exceptions(con, Month(2020, 7))["应竣工未竣工"].empty


def test_a_node_date_entered_by_hand_moves_the_pipeline(con, line):
    _nodes(con, line["B"], [("开工", "开工", D(2020, 5, 1), None)])
    store.edit(con, OFFICE, line["B"], "开工", actual=D(2020, 6, 5))
    got = pipeline.figures(con, Month(2020, 6))["rates"]["start_month"]
    assert (got["numerator"], got["denominator"]) == (4, 4)
    assert pipeline.exceptions(con, Month(2020, 6))["应开工未开工"].empty
    with pytest.raises(BadArgument, match="晚于今天"):
        store.edit(con, OFFICE, line["B"], "开工", actual=dt.date.today() + dt.timedelta(1))


def test_report_stages_fill_the_matching_nodes(con, line):
    _nodes(con, line["E"], [("开工", "开工", None, None), ("竣工验收", "竣工", None, None),
                            ("交付使用", "投运", None, None)])  # fmt: skip
    table = frame.nodes(con, D(2020, 6, 30), 15, line["E"]).set_index("name")
    assert table.loc["竣工验收", "source"] == "2020年5月月报"
    assert table.loc["交付使用", "actual"].date() == D(2020, 5, 31)
    # as of April the May report is not known yet
    assert not frame.nodes(con, D(2020, 4, 30), 15, line["E"])["done"].any()


def test_overdue_and_due_next_month(con, dated):
    # at 6-30: the node done on 6-16 is done (late); the one planned on 6-30 is due that day
    late = states.overdue(con, Month(2020, 6))
    assert late[["name", "days"]].values.tolist() == [["昨天", 16], ["今天", 15]]
    assert late["new"].tolist() == [True, True]  # both fell due in June
    assert states.due_next(con, Month(2020, 6))["name"].tolist() == ["十六天"]  # 7-1
    assert states.due_next(con, Month(2020, 5))["name"].tolist() == [
        "明天才完成", "昨天", "今天", "十五天"]  # fmt: skip


# --- node files -----------------------------------------------------------------------------

GOOD = f"""2020年重点项目节点计划表
项目名称,节点,计划日期,实际日期,备注
{LONGI},设备安装,2020-11-20,,提前调试
{LONGI},主体结顶,2020-07-31,2020年7月25日,
"""
BAD = f"""项目名称,节点,计划日期,实际日期,备注
{LONGI},设备安装,2020-11-20,,提前
不存在的项目,竣工,2020-12-01,,
{LONGI},不存在的节点,2020-12-01,,
{LONGI},投产,2020-13-01,,
{LONGI},设备安装,2020-11-21,,
"""


def test_a_file_with_errors_names_row_and_column_and_changes_nothing(demo_con):
    before = dump(demo_con)
    prepared = importer.prepare(demo_con, BAD.encode("gbk"), "节点.csv")
    assert [(r, c) for r, c, _ in prepared.errors] == [
        (3, "项目名称"), (4, "节点"), (5, "计划日期"), (6, "节点")]  # fmt: skip
    assert "没有找到项目“不存在的项目”" in prepared.errors[0][2]
    assert "与第2行重复" in prepared.errors[3][2]
    with pytest.raises(BadArgument, match="4 处错误"):
        importer.commit(demo_con, OFFICE, prepared)
    assert dump(demo_con) == before


def test_a_unit_may_import_only_its_own_projects(demo_con):
    staff = auth.User("staff", "填报员", "staff", ("王江泾镇人民政府",))
    prepared = importer.prepare(demo_con, GOOD.encode(), "节点.csv", user=staff)
    assert len(prepared.errors) == 2 and "不属于您负责的单位" in prepared.errors[0][2]
    before = dump(demo_con)
    with pytest.raises(PermissionDenied):
        importer.commit(demo_con, VIEWER, importer.prepare(demo_con, GOOD.encode(), "节点.csv"))
    assert {k: v for k, v in dump(demo_con).items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }


def _nodes_of(con, name):
    return con.execute(
        "SELECT n.name, n.planned, n.actual, n.note FROM project_nodes n JOIN projects p"
        " ON p.id = n.project_id WHERE p.name = ? ORDER BY n.position",
        [name],
    ).fetchall()


def test_one_batch_and_undo_puts_the_nodes_back(demo_con):
    tables = ("project_nodes", "project_node_plans")
    before = {t: v for t, v in dump(demo_con).items() if t in tables}
    prepared = importer.prepare(demo_con, GOOD.encode("utf-8-sig"), "节点.csv")
    assert not prepared.errors
    batch = importer.commit(demo_con, OFFICE, prepared)
    rows = {r[0]: r[1:] for r in _nodes_of(demo_con, LONGI)}
    assert rows["设备安装"] == (D(2020, 11, 20), None, "提前调试")
    assert rows["主体结顶"][1] == D(2020, 7, 25)
    assert importer.batches(demo_con)[0]["row_count"] == 2
    assert importer.undo(demo_con, OFFICE, batch) == 2
    assert {t: v for t, v in dump(demo_con).items() if t in tables} == before
    with pytest.raises(BadArgument, match="没有可撤销"):
        importer.undo(demo_con, OFFICE, batch)


def test_undo_is_refused_once_a_node_was_changed_by_hand(demo_con):
    batch = importer.commit(demo_con, OFFICE,
                            importer.prepare(demo_con, GOOD.encode(), "节点.csv"))  # fmt: skip
    pid = demo_con.execute("SELECT id FROM projects WHERE name = ?", [LONGI]).fetchone()[0]
    store.edit(demo_con, OFFICE, pid, "设备安装", note="改期")
    with pytest.raises(BadArgument, match="之后已被修改"):
        importer.undo(demo_con, OFFICE, batch)


def test_a_project_without_nodes_gets_its_template_and_undo_removes_them(con):
    ids = build(con, [dict(name="新项目", plan=1, build_type="新建", category="基础设施",
                           planned_completion=D(2021, 6, 30))])  # fmt: skip
    text = "项目名称,节点,计划日期\n新项目,施工许可,2020-10-01\n"
    batch = importer.commit(con, OFFICE, importer.prepare(con, text.encode(), "n.csv"))
    rows = {r[0]: r[1] for r in _nodes_of(con, "新项目")}
    assert len(rows) == 8 and rows["施工许可"] == D(2020, 10, 1)
    assert rows["竣工验收"] == D(2021, 6, 30)
    importer.undo(con, OFFICE, batch)
    assert _nodes_of(con, "新项目") == []
    assert con.execute("SELECT count(*) FROM project_node_plans").fetchone()[0] == 0
    assert templates.of_project(con, ids["新项目"])[2] is False


def test_the_demo_has_nodes_for_every_project_and_longi_commits_to_november(demo_con):
    without = demo_con.execute(
        "SELECT count(*) FROM projects WHERE id NOT IN (SELECT project_id FROM project_nodes)"
    ).fetchone()[0]
    assert without == 0
    rows = {r[0]: r[1] for r in _nodes_of(demo_con, LONGI)}
    assert rows["设备安装"] == D(2020, 11, 30) and rows["投产"] == D(2020, 11, 30)
    # consistent with the register: every node before the start done by the actual start
    late = demo_con.execute(
        """SELECT count(*) FROM project_nodes n JOIN projects p ON p.id = n.project_id
           JOIN project_nodes s ON s.project_id = n.project_id AND s.stage = '开工'
           WHERE n.position < s.position AND n.actual > p.actual_start"""
    ).fetchone()[0]
    assert late == 0
    assert demo_con.execute("SELECT max(actual) FROM project_nodes").fetchone()[0] <= D(2020, 8, 31)


def test_the_bulletin_paragraph(con, line, dated):
    month = Month(2020, 6)
    text = nodes_section.sentence(
        pipeline.figures(con, month), states.overdue(con, month), states.due_next(con, month)
    )
    assert text.startswith("截至6月末，签约项目8个，已开工4个，已竣工2个，已投产1个；")
    assert "投产率（按签约项目）12.5%（已投产 1 个 ÷ 签约项目 8 个）" in text
    assert text.endswith("超期未完成节点3个（其中本月到期3个，最长超期20天），下月到期节点1个。")


def test_before_target_words():
    assert model.before_target(D(2020, 2, 20), D(2020, 11, 30)) == "目标前284天"
    assert model.before_target(D(2020, 11, 30), D(2020, 11, 30)) == "目标当天"
    assert model.before_target(D(2020, 12, 30), D(2020, 11, 30)) == "目标后30天"
    assert model.before_target(None, D(2020, 11, 30)) == "—"


def test_an_xlsx_node_file_with_a_title_row_and_dates_as_cells(demo_con):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["2020年重点项目节点表"])
    book.active.append(["项目代码", "关键节点", "计划完成时间", "实际完成时间", "说明"])
    book.active.append(["XZ2020-001", "设备安装", dt.datetime(2020, 11, 25), None, "调试"])
    book.active.append(["XZ2020-001", "主体结顶", "2020年7月31日", dt.datetime(2020, 7, 26), None])
    data = io.BytesIO()
    book.save(data)
    prepared = importer.prepare(demo_con, data.getvalue(), "节点.xlsx")
    assert prepared.errors == [] and prepared.header_row == 2
    assert [(r["name"], r["planned"], r["actual"]) for r in prepared.rows] == [
        ("设备安装", D(2020, 11, 25), None),
        ("主体结顶", D(2020, 7, 31), D(2020, 7, 26)),
    ]


def test_a_month_not_over_is_judged_at_the_day_given(con, dated):
    # on 6-15 the node planned that day is due, not late (at the month's end: 15 days late),
    # and the one done on 6-16 is still late
    on = states.overdue(con, Month(2020, 6), day=DAY)
    assert on[["name", "days"]].values.tolist() == [["明天才完成", 14], ["昨天", 1]]
    assert len(states.overdue(con, Month(2020, 6))) == 2
    assert states.overdue(con, Month(2020, 6), day=D(2021, 1, 1))["days"].tolist() == [16, 15]


def test_saving_the_admins_four_thresholds_keeps_the_node_options(con):
    settings.set_thresholds(con, "xiuzhou", {"node_rule": True, "node_red_days": 45}, actor=ADMIN)
    form = {"green": "0", "yellow": "8", "start_yellow_months": 1, "start_red_months": 3}
    settings.set_thresholds(con, "xiuzhou", form, actor=ADMIN)  # what 规则设置 saves
    kept = settings.preset(con)
    assert (kept.node_rule, kept.node_red_days, str(kept.yellow.value)) == (True, 45, "8")
    settings.set_thresholds(con, "xiuzhou", {"node_rule": False}, actor=ADMIN)
    assert not settings.preset(con).node_rule
