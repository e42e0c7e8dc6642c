"""开工 as DESIGN.md section 2 defines it: an actual start date, 续建, or a report that said so.

Every database here is built through the real upload path (xzcore.ingest prepare + commit), from
CSV text as an office would send it.
"""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.markdown import shown
from xzcore import cycle, ingest
from xzcore.auth import SYSTEM
from xzcore.display import tables
from xzcore.figures import evaluation, metrics
from xzcore.figures.frame import project_start
from xzcore.period import Month
from xzcore.store import db, settings

AUG, SEP = Month(2020, 8), Month(2020, 9)
REGISTER = "2020年秀洲区重点项目计划表.csv"
REGISTER_HEADER = (
    "项目名称,项目级别,行业类别,所属镇街道,责任单位,联系区领导,建设性质,总投资（万元）,"
    "2020年计划投资（万元）,计划开工日期,计划竣工日期,实际开工日期"
)
PROGRESS_HEADER = "项目名称,年初至报告期累计完成投资（万元）,项目阶段,是否开工"


def _upload(con, text: str, file_name: str) -> None:
    preview = ingest.prepare(con, text.replace("\n", "\r\n").encode("utf-8"), file_name)
    assert [str(p) for p in preview.problems] == []
    ingest.commit(con, preview, SYSTEM)


def _register(con, rows: list[tuple]) -> None:
    """rows: (name, 新建/续建, plan, planned start, actual start); dates as text, '' for none."""
    lines = [
        f"{name},区重点,先进制造业,新城街道,区发改局,区长,{kind},5000,{plan},{planned},"
        f"2022-12-31,{actual}"
        for name, kind, plan, planned, actual in rows
    ]
    _upload(con, "\n".join([REGISTER_HEADER, *lines]) + "\n", REGISTER)


def _report(con, month: int, rows: list[tuple]) -> None:
    """rows: (name, year-to-date 万元, stage or '', and 是否开工 是/否 when said)."""
    lines = [",".join(map(str, (*row, "")[:4])) for row in rows]
    _upload(
        con, "\n".join([PROGRESS_HEADER, *lines]) + "\n", f"2020年{month}月重点项目进展月报.csv"
    )


def _status(con, month: Month):
    return metrics.project_status(con, month).set_index("name")


def test_a_register_of_211_with_97_continuing_counts_all_97_as_started(con):
    # The district: 211 projects, 97 续建 with planned starts before the year and no
    # actual start date anywhere; 100 新建 whose September report says 在建, 14 still 签约.
    continuing = [(f"续建项目{i:03d}", "续建", 1000, "2019-03-01", "") for i in range(97)]
    building = [(f"新建在建{i:03d}", "新建", 1000, "2020-04-01", "") for i in range(100)]
    waiting = [(f"新建待开工{i:02d}", "新建", 1000, "2020-05-01", "") for i in range(14)]
    _register(con, continuing + building + waiting)
    report = [(name, 730, "") for name, *_ in continuing]
    report += [(name, 744, "在建") for name, *_ in building]
    report += [(name, 630, "签约") for name, *_ in waiting]
    _report(con, 9, report)

    total = metrics.summary(con, SEP)
    assert total["projects"] == 211
    assert total["completed_wan"] == 154_030 and total["plan_wan"] == 211_000  # 73%
    assert total["started"] == 97 + 100
    assert total["due_to_start"] == 211
    assert total["start_rate"] == (97 + 100) / 211
    status = _status(con, SEP)
    ours = status.loc[[name for name, *_ in continuing]]
    assert ours.started.all() and ours.due.all()
    assert set(ours.start_light) == {"green"} and set(ours.start_overdue) == {0}
    assert "未开工" not in "".join(ours.reason)
    assert set(ours.start_source) == {"续建项目（上年已开工）"}
    assert set(ours.stage) == {"在建"}  # no stage reported, no dates: still 在建, not 签约
    # 2 pp behind: yellow on completion alone, as the district's 73% deserves
    assert set(ours.light) == {"yellow"}
    # the 14 not started are the only ones the start rule lights (overdue since May: red)
    assert set(status[status.start_light != "green"].index) == {n for n, *_ in waiting}
    assert set(status.loc[[n for n, *_ in waiting], "start_light"]) == {"red"}


