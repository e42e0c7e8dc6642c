"""The problem ledger's core: every step and each refusal, 三色督办 at its boundaries with an
injected clock, 办结率 arithmetic, the bulletin's figures, proposals from the monthly reports."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import build
from xzcore.auth import PermissionDenied, User
from xzcore.errors import BadArgument
from xzcore.period import Month
from xzcore.problems import ledger, proposals, store
from xzcore.store import audit

OFFICE = User("office", "区重点办", "office")
ADMIN = User("admin", "管理员", "admin")
STAFF = User("staff", "王江泾填报员", "staff", ("王江泾镇人民政府",))
OTHER = User("other", "洪合填报员", "staff", ("洪合镇人民政府",))
LEADER = User("leader", "常务副区长", "viewer")
T0 = dt.datetime(2020, 9, 1, 9)


def _at(days: int) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


@pytest.fixture
def pid(con):
    ids = build(con, [{"name": "甲项目", "plan": 100, "unit": "王江泾镇人民政府"}])
    return ids["甲项目"]


def _assigned(con, pid, due=dt.date(2020, 9, 30)) -> int:
    problem = store.create(con, OFFICE, description="用地指标未落实", category="用地",
                           source="现场办公", project_id=pid, at=T0)  # fmt: skip
    store.assign(con, OFFICE, problem, lead_unit="王江泾镇人民政府", due_on=due, at=T0)
    return problem


def _state(con, problem) -> str:
    return con.execute("SELECT state FROM problems WHERE id = ?", [problem]).fetchone()[0]


def _actions(con) -> list[str]:
    return audit.query(con)["action"].tolist()[::-1]


def test_the_whole_way_from_raising_to_closing_is_in_the_history_and_the_audit(con, pid):
    problem = _assigned(con, pid)
    assert _state(con, problem) == "已交办"
    store.note(con, STAFF, problem, "已与自然资源分局对接", at=_at(3))
    assert _state(con, problem) == "办理中"
    store.request_close(con, STAFF, problem, "指标已落实", at=_at(5))
    assert _state(con, problem) == "申请办结"
    store.send_back(con, OFFICE, problem, "缺批复文件", at=_at(6))
    assert _state(con, problem) == "办理中"
    store.request_close(con, STAFF, problem, "已补批复", at=_at(8))
    store.instruct(con, LEADER, problem, "请抓紧", at=_at(8))
    store.close(con, OFFICE, problem, "实质性办结", at=_at(9))
    assert _state(con, problem) == "已办结"
    steps = ledger.history(con, problem)
    assert steps["kind"].tolist() == ["create", "assign", "note", "request", "return", "request",
                                      "instruct", "close"]  # fmt: skip
    assert steps["state"].tolist()[-1] == "已办结" and steps["text"].iloc[-1] == "实质性办结"
    assert _actions(con) == ["problem_create", "problem_assign", "problem_note",
                             "problem_request", "problem_return", "problem_request",
                             "problem_instruct", "problem_close"]  # fmt: skip
    row = ledger.problem(con, problem, dt.date(2020, 10, 30))
    assert row["closure"] == "实质性办结" and row["colour"] is None  # closed: never chased


def test_hold_and_resume_return_to_where_it_was(con, pid):
    problem = _assigned(con, pid)
    store.hold(con, OFFICE, problem, "等待省里政策", at=_at(1))
    assert _state(con, problem) == "暂缓"
    with pytest.raises(BadArgument, match="现为“暂缓”，不能填写办理进展"):
        store.note(con, STAFF, problem, "进展", at=_at(2))
    store.resume(con, OFFICE, problem, at=_at(3))
    assert _state(con, problem) == "已交办"


REFUSALS = [
    ("create by staff", lambda con, p: store.create(con, STAFF, description="x", category="其他",
                                                    source="单位反映"), "无权新建问题"),
    ("create by a leader", lambda con, p: store.create(con, LEADER, description="x",
                                                       category="其他", source="单位反映"),
     "无权新建问题"),
    ("assign by staff", lambda con, p: store.assign(con, STAFF, p, lead_unit="王江泾镇人民政府",
                                                    due_on="2020-10-01"), "无权交办问题"),
    ("note by another unit", lambda con, p: store.note(con, OTHER, p, "x"), "不属于您负责的单位"),
    ("note by a leader", lambda con, p: store.note(con, LEADER, p, "x"), "无权填写办理进展"),
    ("request by the office", lambda con, p: store.request_close(con, OFFICE, p, "x"),
     "无权申请办结"),
    ("request by another unit", lambda con, p: store.request_close(con, OTHER, p, "x"),
     "不属于您负责的单位"),
    ("close by the unit", lambda con, p: store.close(con, STAFF, p, "实质性办结"), "无权销号"),
    ("send back by the unit", lambda con, p: store.send_back(con, STAFF, p, "x"), "无权退回"),
    ("instruct by staff", lambda con, p: store.instruct(con, STAFF, p, "x"), "无权领导批示"),
    ("instruct by the office", lambda con, p: store.instruct(con, OFFICE, p, "x"), "无权领导批示"),
    ("hold by staff", lambda con, p: store.hold(con, STAFF, p, "x"), "无权暂缓"),
    ("not logged in", lambda con, p: store.note(con, None, p, "x"), "请先登录"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "act", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_refusal_changes_nothing_and_is_audited(con, pid, what, act, message):
    problem = _assigned(con, pid)
    before = con.execute("SELECT * FROM problems").fetchall(), ledger.history(con, problem)
    with pytest.raises(PermissionDenied, match=message):
        act(con, problem)
    assert con.execute("SELECT * FROM problems").fetchall() == before[0]
    assert len(ledger.history(con, problem)) == len(before[1])
    denied = audit.query(con, action="denied")
    assert len(denied) == 1 and message in json.loads(denied["detail"][0])["reason"]


STATE_REFUSALS = [
    ("close", lambda con, p: store.close(con, OFFICE, p, "程序性办结"), "现为“已交办”，不能销号"),
    ("assign", lambda con, p: store.assign(con, OFFICE, p, lead_unit="洪合镇人民政府",
                                           due_on="2020-10-01"), "现为“已交办”，不能交办"),
    ("return", lambda con, p: store.send_back(con, OFFICE, p, "x"), "不能退回"),
    ("resume", lambda con, p: store.resume(con, OFFICE, p), "不能恢复办理"),
]  # fmt: skip


@pytest.mark.parametrize(("step", "act", "message"), STATE_REFUSALS,
                         ids=[r[0] for r in STATE_REFUSALS])  # fmt: skip
def test_a_step_its_state_does_not_allow_is_refused_and_is_no_breach(con, pid, step, act, message):
    """A page opened before someone else moved the problem: refused, not 越权."""
    problem = _assigned(con, pid)
    assert not store.may(OFFICE, step, ledger.problem(con, problem, T0.date()))
    with pytest.raises(BadArgument, match=message):
        act(con, problem)
    assert _state(con, problem) == "已交办" and audit.query(con, action="denied").empty


def test_admin_may_take_the_units_steps_and_the_offices(con, pid):
    problem = _assigned(con, pid)
    store.note(con, ADMIN, problem, "代录进展", at=_at(1))
    store.request_close(con, ADMIN, problem, "办完", at=_at(2))
    store.close(con, ADMIN, problem, "程序性办结", at=_at(3))
    assert _state(con, problem) == "已办结"


def test_unit_names_are_compared_as_uploads_compare_them(con, pid):
    problem = _assigned(con, pid)
    spaced = User("s2", "x", "staff", ("王江泾镇 人民政府",))
    store.note(con, spaced, problem, "全角半角与空格不影响", at=_at(1))
    assert _state(con, problem) == "办理中"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda con, p: store.send_back(con, OFFICE, p, "  "), "请填写退回理由"),
        (lambda con, p: store.note(con, STAFF, p, ""), "请填写办理进展"),
        (lambda con, p: store.hold(con, OFFICE, p, None), "请填写暂缓理由"),
        (lambda con, p: store.close(con, OFFICE, p, "办完了"), "办结方式应为"),
        (lambda con, p: store.create(con, OFFICE, description="x", category="天气",
                                     source="月报"), "问题类型应为"),
        (lambda con, p: store.create(con, OFFICE, description="x", category="其他",
                                     source="月报", raised_on="2020-09-10",
                                     due_on="2020-09-01"), "早于提出日期"),
        (lambda con, p: store.create(con, OFFICE, description="x", category="其他",
                                     source="月报", project_id=999), "没有编号为 999 的项目"),
        (lambda con, p: store.note(con, STAFF, 999, "x"), "没有编号为 999 的问题"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_words(con, pid, call, message):
    problem = _assigned(con, pid)
    if "退回" in message:
        store.request_close(con, STAFF, problem, "办完", at=_at(1))
    with pytest.raises(BadArgument, match=message):
        call(con, problem)


# --- 三色督办 at its boundaries -----------------------------------------------------------


def _colour(con, problem, day: dt.date) -> tuple:
    row = ledger.problem(con, problem, day)
    return row["colour"], row["colour_reason"]


def test_blue_from_seven_days_before_the_deadline_red_the_day_after_it(con, pid):
    problem = _assigned(con, pid, due=dt.date(2020, 9, 30))
    store.note(con, STAFF, problem, "进展", at=dt.datetime(2020, 9, 20))  # keeps yellow away
    assert _colour(con, problem, dt.date(2020, 9, 22)) == (None, "")
    assert _colour(con, problem, dt.date(2020, 9, 23)) == ("蓝", "距办结时限7天")
    assert _colour(con, problem, dt.date(2020, 9, 30)) == ("蓝", "今天到期")
    assert _colour(con, problem, dt.date(2020, 10, 1)) == ("红", "逾期1天（时限2020-09-30）")


def test_yellow_after_thirty_days_without_a_note_counted_from_the_last_note(con, pid):
    problem = _assigned(con, pid, due=dt.date(2021, 6, 30))
    assert _colour(con, problem, dt.date(2020, 9, 30)) == (None, "")  # 29 days since 交办
    assert _colour(con, problem, dt.date(2020, 10, 1)) == ("黄", "30天无进展")
    store.note(con, STAFF, problem, "进展", at=dt.datetime(2020, 10, 1, 16))
    assert _colour(con, problem, dt.date(2020, 10, 30)) == (None, "")
    assert _colour(con, problem, dt.date(2020, 10, 31)) == ("黄", "30天无进展")


def test_yellow_when_sent_back_until_asked_again_and_not_while_the_office_reviews(con, pid):
    problem = _assigned(con, pid, due=dt.date(2021, 6, 30))
    store.request_close(con, STAFF, problem, "办完", at=_at(1))
    assert _colour(con, problem, dt.date(2020, 12, 1)) == (None, "")  # the office's turn
    store.send_back(con, OFFICE, problem, "未见材料", at=_at(2))
    assert _colour(con, problem, _at(2).date()) == ("黄", "申请办结被退回，尚未重新申请")
    store.note(con, STAFF, problem, "补材料中", at=_at(3))
    assert _colour(con, problem, _at(3).date())[0] == "黄"
    store.request_close(con, STAFF, problem, "已补", at=_at(4))
    assert _colour(con, problem, _at(4).date()) == (None, "")


def test_red_wins_and_every_reason_is_said_worst_first(con, pid):
    problem = _assigned(con, pid, due=dt.date(2020, 9, 10))
    assert _colour(con, problem, dt.date(2020, 10, 5)) == (
        "红", "逾期25天（时限2020-09-10）；34天无进展")  # fmt: skip


def test_thresholds_are_the_admins_and_audited(con, pid):
    problem = _assigned(con, pid, due=dt.date(2020, 9, 30))
    store.note(con, STAFF, problem, "进展", at=dt.datetime(2020, 9, 2))
    with pytest.raises(PermissionDenied, match="无权修改督办设置"):
        store.set_thresholds(con, OFFICE, due_soon=10)
    store.set_thresholds(con, ADMIN, due_soon=10, stale=15)
    assert store.thresholds(con) == store.Thresholds(due_soon=10, stale=15)
    assert _colour(con, problem, dt.date(2020, 9, 17)) == ("黄", "15天无进展")
    store.note(con, STAFF, problem, "进展", at=dt.datetime(2020, 9, 17))
    assert _colour(con, problem, dt.date(2020, 9, 20)) == ("蓝", "距办结时限10天")
    entry = audit.query(con, action="problem_settings")
    assert audit.describe("problem_settings", entry["detail"][0]) == (
        "临期提醒天数（蓝）：7 → 10；无进展天数（黄）：30 → 15")  # fmt: skip
    with pytest.raises(BadArgument, match="0 至 365"):
        store.set_thresholds(con, ADMIN, stale=-1)


def test_a_problem_on_hold_or_not_yet_assigned_has_no_colour(con, pid):
    waiting = store.create(con, OFFICE, description="x", category="其他", source="单位反映",
                           due_on="2020-09-05", raised_on="2020-09-01", at=T0)  # fmt: skip
    held = _assigned(con, pid, due=dt.date(2020, 9, 5))
    store.hold(con, OFFICE, held, "政策未定", at=_at(1))
    for problem in (waiting, held):
        assert _colour(con, problem, dt.date(2020, 12, 1)) == (None, "")


# --- figures -------------------------------------------------------------------------------


def test_rate_is_closed_over_raised_per_group_and_overdue_first(con, pid):
    other = build(con, [{"name": "乙项目", "plan": 1, "unit": "洪合镇人民政府"}])["乙项目"]
    done = []
    for n in range(3):
        problem = _assigned(con, pid, due=dt.date(2020, 9, 20 + n))
        done.append(problem)
    late = store.create(con, OFFICE, description="资金", category="资金", source="月报",
                        project_id=other, at=T0)  # fmt: skip
    store.assign(con, OFFICE, late, lead_unit="洪合镇人民政府", due_on="2020-09-02", at=T0)
    store.request_close(con, STAFF, done[0], "好了", at=_at(2))
    store.close(con, OFFICE, done[0], "实质性办结", at=_at(4))
    table = ledger.ledger(con, dt.date(2020, 9, 15))
    assert table["id"].tolist()[0] == late and table["colour"].tolist()[0] == "红"
    assert table["id"].tolist()[-1] == done[0]  # closed last
    assert table["colour"].tolist()[-1] is None  # not NaN: pages test `if colour`
    by_unit = ledger.counts(table, "lead_unit").set_index("lead_unit")
    assert by_unit.loc["王江泾镇人民政府", ["raised", "closed", "open", "overdue"]].tolist() == [
        3, 1, 2, 0]  # fmt: skip
    assert by_unit.loc["王江泾镇人民政府", "rate"] == pytest.approx(1 / 3)
    assert by_unit.loc["王江泾镇人民政府", "days_to_close"] == 4
    assert (
        by_unit.loc["洪合镇人民政府", "rate"] == 0 and by_unit.loc["洪合镇人民政府", "overdue"] == 1
    )
    assert ledger.counts(table, "category").set_index("category")["raised"].to_dict() == {
        "用地": 3, "资金": 1}  # fmt: skip
    whole = ledger.totals(table)
    assert (whole["raised"], whole["closed"], whole["rate"]) == (4, 1, 0.25)
    assert ledger.totals(table.iloc[0:0]) | {} == {"raised": 0, "closed": 0, "open": 0,
                                                   "overdue": 0, "rate": None,
                                                   "days_to_close": None}  # fmt: skip
    assert ledger.ledger(con, dt.date(2020, 9, 15), colour="红")["id"].tolist() == [late]
    assert set(ledger.ledger(con, dt.date(2020, 9, 15), unit=["洪合镇人民政府"])["id"]) == {late}


def test_the_bulletins_figures_of_a_month(con, pid):
    first = store.create(con, OFFICE, description="a", category="其他", source="月报",
                         raised_on="2020-08-20", at=dt.datetime(2020, 8, 20))  # fmt: skip
    store.assign(con, OFFICE, first, lead_unit="王江泾镇人民政府", due_on="2020-09-10",
                 at=dt.datetime(2020, 8, 21))  # fmt: skip
    for day in (2, 3):
        store.create(con, OFFICE, description="b", category="其他", source="月报",
                     raised_on=f"2020-09-0{day}", at=_at(day))  # fmt: skip
    store.request_close(con, STAFF, first, "好", at=dt.datetime(2020, 9, 25))
    store.close(con, OFFICE, first, "程序性办结", at=dt.datetime(2020, 10, 2))
    august = ledger.month_figures(con, Month(2020, 8))
    assert (august["raised"], august["closed"], august["overdue"]) == (1, 0, 0)
    september = ledger.month_figures(con, Month(2020, 9))
    assert september | {} == {"month": "2020-09", "raised": 2, "closed": 0, "raised_to_date": 3,
                              "closed_to_date": 0, "rate": 0.0, "overdue": 1}  # fmt: skip
    october = ledger.month_figures(con, Month(2020, 10))
    assert ledger.sentence(october) == (
        "本月收集问题0个，办结1个；累计收集3个，办结1个，办结率33.3%；逾期未办结0个。")  # fmt: skip
    assert ledger.sentence(ledger.month_figures(con, Month(2020, 7))) == (
        "截至本月末尚未收集协调问题。")  # fmt: skip


def test_mine_is_the_units_the_leaders_or_the_offices_queue(con, pid):
    ours = _assigned(con, pid)
    theirs = store.create(con, OFFICE, description="x", category="其他", source="领导交办",
                          leader="常务副区长", at=T0)  # fmt: skip
    store.assign(con, OFFICE, theirs, lead_unit="洪合镇人民政府", due_on="2020-09-30",
                 support_units="王江泾镇人民政府、区发改局", at=T0)  # fmt: skip
    day = dt.date(2020, 9, 2)
    assert set(ledger.mine(con, STAFF, day)["id"]) == {ours, theirs}  # lead and support
    assert ledger.mine(con, OTHER, day)["id"].tolist() == [theirs]
    # the project's 联系区领导 stands when the problem names no 协调区领导
    assert set(ledger.mine(con, LEADER, day)["id"]) == {ours, theirs}
    assert ledger.mine(con, User("l2", "区长", "viewer"), day).empty
    store.request_close(con, STAFF, ours, "好", at=_at(1))
    assert ledger.mine(con, OFFICE, day)["id"].tolist() == [ours]
    store.close(con, OFFICE, ours, "实质性办结", at=_at(2))
    store.hold(con, OFFICE, theirs, "等待", at=_at(2))
    nothing = ledger.mine(con, STAFF, day)
    assert nothing.empty and list(nothing.columns) == list(ledger.ledger(con, day).columns)


# --- proposals from the monthly reports ------------------------------------------------------


def test_new_or_changed_texts_are_offered_until_opened_or_dismissed(con):
    ids = build(con, [{"name": n, "plan": 10, "unit": "区发改局", "ytd": {7: 1, 8: 2}}
                      for n in ("甲", "乙", "丙", "丁")])  # fmt: skip
    texts = {"甲": ("用地指标未落实", "用地指标未落实"), "乙": (None, "资金到位滞后"),
             "丙": ("政策处理未完成", "政策处理未完成，需协调拆迁"), "丁": ("a", " ")}  # fmt: skip
    for name, (july, august) in texts.items():
        for month, text in ((7, july), (8, august)):
            con.execute("UPDATE progress SET problems = ? WHERE project_id = ? AND month = ?",
                        [text, ids[name], month])  # fmt: skip
    aug = Month(2020, 8)
    offered = proposals.offered(con, aug)
    assert offered["project"].tolist() == ["乙", "丙"]
    assert offered["category"].tolist() == ["资金", "征迁"]
    assert offered["before"].tolist() == [None, "政策处理未完成"]
    fields = proposals.prefill(offered.iloc[0].to_dict(), aug)
    assert fields["source"] == "月报" and fields["raised_on"] == dt.date(2020, 8, 31)
    store.create(con, OFFICE, **fields)
    with pytest.raises(PermissionDenied, match="无权忽略问题线索"):
        proposals.dismiss(con, STAFF, ids["丙"], aug)
    proposals.dismiss(con, OFFICE, ids["丙"], aug)
    assert proposals.offered(con, aug).empty
    changed = "UPDATE progress SET problems = '拆迁已完成一半' WHERE project_id = ? AND month = 8"
    con.execute(changed, [ids["丙"]])
    assert proposals.offered(con, aug)["project"].tolist() == ["丙"]  # changed again: offered
    assert proposals.months(con) == [aug, Month(2020, 7)]
    assert con.execute("SELECT count(*) FROM problems").fetchone()[0] == 1


# --- the report's tables: a meeting's list, the bulletin's paragraph and overdue list -------


def test_the_meeting_list_is_a_report_table_open_problems_overdue_first(con, pid):
    from xzcore.report import pdf, problems_meeting

    late = _assigned(con, pid, due=dt.date(2020, 9, 10))
    soon = _assigned(con, pid, due=dt.date(2020, 9, 30))
    other = store.create(con, OFFICE, description="<b>x</b>=1+1", category="其他",
                         source="领导交办", leader="区长", at=T0)  # fmt: skip
    held = _assigned(con, pid)
    store.hold(con, OFFICE, held, "等待", at=_at(1))
    table = problems_meeting.agenda(con, dt.date(2020, 9, 25))
    assert [r[0] for r in table.rows] == [late, soon, other]  # red, blue, then not handed over
    assert table.rows[0][1:3] == ("红", "逾期15天（时限2020-09-10）")  # written ■ 红色督办
    assert table.title == "待协调问题清单（全部，截至2020年09月25日）"
    leaders = problems_meeting.agenda(con, dt.date(2020, 9, 25), leader="区长")
    assert [r[0] for r in leaders.rows] == [other]
    mine = problems_meeting.agenda(con, dt.date(2020, 9, 25), unit="王江泾镇人民政府")
    assert [r[0] for r in mine.rows] == [late, soon] and "王江泾镇人民政府" in mine.title
    assert "&lt;b&gt;x&lt;/b&gt;=1+1" in pdf.table_html(table, True)  # the PDF's own writer


def test_the_bulletin_counts_overdue_at_the_months_end_as_it_stood(con, pid):
    from xzcore.report import problems_meeting

    closed_later = _assigned(con, pid, due=dt.date(2020, 9, 10))
    store.request_close(con, STAFF, closed_later, "好", at=dt.datetime(2020, 10, 3))
    store.close(con, OFFICE, closed_later, "实质性办结", at=dt.datetime(2020, 10, 5))
    still = _assigned(con, pid, due=dt.date(2020, 9, 20))
    not_yet = _assigned(con, pid, due=dt.date(2020, 10, 20))
    september = Month(2020, 9)
    table = problems_meeting.overdue_table(con, september)
    assert [(r[0], r[-1]) for r in table.rows] == [(closed_later, 20), (still, 10)]
    assert not_yet not in [r[0] for r in table.rows]
    assert problems_meeting.paragraph(con, september) == (
        "本月收集问题3个，办结0个；累计收集3个，办结0个，办结率0.0%；逾期未办结2个。")  # fmt: skip
    assert problems_meeting.overdue_table(con, Month(2020, 10)).rows[0][0] == still
