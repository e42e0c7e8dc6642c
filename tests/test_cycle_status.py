"""Who has reported (xzcore/cycle/status.py) and the 报送情况 page: deadlines, 报送及时率,
the 催报 text, the office's review seen by the unit, and publishing a month from the page."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.cycle_files import report
from tests.logins import log_in
from tests.markdown import shown
from xzcore import cycle, ingest
from xzcore.auth import User
from xzcore.errors import BadArgument
from xzcore.period import Month
from xzcore.store import db, settings

SEP = Month(2020, 9)
UNIT = "王江泾镇人民政府"  # the demo staff account's unit: 5 projects
HEALTH = "区卫健局"  # 3 projects
STAFF = User("staff", "王江泾镇填报员（示例）", "staff", (UNIT,))
HEALTH_STAFF = User("wj", "卫健局填报员", "staff", (HEALTH,))
OFFICE = User("office", "区重点办（示例）", "office")
ADMIN = User("admin", "管理员", "admin")
ON_TIME = dt.datetime(2020, 10, 3, 9)  # September is due by 5 October
LATE = dt.datetime(2020, 10, 7, 9)


def unit_report(con, unit: str, add: int = 100, month: Month = SEP) -> bytes:
    return report(con, month, unit, add)


@pytest.fixture
def con(demo_con):
    return demo_con


def commit(con, data: bytes, user: User, at: dt.datetime | None = None) -> int | None:
    preview = ingest.prepare(con, data, "月报.csv", user=user)
    assert preview.problems == [], [str(p) for p in preview.problems]
    return ingest.commit(con, preview, user, at=at)


def unit_row(con, unit: str, now: dt.datetime, month: Month = SEP) -> dict:
    table = cycle.status.units(con, month, now)
    return table[table.unit == unit].iloc[0].to_dict()


# ---- the core ---------------------------------------------------------------------------------


def test_the_deadline_is_the_end_of_the_day_set_in_the_following_month(con):
    assert cycle.status.deadline(con, SEP) == dt.datetime(2020, 10, 6)
    assert cycle.status.deadline(con, Month(2020, 12)) == dt.datetime(2021, 1, 6)
    settings.write(con, "report_deadline_day", "10", actor=ADMIN)
    assert cycle.status.deadline(con, SEP) == dt.datetime(2020, 10, 11)
    assert cycle.status.deadline_text(cycle.status.deadline(con, SEP)) == "10月10日"
    with pytest.raises(BadArgument, match="1 至 28"):
        settings.write(con, "report_deadline_day", "29", actor=ADMIN)


def test_states_follow_uploads_reviews_and_a_resubmission(con):
    now = dt.datetime(2020, 10, 4, 12)
    assert unit_row(con, UNIT, now)["state"] == "未报送"
    partial = b"\n".join(unit_report(con, UNIT).splitlines()[:3]) + b"\n"  # the first project only
    commit(con, partial, STAFF, at=dt.datetime(2020, 10, 2, 9))
    row = unit_row(con, UNIT, now)
    assert (row["state"], row["reported"], row["projects"]) == ("部分报送", 1, 5)
    assert len(row["missing"]) == 4 and not row["overdue"]
    assert unit_row(con, UNIT, LATE)["overdue"]  # still partial after the deadline
    commit(con, unit_report(con, UNIT), STAFF, at=ON_TIME)
    row = unit_row(con, UNIT, now)
    assert (row["state"], row["last_at"], row["on_time"]) == ("已报送", ON_TIME, True)
    cycle.status.review(con, OFFICE, SEP, UNIT, "returned", "锦源项目累计偏低，请核实",
                        at=dt.datetime(2020, 10, 4, 10))  # fmt: skip
    row = unit_row(con, UNIT, now)
    assert (row["state"], row["review_reason"], row["reviewed_by"]) == (
        "退回", "锦源项目累计偏低，请核实", "office",
    )  # fmt: skip
    assert unit_row(con, UNIT, LATE)["overdue"]  # sent back and not reported again in time
    assert cycle.status.returned(con, SEP, [UNIT]) == [
        {"unit": UNIT, "review_reason": "锦源项目累计偏低，请核实", "reviewed_by": "office"}
    ]
    assert cycle.status.returned(con, SEP, [HEALTH]) == []
    commit(con, unit_report(con, UNIT, add=150), STAFF, at=dt.datetime(2020, 10, 4, 11))
    assert unit_row(con, UNIT, now)["state"] == "已报送"  # the resubmission came after
    assert cycle.status.returned(con, SEP, [UNIT]) == []
    cycle.status.review(con, OFFICE, SEP, UNIT, "confirmed", at=dt.datetime(2020, 10, 4, 12))
    assert unit_row(con, UNIT, now)["state"] == "已确认"


def test_a_return_needs_a_reason_and_a_published_month_takes_no_review(con):
    with pytest.raises(BadArgument, match="退回须填写理由"):
        cycle.status.review(con, OFFICE, SEP, UNIT, "returned", "  ")
    with pytest.raises(BadArgument, match="已发布"):
        cycle.status.review(con, OFFICE, Month(2020, 8), UNIT, "confirmed")


def test_timeliness_counts_the_months_whose_deadline_has_passed(con):
    commit(con, unit_report(con, UNIT), STAFF, at=ON_TIME)
    commit(con, unit_report(con, HEALTH), HEALTH_STAFF, at=LATE)
    # before September's deadline: January to August, all reported by the 4th of the next month
    before = cycle.status.timeliness(con, 2020, SEP, now=dt.datetime(2020, 10, 5, 23))
    assert set(before["due"]) == {8} and set(before["on_time"]) == {8}
    after = cycle.status.timeliness(con, 2020, SEP, now=dt.datetime(2020, 10, 8))
    rates = {r.unit: (r.due, r.on_time, r.rate) for r in after.itertuples()}
    assert rates[UNIT] == (9, 9, 1.0)
    assert rates[HEALTH] == (9, 8, pytest.approx(8 / 9))  # in, but two days late
    assert rates["区住建局"] == (9, 8, pytest.approx(8 / 9))  # not in at all
    assert len(rates) == 19


def test_the_reminder_text_is_exact(con):
    commit(con, unit_report(con, UNIT), STAFF, at=ON_TIME)
    now = dt.datetime(2020, 10, 6, 8)
    health = (
        "【催报】2020年9月重点项目月报应于10月5日前报送，以下单位尚未报齐：\n"
        "区卫健局：3个项目未报送（王江泾镇社区卫生服务中心新建工程、"
        "洪合镇社区卫生服务中心新建工程、新塍镇社区卫生服务中心新建工程）\n"
        "请尽快通过重点项目看板上传月报。"
    )
    assert cycle.status.remind(con, SEP, HEALTH, now=now) == health
    assert cycle.status.remind(con, SEP, UNIT, now=now) == f"{UNIT} 2020年9月的月报已全部报送。"
    everyone = cycle.status.remind(con, SEP, now=now).splitlines()
    assert len(everyone) == 1 + 18 + 1 and UNIT not in "".join(everyone)
    assert everyone[1].startswith("区交通运输局：18个项目未报送（秀园路改建工程、")
    assert everyone[1].endswith("等）")  # ten names, then 等
    cycle.status.review(con, OFFICE, SEP, UNIT, "returned", "请补充形象进度", at=now)
    assert cycle.status.remind(con, SEP, UNIT, now=now).splitlines()[1] == (
        f"{UNIT}：退回待重报，退回原因：请补充形象进度"
    )
    assert cycle.status.remind(con, SEP, HEALTH, now=now) == health  # no one else's reason


# ---- the page -------------------------------------------------------------------------------


def open_status(username: str = "office") -> AppTest:
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=90).run(), username)
    at.switch_page("pages/status.py").run()
    assert not at.exception
    return at


def month_table(at: AppTest):
    return next(d.value for d in at.dataframe if "未报送项目数" in d.value.columns)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def staff_upload(path, data: bytes, at: dt.datetime) -> None:
    with db.connect(path) as con:
        commit(con, data, STAFF, at=at)


def test_the_page_shows_who_has_reported_what_is_missing_and_the_reminders(app_db):
    with db.connect(app_db) as con:
        data = unit_report(con, UNIT)
    staff_upload(app_db, data, ON_TIME)
    at = open_status()
    assert at.selectbox[0].value == "2020-09"
    assert "2020年9月未发布（已报送 5/113 个项目，1/19 个单位）" in at.warning[0].value
    table = month_table(at).set_index("责任单位")
    assert table.loc[UNIT, "状态"] == "已报送" and table.loc[UNIT, "已报送"] == "5/5"
    assert table.loc[UNIT, "最后上传"] == "2020-10-03 09:00" and table.loc[UNIT, "逾期"] == ""
    others = table.drop(UNIT)
    assert set(others["状态"]) == {"未报送"} and set(others["逾期"]) == {"逾期"}
    assert table.loc[HEALTH, "未报送项目数"] == 3
    assert "洪合镇社区卫生服务中心新建工程" in table.loc[HEALTH, "未报送项目"]
    grid = next(d.value for d in at.dataframe if "报送及时率" in d.value.columns)
    assert list(grid.columns)[:3] == ["责任单位", "报送及时率", "9月（截止10月5日）"]
    assert list(grid.columns)[-1] == "1月（截止2月5日）"
    row = grid.set_index("责任单位").loc[UNIT]
    assert row["9月（截止10月5日）"] == "已报送 10-03 09:00" and row["报送及时率"] == "9/9（100%）"
    assert grid.set_index("责任单位").loc[HEALTH, "9月（截止10月5日）"] == "未报送 逾期"
    assert not [c for c in at.caption if "退回原因" in c.value]  # nobody was sent back
    everyone = at.code[-1].value
    assert everyone.startswith("【催报】2020年9月重点项目月报应于10月5日前报送")
    assert "区卫健局：3个项目未报送" in everyone and UNIT not in everyone


def test_a_return_reaches_the_units_upload_page_and_a_resubmission_clears_it(app_db):
    with db.connect(app_db) as con:
        first, again = unit_report(con, UNIT), unit_report(con, UNIT, add=150)
    staff_upload(app_db, first, ON_TIME)
    at = open_status()
    next(s for s in at.selectbox if s.label == "单位").set_value(UNIT).run()
    assert "王江泾镇人民政府 2020年9月的月报已全部报送。" in at.code[0].value
    assert button(at, "退回").disabled  # not without a reason
    next(t for t in at.text_input if t.label.startswith("退回理由")).input("锦源项目累计偏低").run()
    button(at, "退回").click().run()
    assert not at.exception
    assert "已退回 王江泾镇人民政府 2020-09 的月报（理由：锦源项目累计偏低）" in shown(
        at.success[0].value
    )
    assert month_table(at).set_index("责任单位").loc[UNIT, "状态"] == "退回"
    assert "退回原因：锦源项目累计偏低" in shown(" ".join(c.value for c in at.caption))

    staff = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=90).run(), "staff")
    staff.switch_page("pages/upload.py").run()
    assert "退回了王江泾镇人民政府2020年9月的月报，理由：锦源项目累计偏低" in shown(
        staff.error[0].value
    )
    staff.file_uploader[0].set_value(("月报.csv", again, "text/csv")).run()
    button(staff, "确认导入").click().run()
    assert "已导入" in shown(staff.success[0].value)
    assert not staff.error  # the reason is gone: reported again after it

    at.switch_page("pages/status.py").run()
    assert month_table(at).set_index("责任单位").loc[UNIT, "状态"] == "已报送"


def test_publishing_from_the_page_needs_the_confirmation(app_db):
    with db.connect(app_db) as con:
        data = unit_report(con, UNIT)
    staff_upload(app_db, data, ON_TIME)
    at = open_status()
    warning = shown(at.warning[-1].value)
    assert (
        "尚有 18 个单位、108 个项目未报送" in warning
        and "区交通运输局 18 个；秀洲高新区管委会 18 个；区住建局 11 个" in warning
    )
    assert "未报送的项目按上月累计计列并标注未报送" in shown(" ".join(m.value for m in at.markdown))
    assert button(at, "发布2020年9月").disabled
    next(c for c in at.checkbox if c.label.startswith("我已核对")).check().run()
    button(at, "发布2020年9月").click().run()
    assert not at.exception
    assert "已发布2020年9月：第 1 版" in shown(at.success[0].value)
    assert "已报送 5/113 个项目" in shown(at.success[0].value)
    assert "2020年9月已发布：第 1 版" in at.success[1].value
    versions = next(d.value for d in at.dataframe if "版本" in d.value.columns)
    assert versions.iloc[0][["版本", "发布人", "更正理由", "变更项目数"]].tolist() == [
        "第 1 版", "office", "首次发布", "—",
    ]  # fmt: skip
    assert not [b for b in at.button if b.label in ("确认", "退回", "发布2020年9月")]
    with db.connect(app_db) as con:
        assert cycle.months.state(con, SEP) == "已发布"
        assert cycle.months.latest(con, SEP).published_by == "office"


@pytest.mark.parametrize("username", ["leader", "staff"])
def test_only_the_office_and_admin_open_the_page(app_db, username):
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=90).run(), username)
    at.switch_page("pages/status.py").run()
    assert "没有打开「报送情况」的权限" in at.error[0].value
    assert not at.dataframe and not at.code