def test_each_way_of_starting_says_where_the_start_came_from(con):
    _register(
        con,
        [
            ("有实际开工日期", "新建", 1200, "2020-02-01", "2020-02-20"),
            ("续建无日期", "续建", 1200, "", ""),
            ("续建有日期", "续建", 1200, "2018-05-01", "2018-06-15"),
            ("月报是否开工", "新建", 1200, "2020-09-01", ""),
            ("月报阶段在建", "新建", 1200, "2020-06-01", ""),
            ("月报先开工后在建", "新建", 1200, "2020-06-01", ""),
            ("同月两种说法", "新建", 1200, "", ""),
            ("仍在签约", "新建", 1200, "2020-07-01", ""),
            ("日期在月后", "新建", 1200, "2020-12-01", "2020-12-20"),
        ],
    )
    _report(con, 8, [("月报先开工后在建", 50, "开工"), ("仍在签约", 0, "签约")])
    _report(
        con,
        9,
        [
            ("月报是否开工", 10, "", "是"),
            ("月报阶段在建", 300, "在建"),
            ("月报先开工后在建", 400, "在建"),
            ("同月两种说法", 100, "开工", "是"),
            ("仍在签约", 0, "签约"),
        ],
    )
    status = _status(con, SEP)
    assert status.start_source.dropna().to_dict() == {
        "有实际开工日期": "实际开工日期 2020-02-20",
        "续建无日期": "续建项目（上年已开工）",
        "续建有日期": "实际开工日期 2018-06-15",
        "月报是否开工": "2020年9月月报：是否开工 是",
        "月报阶段在建": "2020年9月月报：项目阶段 在建",
        "月报先开工后在建": "2020年8月月报：项目阶段 开工",  # the first report that said so
        "同月两种说法": "2020年9月月报：是否开工 是",
    }
    assert not status.loc["仍在签约", "started"]
    # 续建 without any date is due and started; so is a start without a planned date; only the
    # project planned for December is not yet due
    total = metrics.summary(con, SEP)
    assert (total["started"], total["due_to_start"], total["start_rate"]) == (7, 8, 7 / 8)
    assert not status.loc["日期在月后", "started"]  # a start date after September is not yet
    # the stage: as reported; 续建 without one is 在建; 是否开工 alone makes this month 开工
    assert status.loc["续建无日期", "stage"] == "在建"
    assert status.loc["月报是否开工", "stage"] == "开工"
    assert status.loc["仍在签约", "stage"] == "签约"
    # the project page says it in words
    ids = dict(con.execute("SELECT name, id FROM projects").fetchall())
    words = {name: tables.start_status(project_start(con, ids[name], SEP)) for name in ids}
    assert words["续建无日期"] == "已开工，依据：续建项目（上年已开工）"
    assert words["月报是否开工"] == "已开工，依据：2020年9月月报：是否开工 是"
    assert words["仍在签约"] == "未开工：计划2020-07开工，已逾期3个月"
    assert words["日期在月后"] == "未开工：计划2020-12开工"
    assert project_start(con, ids["续建无日期"], Month(2021, 9)) is None  # no plan that year
    assert tables.start_status(None) == "—"


def test_a_start_reported_in_september_only_is_not_started_in_august(con):
    _register(
        con,
        [("九月报开工", "新建", 1200, "2020-06-01", ""), ("对照", "新建", 1200, "2020-06-01", "")],
    )
    _report(con, 8, [("九月报开工", 0, "", "否"), ("对照", 0, "")])
    _report(con, 9, [("九月报开工", 100, "", "是"), ("对照", 0, "")])
    august = _status(con, AUG).loc["九月报开工"]
    assert not august.started and august.start_source is None
    assert august.start_overdue == 3 and august.start_light == "red"
    assert metrics.summary(con, AUG)["started"] == 0
    september = _status(con, SEP)
    assert september.loc["九月报开工", "started"]
    assert september.loc["九月报开工", "start_overdue"] == 0
    assert september.loc["九月报开工", "start_light"] == "green"
    assert september.loc["九月报开工", "start_source"] == "2020年9月月报：是否开工 是"
    assert not september.loc["对照", "started"]
    assert metrics.summary(con, SEP)["started"] == 1


def test_red_flags_count_continuing_and_reported_starts_as_the_rule_says(con):
    # plan 1200 at September: schedule 900; a 10 pp lead is 1020. All are 1100, all green.
    _register(
        con,
        [
            ("续建计划在上年", "续建", 1200, "2019-03-01", ""),
            ("续建无日期", "续建", 1200, "", ""),
            ("月报按期开工", "新建", 1200, "2020-09-10", ""),
            ("月报晚于计划", "新建", 1200, "2020-08-10", ""),
            ("月报无计划开工", "新建", 1200, "", ""),
            ("日期晚于计划", "新建", 1200, "2020-02-01", "2020-03-02"),
            ("日期按期", "新建", 1200, "2020-02-01", "2020-02-29"),
            ("钱到了未开工", "新建", 1200, "", ""),
        ],
    )
    _report(con, 8, [("月报晚于计划", 1000, "签约")])
    names = con.execute("SELECT name FROM projects ORDER BY id").fetchall()
    # 月报晚于计划 was planned for August and first said started in September
    said = {"月报按期开工", "月报晚于计划", "月报无计划开工"}
    _report(con, 9, [(name, 1100, "", "是" if name in said else "") for (name,) in names])
    flags = evaluation.evaluate(con, SEP)["red_flags"]
    assert set(flags.name) == {
        "续建计划在上年",
        "续建无日期",
        "月报按期开工",
        "月报无计划开工",
        "日期按期",
    }
    status = _status(con, SEP)
    assert set(status.light) == {"green"}  # so only the start decided who is out
    assert not status.loc["钱到了未开工", "started"]
    pid = int(status.loc["钱到了未开工", "id"])
    assert tables.start_status(project_start(con, pid, SEP)) == "未开工：无计划开工日期"


def test_start_slipped_warning_never_picks_a_continuing_project(con):
    _register(
        con,
        [
            ("续建计划本年三月", "续建", 1200, "2020-03-01", ""),
            ("新建计划本年三月", "新建", 1200, "2020-03-01", ""),
            ("新建月报已开工", "新建", 1200, "2020-03-01", ""),
        ],
    )
    _report(con, 8, [("续建计划本年三月", 800, ""), ("新建计划本年三月", 800, "签约")])
    _report(
        con,
        9,
        [
            ("续建计划本年三月", 900, ""),
            ("新建计划本年三月", 900, "签约"),
            ("新建月报已开工", 900, "在建"),
        ],
    )
    warnings = evaluation.evaluate(con, SEP)["warnings"].set_index("name")
    assert list(warnings.index) == ["新建计划本年三月"]
    assert "start_slip" in warnings.loc["新建计划本年三月", "rules"]
    assert warnings.loc["新建计划本年三月", "start_overdue"] == 7
    status = _status(con, SEP)
    assert status.loc["续建计划本年三月", "start_overdue"] == 0
    assert status.loc["续建计划本年三月", "light"] == "green"


def test_the_project_page_says_how_the_project_started(tmp_path, monkeypatch):
    path = tmp_path / "started.duckdb"
    with db.connect(path, create=True) as con:
        _register(
            con,
            [
                ("续建无日期", "续建", 1200, "", ""),
                ("月报阶段在建", "新建", 1200, "2020-06-01", ""),
            ],
        )
        _report(con, 9, [("续建无日期", 900, ""), ("月报阶段在建", 300, "在建")])
        settings.set_anonymous_viewing(con, True, actor=SYSTEM)
        for month in (AUG, SEP):  # visitors see published months only
            cycle.publish.publish(con, SYSTEM, month)
        ids = dict(con.execute("SELECT name, id FROM projects").fetchall())
    monkeypatch.setenv("XZ_DB", str(path))
    st.cache_data.clear()
    words = {}
    for name, month in (
        ("续建无日期", "2020-09"),
        ("月报阶段在建", "2020-09"),
        ("月报阶段在建", "2020-08"),
    ):
        at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
        at.switch_page("pages/project.py")
        at.query_params.update(project=str(ids[name]), month=month)
        at.run()
        assert not at.exception, at.exception
        register = {shown(k): shown(v) for k, v in at.table[0].value.to_numpy().tolist()}
        words[name, month] = register["开工情况"]
    assert words == {
        ("续建无日期", "2020-09"): "已开工，依据：续建项目（上年已开工）",
        ("月报阶段在建", "2020-09"): "已开工，依据：2020年9月月报：项目阶段 在建",
        ("月报阶段在建", "2020-08"): "未开工：计划2020-06开工，已逾期3个月",
    }
